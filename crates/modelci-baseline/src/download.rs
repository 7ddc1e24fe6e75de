//! HTTP downloads with bounded retries: connection errors, 5xx, 429 and cut-off bodies are
//! tried again under the shared policy (`modelci_ci::retry`: jittered backoff, the server's
//! `Retry-After`, a time budget), anything else fails at once with the status.

use std::time::Duration;

use modelci_ci::retry::{Attempts, RetryPolicy, retry_after};

use crate::BaselineError;

/// The largest baseline download read into memory: 4 GiB.
pub const MAX_DOWNLOAD_BYTES: u64 = 4 << 30;

/// The default retries of a download: four attempts, waits of about 0.5 s, 1 s, 2 s.
#[must_use]
pub fn default_retry() -> RetryPolicy {
    RetryPolicy::attempts(4, Duration::from_millis(500))
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
    retry: &RetryPolicy,
) -> Result<Vec<u8>, BaselineError> {
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(600))
        .user_agent(concat!("modelci-baseline/", env!("CARGO_PKG_VERSION")))
        // Redirects are followed by `send`, which keeps the credentials on their origin.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| BaselineError::host(origin, format!("cannot start HTTP: {e}")))?;
    let mut attempts = Attempts::new(retry);
    let mut asked = None;
    let mut last = String::new();
    loop {
        if !last.is_empty() && !attempts.wait(asked.take()) {
            break;
        }
        let response = match send(&client, url, headers) {
            Ok(r) => r,
            Err(Sent::Connect(e)) => {
                last = format!("cannot connect: {}", modelci_ci::errors::chain(&e));
                continue;
            }
            Err(Sent::Refused(message)) => {
                return Err(BaselineError::input(
                    origin,
                    format!("downloading {what}: {message}"),
                ));
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
            asked = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(retry_after);
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
        format!(
            "downloading {what} failed after {} attempts: {last}",
            attempts.made()
        ),
    ))
}

/// Most redirects followed for one download.
const MAX_REDIRECTS: usize = 10;

/// Why [`send`] got no answer to read.
enum Sent {
    /// The request failed (retried).
    Connect(reqwest::Error),
    /// The URL or a redirect is unusable (not retried).
    Refused(String),
}

/// `GET url` with `headers`, following redirects here rather than in reqwest: the headers go
/// only to `url`'s origin (GitLab's `PRIVATE-TOKEN`/`JOB-TOKEN` are plain headers HTTP clients
/// keep across hosts, and package downloads redirect to object storage); elsewhere only
/// `Accept` is sent.
fn send(
    client: &reqwest::blocking::Client,
    url: &str,
    headers: &[(&str, String)],
) -> Result<reqwest::blocking::Response, Sent> {
    let mut current = reqwest::Url::parse(url)
        .map_err(|e| Sent::Refused(format!("`{url}` is not a URL: {e}")))?;
    let origin = current.origin();
    for _ in 0..=MAX_REDIRECTS {
        let mut request = client.get(current.clone());
        let ours = current.origin() == origin;
        for (name, value) in headers {
            if ours || name.eq_ignore_ascii_case("accept") {
                request = request.header(*name, value);
            }
        }
        let response = request.send().map_err(Sent::Connect)?;
        let next = response
            .status()
            .is_redirection()
            .then(|| response.headers().get(reqwest::header::LOCATION))
            .flatten()
            .and_then(|l| l.to_str().ok())
            .and_then(|l| current.join(l).ok());
        match next {
            Some(next) => current = next,
            None => return Ok(response),
        }
    }
    Err(Sent::Refused(format!(
        "more than {MAX_REDIRECTS} redirects"
    )))
}
