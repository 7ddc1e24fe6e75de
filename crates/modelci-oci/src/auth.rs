//! `WWW-Authenticate` challenges and the registry token flow (Docker/OCI token authentication).

use std::collections::BTreeMap;

/// A parsed `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Challenge {
    /// `Basic realm="..."`.
    Basic,
    /// `Bearer realm="...",service="...",scope="..."`.
    Bearer {
        /// Token service URL.
        realm: String,
        /// Other parameters (service, scope), sent to the realm as query parameters.
        params: BTreeMap<String, String>,
    },
    /// Something else (or nothing).
    Other,
}

/// Parses one `WWW-Authenticate` header value (the first challenge in it).
pub(crate) fn parse_challenge(header: &str) -> Challenge {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Challenge::Basic;
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Challenge::Other;
    }
    let mut params = parse_params(rest);
    match params.remove("realm") {
        Some(realm) if !realm.is_empty() => Challenge::Bearer { realm, params },
        _ => Challenge::Other,
    }
}

/// `key="value", key=value` pairs; commas inside quotes belong to the value.
fn parse_params(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if chars.next().is_none() {
            return out;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        out.insert(key.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
}

/// The token from a token service's JSON answer (`token`, or OAuth2's `access_token`).
pub(crate) fn token_from_json(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    ["token", "access_token"]
        .iter()
        .find_map(|k| value.get(k).and_then(|v| v.as_str()))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_docker_hub_style_bearer_challenge() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
        );
        let Challenge::Bearer { realm, params } = c else {
            panic!("{c:?}")
        };
        assert_eq!(realm, "https://auth.example/token");
        assert_eq!(
            params.get("service").map(String::as_str),
            Some("registry.example")
        );
        assert_eq!(
            params.get("scope").map(String::as_str),
            Some("repository:a/b:pull,push")
        );
    }

    #[test]
    fn other_schemes_and_missing_realm() {
        assert_eq!(
            parse_challenge(r#"Basic realm="registry""#),
            Challenge::Basic
        );
        assert_eq!(parse_challenge("Bearer service=x"), Challenge::Other);
        assert_eq!(parse_challenge("Negotiate"), Challenge::Other);
        assert_eq!(parse_challenge(""), Challenge::Other);
    }

    #[test]
    fn token_json_shapes() {
        assert_eq!(token_from_json(br#"{"token":"a"}"#).as_deref(), Some("a"));
        assert_eq!(
            token_from_json(br#"{"access_token":"b"}"#).as_deref(),
            Some("b")
        );
        assert_eq!(token_from_json(br#"{"token":""}"#), None);
        assert_eq!(token_from_json(b"not json"), None);
    }
}
