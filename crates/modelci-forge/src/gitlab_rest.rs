//! The HTTP side of [`crate::GitLab`]: our own blocking client, with every answer read through
//! a size cap (`docs/limits.md`).
//!
//! The `gitlab` crate's client reads whole answers (`rsp.bytes()`) with its own HTTP client, so
//! a broken proxy or a hostile instance could make a binary hold gigabytes. The crate is used
//! only for what it describes well: endpoints (path, query parameters, body). This module puts
//! them under the API root, adds `PRIVATE-TOKEN` or `JOB-TOKEN`, sends them with reqwest
//! (rustls, the version the crate itself builds) and reads at most
//! [`modelci_ci::bounded::MAX_ANSWER_BYTES`] of each answer. Redirects are followed only within
//! the API's origin, so the token never reaches another host.

use std::time::Duration;

use gitlab::api::Endpoint;
use http::{HeaderMap, StatusCode};
use reqwest::Url;

use crate::Token;
use crate::TokenKind;

/// An HTTP answer: status, headers, body.
pub(crate) type Answer = (StatusCode, HeaderMap, Vec<u8>);

/// A client for one GitLab API root.
pub(crate) struct Rest {
    http: reqwest::blocking::Client,
    /// `https://HOST[/PREFIX]/api/v4/`, with the trailing slash endpoints are joined to.
    root: Url,
    /// The authentication header.
    auth: (&'static str, String),
    /// The largest answer read.
    limit: u64,
}

impl Rest {
    /// A client for `api_url` (`http(s)://HOST[/PREFIX]/api/v4`) sending `token`.
    ///
    /// # Errors
    /// A message when the URL does not parse or the HTTP client cannot start.
    pub(crate) fn new(api_url: &str, token: &Token) -> Result<Self, String> {
        let root = Url::parse(&format!("{}/", api_url.trim_end_matches('/')))
            .map_err(|e| format!("`{api_url}` is not a URL: {e}"))?;
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(300))
            .user_agent(concat!("modelci-forge/", env!("CARGO_PKG_VERSION")))
            // The token is a custom header, which reqwest would forward to any host a redirect
            // names: follow redirects only within the API's own origin.
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                let origin = attempt.previous().first().map(Url::origin);
                if origin == Some(attempt.url().origin()) && attempt.previous().len() < 10 {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }))
            .build()
            .map_err(|e| format!("cannot start HTTP: {e}"))?;
        let header = if token.kind() == TokenKind::GitLabJob {
            "JOB-TOKEN"
        } else {
            "PRIVATE-TOKEN"
        };
        Ok(Self {
            http,
            root,
            auth: (header, token.expose().to_owned()),
            limit: modelci_ci::bounded::MAX_ANSWER_BYTES,
        })
    }

    /// The full URL of `endpoint` (`projects/…`).
    ///
    /// # Errors
    /// A message when the endpoint does not make a URL.
    pub(crate) fn url(&self, endpoint: &str) -> Result<Url, String> {
        self.root.join(endpoint).map_err(|e| e.to_string())
    }

    /// Sends `ep` (plus `extra` query parameters) once and reads the answer, at most the cap.
    ///
    /// # Errors
    /// A message when the request cannot be built or sent, the connection breaks, or the answer
    /// is larger than the cap.
    pub(crate) fn send<E: Endpoint>(
        &self,
        ep: &E,
        extra: &[(&str, String)],
    ) -> Result<Answer, SendError> {
        let mut url = self.url(&ep.endpoint()).map_err(SendError::Request)?;
        ep.parameters().add_to_url(&mut url);
        for (k, v) in extra {
            url.query_pairs_mut().append_pair(k, v);
        }
        let mut request = self
            .http
            .request(ep.method(), url)
            .header(self.auth.0, &self.auth.1);
        match ep.body() {
            Ok(Some((mime, data))) => {
                request = request.header(http::header::CONTENT_TYPE, mime).body(data);
            }
            Ok(None) => {}
            Err(e) => return Err(SendError::Encode(e.to_string())),
        }
        let response = request
            .send()
            .map_err(|e| SendError::Transport(modelci_ci::errors::chain(&e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = modelci_ci::bounded::read_at_most(response, self.limit)
            .map_err(|e| SendError::Transport(e.to_string()))?;
        Ok((status, headers, bytes))
    }
}

/// Why a request got no answer.
#[derive(Debug)]
pub(crate) enum SendError {
    /// The URL could not be built.
    Request(String),
    /// The body could not be encoded.
    Encode(String),
    /// No (complete, small enough) answer arrived.
    Transport(String),
}
