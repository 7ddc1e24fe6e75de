//! POSTing JSON to a webhook with bounded retries.
//!
//! Retried under the shared policy (`modelci_ci::retry`: jittered backoff, the webhook's
//! `Retry-After`, a time budget; [`Policy::retry`]): connection failures, timeouts, 429 and 5xx.
//! Not retried: other 4xx, which mean the URL or payload is wrong.

use std::time::Duration;

use modelci_ci::retry::{Attempts, RetryPolicy, retry_after};

/// Retry budget of one delivery.
#[derive(Debug, Clone)]
pub struct Policy {
    /// How often and how long to retry.
    pub retry: RetryPolicy,
    /// Timeout of one request.
    pub timeout: Duration,
}

impl Default for Policy {
    /// Three tries, waits of about 0.5 s and 1 s, 10 s per request.
    fn default() -> Self {
        Self {
            retry: RetryPolicy::attempts(3, Duration::from_millis(500)),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Why a delivery failed, after retries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// The webhook answered with an error status.
    #[error("answered {status} after {attempts} attempt(s){}", if .body.is_empty() { String::new() } else { format!(": {}", .body) })]
    Status {
        /// HTTP status.
        status: u16,
        /// Tries made.
        attempts: u32,
        /// The start of the answer.
        body: String,
    },
    /// No answer (connection refused, DNS, timeout).
    #[error("unreachable after {attempts} attempt(s): {message}")]
    Transport {
        /// Tries made.
        attempts: u32,
        /// What the HTTP client said (without the URL).
        message: String,
    },
}

/// POSTs `body` as JSON to `url` with retries.
///
/// # Errors
/// [`DeliveryError`] after the last try.
pub fn post_json(
    url: &str,
    body: &serde_json::Value,
    policy: &Policy,
) -> Result<(), DeliveryError> {
    let client = reqwest::blocking::Client::builder()
        .timeout(policy.timeout)
        .connect_timeout(policy.timeout)
        .user_agent(concat!("modelci-deploy-notify/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| DeliveryError::Transport {
            attempts: 0,
            message: describe(&e),
        })?;
    let text = body.to_string();
    let mut attempts = Attempts::new(&policy.retry);
    loop {
        let attempt = attempts.made() + 1;
        let sent = client
            .post(url)
            .header("content-type", "application/json")
            .body(text.clone())
            .send();
        match sent {
            Ok(resp) if resp.status().is_success() => return Ok(()),
            Ok(resp) => {
                let status = resp.status().as_u16();
                let asked = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(retry_after);
                let answer = modelci_ci::bounded::read_start(
                    resp,
                    modelci_ci::bounded::MAX_ERROR_BODY_BYTES,
                );
                let first = answer.lines().next().unwrap_or("");
                let body = mask_secrets(first, url).chars().take(200).collect();
                let err = DeliveryError::Status {
                    status,
                    attempts: attempt,
                    body,
                };
                if !(status == 429 || status >= 500) || !attempts.wait(asked) {
                    return Err(err);
                }
            }
            Err(e) => {
                let err = DeliveryError::Transport {
                    attempts: attempt,
                    message: describe(&e),
                };
                if !attempts.wait(None) {
                    return Err(err);
                }
            }
        }
    }
}

/// What went wrong with an HTTP request, in a few words: `timed out`, or the root cause
/// (`Connection refused (os error 111)`), never the URL (webhook URLs are secrets).
pub fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    let mut root: &dyn std::error::Error = e;
    while let Some(next) = root.source() {
        root = next;
    }
    let text = root.to_string();
    if e.is_connect() && !text.to_lowercase().contains("connect") {
        format!("cannot connect: {text}")
    } else {
        text
    }
}

/// `text` with every secret part of `url` (each path segment, query value and userinfo of at
/// least four characters, raw and percent-decoded) replaced by `***`: a webhook that echoes its
/// path in an error body (`not found /services/T0/B0/SECRET`) must not leak it.
#[must_use]
pub fn mask_secrets(text: &str, url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    let userinfo = authority.rsplit_once('@').map_or("", |(user, _)| user);
    let mut parts: Vec<String> = tail
        .split(['/', '?', '&', '=', '#'])
        .chain(userinfo.split(':'))
        .flat_map(|p| [p.to_owned(), modelci_ci::percent::decode(p)])
        .filter(|p| p.chars().count() >= 4)
        .collect();
    // Longest first, so a segment is masked whole before any part of it.
    parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let mut masked = text.to_owned();
    for part in &parts {
        masked = masked.replace(part.as_str(), "***");
    }
    masked
}

/// `scheme://host[:port]/…`: a webhook URL without its secret path or query.
#[must_use]
pub fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    // Credentials in the authority (user:pass@host) are dropped too.
    let host = host.rsplit('@').next().unwrap_or(host);
    if scheme.is_empty() {
        format!("{host}/…")
    } else {
        format!("{scheme}://{host}/…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_the_secret_parts() {
        assert_eq!(
            redact("https://hooks.slack.com/services/T000/B000/XXXXSECRET"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            redact("http://user:pw@127.0.0.1:8080/h?k=v"),
            "http://127.0.0.1:8080/…"
        );
    }

    #[test]
    fn an_echoed_body_does_not_leak_the_secret_path() {
        // Issue 14 #9: a 404 body repeating the path printed the secret.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            use std::io::{Read as _, Write as _};
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut buf = [0u8; 8192];
                let n = stream.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).into_owned();
                let path = request.split(' ').nth(1).unwrap_or("").to_owned();
                let body = format!("not found {path} (also {})", path.replace('/', "%2F"));
                let _ = write!(
                    stream,
                    "HTTP/1.1 404 Not Found\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        let url = format!("http://{addr}/services/T0/B0/SECRETxyz?token=hunter22");
        let policy = Policy {
            retry: RetryPolicy::none(),
            timeout: Duration::from_secs(5),
        };
        let err = post_json(&url, &serde_json::json!({}), &policy).expect_err("404");
        let shown = err.to_string();
        assert!(shown.starts_with("answered 404"), "{shown}");
        assert!(shown.contains("not found"), "{shown}");
        for secret in ["SECRETxyz", "hunter22", "services"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn refused_connection_is_a_transport_error_without_the_url() {
        let policy = Policy {
            retry: RetryPolicy::attempts(2, Duration::from_millis(1)),
            timeout: Duration::from_secs(2),
        };
        let err = post_json(
            "http://127.0.0.1:9/secret-path",
            &serde_json::json!({}),
            &policy,
        );
        match err {
            Err(DeliveryError::Transport { attempts, message }) => {
                assert_eq!(attempts, 2);
                assert!(!message.contains("secret-path"), "{message}");
            }
            other => panic!("expected a transport error, got {other:?}"),
        }
    }
}
