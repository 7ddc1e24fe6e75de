//! Retrying what can clear up, within a time budget, and nothing else.
//!
//! 5xx answers, 429, GitHub's secondary rate limit and transport errors are retried with
//! jittered exponential backoff; a `Retry-After` or `x-ratelimit-reset` from the host replaces
//! the backoff when it is longer. 401, 403 (without rate-limit headers), 404 and 422 are returned
//! at once. The whole loop is bounded by [`RetryPolicy::max_elapsed`], so a CI job never hangs on
//! a broken host.

use std::time::Duration;

use http::HeaderMap;

use crate::ForgeError;

pub use modelci_ci::retry::RetryPolicy;

/// Tracks one retry loop of forge operations (the shared policy of `modelci_ci::retry`, with
/// the forge's own notion of which errors can clear up).
#[derive(Debug)]
pub(crate) struct Attempts<'a> {
    inner: modelci_ci::retry::Attempts<'a>,
}

impl<'a> Attempts<'a> {
    /// Starts the clock.
    pub fn new(policy: &'a RetryPolicy) -> Self {
        Self {
            inner: modelci_ci::retry::Attempts::new(policy),
        }
    }

    /// After a failed attempt: sleeps and returns `Ok(())` when another attempt fits in the
    /// policy, or returns the error to give up with.
    pub fn wait_or_give_up(&mut self, err: ForgeError) -> Result<(), ForgeError> {
        if !err.is_transient() {
            self.inner.fail();
            return Err(err);
        }
        if self.inner.wait(err.retry_after()) {
            return Ok(());
        }
        Err(ForgeError::GaveUp {
            attempts: self.inner.made(),
            elapsed: self.inner.elapsed(),
            last: Box::new(err),
        })
    }
}

/// Runs `op` until it succeeds, fails for good, or the budget is spent.
pub(crate) fn run<T>(
    policy: &RetryPolicy,
    op: impl FnMut() -> Result<T, ForgeError>,
) -> Result<T, ForgeError> {
    run_when(policy, |_| true, op)
}

/// Like [`run`], but for requests that are not idempotent: only failures that prove the request
/// was not applied are retried.
pub(crate) fn run_unapplied<T>(
    policy: &RetryPolicy,
    op: impl FnMut() -> Result<T, ForgeError>,
) -> Result<T, ForgeError> {
    run_when(policy, ForgeError::surely_not_applied, op)
}

/// Runs `op`, retrying (within the budget) the transient failures `may_retry` accepts.
fn run_when<T>(
    policy: &RetryPolicy,
    may_retry: impl Fn(&ForgeError) -> bool,
    mut op: impl FnMut() -> Result<T, ForgeError>,
) -> Result<T, ForgeError> {
    let mut attempts = Attempts::new(policy);
    loop {
        match op() {
            Ok(v) => return Ok(v),
            Err(e) if may_retry(&e) => attempts.wait_or_give_up(e)?,
            Err(e) => return Err(e),
        }
    }
}

/// Turns an HTTP error answer into a [`ForgeError`], reading `Retry-After`, `x-ratelimit-*`
/// and the host's message.
pub(crate) fn classify(
    host: &'static str,
    action: &'static str,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> ForgeError {
    let message = host_message(body);
    let retry_after = retry_after(headers);
    let remaining_zero = header(headers, "x-ratelimit-remaining").is_some_and(|v| v.trim() == "0");
    match status {
        401 => ForgeError::Unauthorized { host },
        403 if retry_after.is_some()
            || remaining_zero
            || message.to_ascii_lowercase().contains("rate limit") =>
        {
            ForgeError::RateLimited {
                host,
                action,
                retry_after,
            }
        }
        403 => ForgeError::Forbidden {
            host,
            action,
            message,
        },
        404 => ForgeError::NotFound { host, action },
        429 => ForgeError::RateLimited {
            host,
            action,
            retry_after,
        },
        500..=599 => ForgeError::Server {
            host,
            action,
            status,
            message,
            retry_after,
        },
        _ => ForgeError::Rejected {
            host,
            action,
            status,
            message,
        },
    }
}

/// The host's own error message (`message` or `error` in a JSON body), shortened.
fn host_message(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => match v.get("message").or_else(|| v.get("error")) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => v.to_string(),
        },
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    let text = text.trim();
    if text.is_empty() {
        return "no details given".to_owned();
    }
    let mut short: String = text.chars().take(300).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// A header as text.
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// How long the host asks us to wait: `Retry-After` (seconds) or `x-ratelimit-reset` (epoch
/// seconds) when the remaining quota is 0.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    if let Some(wait) = header(headers, "retry-after").and_then(modelci_ci::retry::retry_after) {
        return Some(wait);
    }
    let remaining_zero = header(headers, "x-ratelimit-remaining").is_some_and(|v| v.trim() == "0");
    let reset = header(headers, "x-ratelimit-reset").and_then(|v| v.trim().parse::<u64>().ok())?;
    if !remaining_zero {
        return None;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Some(Duration::from_secs(reset.saturating_sub(now).max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_statuses() {
        let mut h = HeaderMap::new();
        assert!(matches!(
            classify("GitHub", "x", 403, &h, b"{\"message\":\"nope\"}"),
            ForgeError::Forbidden { .. }
        ));
        h.insert("retry-after", http::HeaderValue::from_static("2"));
        let e = classify("GitHub", "x", 403, &h, b"{}");
        assert!(matches!(e, ForgeError::RateLimited { .. }));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        assert!(classify("GitHub", "x", 502, &HeaderMap::new(), b"").is_transient());
        assert!(!classify("GitHub", "x", 422, &HeaderMap::new(), b"").is_transient());
        assert!(!classify("GitHub", "x", 404, &HeaderMap::new(), b"").is_transient());
    }

    #[test]
    fn gives_up_within_budget() {
        let p = RetryPolicy {
            max_attempts: 100,
            max_elapsed: Duration::from_millis(50),
            initial_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
        };
        let mut n = 0;
        let r: Result<(), _> = run(&p, || {
            n += 1;
            Err(ForgeError::Server {
                host: "GitHub",
                action: "x",
                status: 502,
                message: String::new(),
                retry_after: None,
            })
        });
        assert!(matches!(r, Err(ForgeError::GaveUp { .. })));
        assert!(n >= 2);
    }
}
