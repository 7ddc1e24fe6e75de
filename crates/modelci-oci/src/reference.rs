//! Artifact references: `oci://host[:port]/repo/path[:tag][@sha256:...]` or `host/repo:tag`.
//!
//! Parsing follows the OCI distribution spec's grammar for repository names, tags and digests, so
//! a reference that parses is one the registry will accept in a URL path.

use std::fmt;
use std::str::FromStr;

use crate::error::OciError;

/// Where an artifact lives: registry, repository and a tag and/or digest.
///
/// The first path component is always the registry (`localhost/repo` is registry `localhost`);
/// there is no Docker Hub default. Semver build metadata (`1.0.0+abc`) is not a valid tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// `host[:port]`, e.g. `ghcr.io` or `127.0.0.1:5000`.
    pub registry: String,
    /// Repository path inside the registry, e.g. `team/digits`.
    pub repository: String,
    /// Tag, e.g. `1.2.0`.
    pub tag: Option<String>,
    /// Digest, e.g. `sha256:…` (64 lowercase hex digits).
    pub digest: Option<String>,
}

impl Reference {
    /// The same registry and repository with `tag` (and no digest), e.g. to push version `1.2.0` to
    /// `oci://host/repo`. Fails when `tag` is not a valid OCI tag (semver build metadata `+…` is not).
    pub fn with_tag(&self, tag: &str) -> Result<Reference, OciError> {
        check_tag(tag).map_err(|reason| OciError::InvalidReference {
            input: format!("{}/{}:{tag}", self.registry, self.repository),
            reason,
        })?;
        Ok(Reference {
            registry: self.registry.clone(),
            repository: self.repository.clone(),
            tag: Some(tag.to_owned()),
            digest: None,
        })
    }

    /// What to put after `/manifests/` in a URL: the digest if known, else the tag.
    pub fn manifest_reference(&self) -> Option<&str> {
        self.digest.as_deref().or(self.tag.as_deref())
    }

    /// True when the registry host is loopback (`localhost`, `127.x.x.x`, `[::1]`), where plain
    /// HTTP is used by default.
    pub fn is_loopback(&self) -> bool {
        let host = host_of(&self.registry);
        host == "localhost"
            || host == "::1"
            || host
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

/// Host part of `host[:port]` (IPv6 literals in brackets lose their brackets).
fn host_of(registry: &str) -> &str {
    if let Some(rest) = registry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    registry.split(':').next().unwrap_or(registry)
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for Reference {
    type Err = OciError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        parse(input).map_err(|reason| OciError::InvalidReference {
            input: input.to_owned(),
            reason,
        })
    }
}

fn parse(input: &str) -> Result<Reference, String> {
    let rest = input.strip_prefix("oci://").unwrap_or(input);
    if rest.contains("://") {
        return Err("only oci:// references are supported".into());
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains whitespace or control characters".into());
    }
    let (rest, digest) = match rest.split_once('@') {
        Some((name, digest)) => {
            check_digest(digest)?;
            (name, Some(digest.to_owned()))
        }
        None => (rest, None),
    };
    let (registry, path) = rest
        .split_once('/')
        .ok_or("expected HOST[:PORT]/REPOSITORY[:TAG]")?;
    check_registry(registry)?;
    // A tag follows the last ':' after the last '/'.
    let last_segment_start = path.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match path[last_segment_start..].rfind(':') {
        Some(i) => {
            let at = last_segment_start + i;
            (&path[..at], Some(path[at + 1..].to_owned()))
        }
        None => (path, None),
    };
    check_repository(repository)?;
    if let Some(tag) = &tag {
        check_tag(tag)?;
    }
    Ok(Reference {
        registry: registry.to_owned(),
        repository: repository.to_owned(),
        tag,
        digest,
    })
}

fn check_registry(registry: &str) -> Result<(), String> {
    if registry.is_empty() {
        return Err("the registry host is empty".into());
    }
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("unclosed '[' in the registry host")?;
        (host, after.strip_prefix(':'))
    } else {
        match registry.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (registry, None),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !host_ok {
        return Err(format!("invalid registry host {host:?}"));
    }
    if let Some(port) = port
        && port.parse::<u16>().is_err()
    {
        return Err(format!("invalid registry port {port:?}"));
    }
    Ok(())
}

/// Repository grammar of the distribution spec:
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`.
fn check_repository(repository: &str) -> Result<(), String> {
    if repository.is_empty() {
        return Err("the repository name is empty".into());
    }
    for component in repository.split('/') {
        let bytes = component.as_bytes();
        let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let mut ok = !bytes.is_empty() && alnum(bytes[0]) && alnum(bytes[bytes.len() - 1]);
        let mut i = 0;
        while ok && i < bytes.len() {
            let b = bytes[i];
            if alnum(b) {
                i += 1;
                continue;
            }
            // A separator run: '.', '_', '__' or one or more '-'.
            let start = i;
            while i < bytes.len() && !alnum(bytes[i]) {
                i += 1;
            }
            let sep = &component[start..i];
            ok = matches!(sep, "." | "_" | "__") || sep.bytes().all(|c| c == b'-');
        }
        if !ok {
            return Err(format!(
                "invalid repository name {repository:?} (lowercase letters, digits and . _ - separators)"
            ));
        }
    }
    Ok(())
}

/// Tag grammar: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
pub(crate) fn check_tag(tag: &str) -> Result<(), String> {
    let mut chars = tag.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if first_ok && rest_ok && tag.len() <= 128 {
        Ok(())
    } else {
        Err(format!(
            "invalid tag {tag:?} (up to 128 of letters, digits, . _ -; not starting with . or -)"
        ))
    }
}

/// Only `sha256:` digests are supported (what every registry and ORAS use).
pub(crate) fn check_digest(digest: &str) -> Result<(), String> {
    match digest.strip_prefix("sha256:") {
        Some(hex)
            if hex.len() == 64
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
        {
            Ok(())
        }
        _ => Err(format!(
            "invalid digest {digest:?} (expected sha256: and 64 lowercase hex digits)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Reference {
        match s.parse() {
            Ok(r) => r,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn parses_oci_url_with_port_path_and_tag() {
        let r = p("oci://127.0.0.1:5000/team/models/digits:1.2.0");
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "team/models/digits");
        assert_eq!(r.tag.as_deref(), Some("1.2.0"));
        assert_eq!(r.digest, None);
        assert!(r.is_loopback());
        assert_eq!(r.to_string(), "127.0.0.1:5000/team/models/digits:1.2.0");
    }

    #[test]
    fn parses_plain_form_digest_and_no_tag() {
        let d = format!("sha256:{}", "a".repeat(64));
        let r = p(&format!("ghcr.io/org/repo:v1@{d}"));
        assert_eq!(r.registry, "ghcr.io");
        assert_eq!(r.tag.as_deref(), Some("v1"));
        assert_eq!(r.digest.as_deref(), Some(d.as_str()));
        assert_eq!(r.manifest_reference(), Some(d.as_str()));
        assert!(!r.is_loopback());
        let r = p("oci://localhost:5000/repo");
        assert_eq!(r.tag, None);
        assert!(r.is_loopback());
        assert_eq!(
            r.with_tag("2.0.0").map(|r| r.to_string()).ok().as_deref(),
            Some("localhost:5000/repo:2.0.0")
        );
    }

    #[test]
    fn rejects_malformed_references_with_reason() {
        for (bad, why) in [
            ("", "expected HOST"),
            ("oci://host", "expected HOST"),
            ("oci:///repo:tag", "registry host is empty"),
            ("https://host/repo:tag", "only oci://"),
            ("oci://host/Repo:tag", "invalid repository"),
            ("oci://host/repo/:tag", "invalid repository"),
            ("oci://host/re..po:tag", "invalid repository"),
            ("oci://host/repo:", "invalid tag"),
            ("oci://host/repo:1.0.0+build", "invalid tag"),
            ("oci://host/repo:-x", "invalid tag"),
            ("oci://host:99999/repo:tag", "invalid registry port"),
            ("oci://host/repo@sha256:abc", "invalid digest"),
            ("oci://host/repo@md5:00", "invalid digest"),
            ("oci://ho st/repo", "whitespace"),
        ] {
            match bad.parse::<Reference>() {
                Ok(r) => panic!("{bad:?} parsed as {r:?}"),
                Err(e) => {
                    let msg = e.to_string();
                    assert!(msg.contains(why), "{bad:?}: {msg}");
                    assert!(msg.contains(&format!("{bad:?}")) || bad.is_empty(), "{msg}");
                }
            }
        }
        assert!(p("oci://h/a").with_tag("1.0.0+meta").is_err());
    }

    #[test]
    fn accepts_separator_forms() {
        for ok in ["h/a.b", "h/a_b", "h/a__b", "h/a---b/c-d", "h/0x/y9"] {
            p(ok);
        }
        for bad in ["h/a___b", "h/a._b", "h/_a", "h/a-"] {
            assert!(bad.parse::<Reference>().is_err(), "{bad}");
        }
    }
}
