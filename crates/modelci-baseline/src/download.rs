//! HTTP downloads with bounded retries: connection errors, 5xx, 429 and cut-off bodies are
//! tried again a few times, anything else fails at once with the status.

use std::time::Duration;

use crate::BaselineError;

/// The largest baseline download read into memory: 4 GiB.
pub const MAX_DOWNLOAD_BYTES: u64 = 4 << 30;

/// How often and how patiently to retry a download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all (at least 1).
    pub attempts: u32,
    /// Wait before the second attempt; doubled each time.
    pub delay: Duration,
}

impl Default for Retry {
    /// Four attempts, waits of 0.5 s, 1 s, 2 s.
    fn default() -> Self {
        Self {
            attempts: 4,
            delay: Duration::from_millis(500),
        }
    }
}

/// One `GET` of `url` with `headers`; the body when the answer is 2xx (and, when
/// `expected_size` is known, that long: a shorter body is a broken-off download, retried).
///
/// # Errors
/// [`BaselineError::Input`] for 404 (`what` does not exist) and other 4xx;
/// [`BaselineError::Host`] when every attempt failed.
pub(crate) fn get(
    origin: &str,
    what: &str,
    url: &str,
    headers: &[(&str, String)],
    expected_size: Option<u64>,
    retry: Retry,
) -> Result<Vec<u8>, BaselineError> {
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(600))
        .user_agent(concat!("modelci-baseline/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| BaselineError::host(origin, format!("cannot start HTTP: {e}")))?;
    let attempts = retry.attempts.max(1);
    let mut last = String::new();
    for attempt in 0..attempts {
        if attempt > 0 {
            std::thread::sleep(retry.delay * (1 << (attempt - 1).min(6)));
        }
        let mut request = client.get(url);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = match request.send() {
            Ok(r) => r,
            Err(e) => {
                last = format!("cannot connect: {}", chain(&e));
                continue;
            }
        };
        let status = response.status();
        if status.is_success() {
            // Bounded read (docs/limits.md): never more than the declared size, or the cap.
            let limit = expected_size.map_or(MAX_DOWNLOAD_BYTES, |s| s.min(MAX_DOWNLOAD_BYTES));
            match modelci_ci::bounded::read_at_most(response, limit) {
                Err(e @ modelci_ci::bounded::ReadError::TooLarge { .. }) => {
                    return Err(BaselineError::input(
                        origin,
                        format!("downloading {what}: {e}"),
                    ));
                }
                Ok(b) => match expected_size {
                    Some(size) if b.len() as u64 != size => {
                        last = format!(
                            "the download broke off: {} of {size} bytes arrived",
                            b.len()
                        );
                        continue;
                    }
                    _ => return Ok(b),
                },
                Err(e) => {
                    last = format!("the download broke off: {e}");
                    continue;
                }
            }
        }
        if status.as_u16() == 404 {
            return Err(BaselineError::input(
                origin,
                format!("{what} does not exist (404)"),
            ));
        }
        if status.is_server_error() || status.as_u16() == 429 {
            last = format!("HTTP {status}");
            continue;
        }
        return Err(BaselineError::input(
            origin,
            format!("downloading {what} was refused: HTTP {status}"),
        ));
    }
    Err(BaselineError::host(
        origin,
        format!("downloading {what} failed after {attempts} attempts: {last}"),
    ))
}

/// An error with its causes, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
