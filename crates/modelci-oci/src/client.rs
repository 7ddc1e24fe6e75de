//! The registry client: URLs, authentication (Basic, Bearer tokens from the registry's token
//! service), bounded retries. Push and pull live in their own modules on top of [`Client::send`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use modelci_ci::retry::{Attempts, RetryPolicy, retry_after};
use reqwest::Method;
use reqwest::Url;
use reqwest::blocking::{Body as HttpBody, RequestBuilder, Response};
use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};

use crate::auth::{Challenge, parse_challenge, token_from_json};
use crate::credentials::Credentials;
use crate::digest::read_limited;
use crate::error::OciError;
use crate::reference::Reference;

/// Attempts per request for connection errors, 429 and 5xx answers.
const ATTEMPTS: u32 = 3;
/// Most of a registry's error body we read for a message.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// A client for OCI distribution registries.
///
/// One client can talk to several registries; bearer tokens are cached per registry. Transport
/// is HTTPS (rustls, system roots) except for loopback registries, which use plain HTTP unless
/// [`Client::with_plain_http`] says otherwise.
pub struct Client {
    creds: Credentials,
    plain_http: Option<bool>,
    http: Result<reqwest::blocking::Client, String>,
    tokens: Mutex<HashMap<String, String>>,
    timeout: Duration,
    blob_timeout: Duration,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("creds", &self.creds)
            .field("plain_http", &self.plain_http)
            .finish_non_exhaustive()
    }
}

/// A request body that can be rebuilt for every attempt (files are reopened, not buffered).
pub(crate) enum Body<'a> {
    /// No body.
    Empty,
    /// Bytes in memory (manifests, small configs).
    Bytes(&'a [u8]),
    /// A file streamed from disk, with its size.
    File(&'a Path, u64),
}

/// One HTTP request to a registry.
pub(crate) struct Request<'a> {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Body<'a>,
    /// Blob transfers get the long timeout.
    pub(crate) blob: bool,
}

impl<'a> Request<'a> {
    pub(crate) fn new(method: Method, url: Url) -> Self {
        Request {
            method,
            url,
            headers: Vec::new(),
            body: Body::Empty,
            blob: false,
        }
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub(crate) fn body(mut self, body: Body<'a>) -> Self {
        self.body = body;
        self
    }

    pub(crate) fn blob(mut self) -> Self {
        self.blob = true;
        self
    }
}

impl Client {
    /// A client with these credentials. Loopback registries use plain HTTP, others HTTPS.
    pub fn new(creds: Credentials) -> Self {
        let http = reqwest::blocking::Client::builder()
            .timeout(None)
            .connect_timeout(Duration::from_secs(15))
            .user_agent(concat!("modelci-oci/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| modelci_ci::errors::chain(&e));
        Client {
            creds,
            plain_http: None,
            http,
            tokens: Mutex::new(HashMap::new()),
            timeout: Duration::from_secs(120),
            blob_timeout: Duration::from_secs(3600),
            retry: RetryPolicy::attempts(ATTEMPTS, Duration::from_millis(300)),
        }
    }

    /// `true`: plain HTTP for every registry (like `oras --plain-http`); `false`: HTTPS even on
    /// loopback. Without this call, loopback registries use plain HTTP and others HTTPS.
    pub fn with_plain_http(mut self, yes: bool) -> Self {
        self.plain_http = Some(yes);
        self
    }

    /// Timeout of manifest and metadata requests (default 120 s) and of blob transfers
    /// (default 1 h).
    pub fn with_timeouts(mut self, request: Duration, blob: Duration) -> Self {
        self.timeout = request;
        self.blob_timeout = blob;
        self
    }

    /// Pause before the second attempt after a connection error, 429 or 5xx answer (doubled
    /// before the third, jittered, longer when the registry's `Retry-After` asks; default
    /// 300 ms).
    pub fn with_retry_delay(mut self, delay: Duration) -> Self {
        self.retry = RetryPolicy::attempts(ATTEMPTS, delay);
        self
    }

    /// `scheme://registry/v2/<repository>/<path>`.
    pub(crate) fn url(&self, r: &Reference, path: &str) -> Result<Url, OciError> {
        let scheme = if self.plain_http.unwrap_or_else(|| r.is_loopback()) {
            "http"
        } else {
            "https"
        };
        let text = format!("{scheme}://{}/v2/{}/{path}", r.registry, r.repository);
        Url::parse(&text).map_err(|e| OciError::InvalidReference {
            input: r.to_string(),
            reason: format!("does not make a URL: {e}"),
        })
    }

    /// Sends `req` to `registry` with authentication: cached token or credentials first; on a
    /// `401` with a `Bearer` challenge, one token fetch and one retry. Connection errors and
    /// 5xx answers are retried ([`ATTEMPTS`] in all); the last 5xx answer is returned.
    pub(crate) fn send(&self, registry: &str, req: &Request<'_>) -> Result<Response, OciError> {
        let mut fetched_token = false;
        loop {
            let auth = self.auth_header(registry);
            let resp = self.send_retrying(registry, req, auth.as_deref())?;
            if resp.status() != reqwest::StatusCode::UNAUTHORIZED {
                return Ok(resp);
            }
            if fetched_token || matches!(self.creds, Credentials::Bearer(_)) {
                return Err(self.auth_failure(registry));
            }
            let challenge = resp
                .headers()
                .get_all(WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(parse_challenge)
                .find(|c| matches!(c, Challenge::Bearer { .. }));
            let Some(Challenge::Bearer { realm, params }) = challenge else {
                return Err(self.auth_failure(registry));
            };
            let token = self.fetch_token(registry, &realm, &params)?;
            self.lock_tokens().insert(registry.to_owned(), token);
            fetched_token = true;
        }
    }

    fn auth_failure(&self, registry: &str) -> OciError {
        match self.creds {
            Credentials::Anonymous => OciError::CredentialsRequired {
                registry: registry.to_owned(),
            },
            _ => OciError::CredentialsRefused {
                registry: registry.to_owned(),
            },
        }
    }

    fn lock_tokens(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The `Authorization` value for the next request to `registry`, if any.
    fn auth_header(&self, registry: &str) -> Option<String> {
        if let Some(token) = self.lock_tokens().get(registry) {
            return Some(format!("Bearer {token}"));
        }
        match &self.creds {
            Credentials::Anonymous => None,
            Credentials::Basic { username, password } => Some(basic(username, password)),
            Credentials::Bearer(token) => Some(format!("Bearer {token}")),
        }
    }

    /// Asks the registry's token service (`realm`) for a token, with Basic credentials if given.
    fn fetch_token(
        &self,
        registry: &str,
        realm: &str,
        params: &std::collections::BTreeMap<String, String>,
    ) -> Result<String, OciError> {
        let token_error = |reason: String| OciError::TokenService {
            registry: registry.to_owned(),
            reason,
        };
        let mut url =
            Url::parse(realm).map_err(|_| token_error(format!("invalid realm URL {realm:?}")))?;
        let loopback_realm = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        match url.scheme() {
            "https" => {}
            "http" if loopback_realm || self.plain_http == Some(true) => {}
            _ => {
                return Err(token_error(format!(
                    "refusing token realm {realm:?} (not HTTPS)"
                )));
            }
        }
        for key in ["service", "scope"] {
            if let Some(value) = params.get(key) {
                url.query_pairs_mut().append_pair(key, value);
            }
        }
        let auth = match &self.creds {
            Credentials::Basic { username, password } => Some(basic(username, password)),
            _ => None,
        };
        let resp =
            self.send_retrying(registry, &Request::new(Method::GET, url), auth.as_deref())?;
        let status = resp.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(self.auth_failure(registry));
        }
        if !status.is_success() {
            return Err(token_error(format!("HTTP {}", status.as_u16())));
        }
        let body = read_limited(resp, 1024 * 1024)
            .map_err(|e| token_error(format!("reading the answer: {e}")))?;
        token_from_json(&body).ok_or_else(|| token_error("the answer has no token".into()))
    }

    /// One request with bounded retries for connection errors and 5xx answers.
    fn send_retrying(
        &self,
        registry: &str,
        req: &Request<'_>,
        auth: Option<&str>,
    ) -> Result<Response, OciError> {
        let http = self.http.as_ref().map_err(|e| OciError::Unreachable {
            registry: registry.to_owned(),
            detail: format!("cannot set up the HTTP client: {e}"),
        })?;
        let mut attempts = Attempts::new(&self.retry);
        loop {
            let builder = self.build(http, req, auth)?;
            match builder.send() {
                Ok(resp) if resp.status().is_server_error() || resp.status().as_u16() == 429 => {
                    let asked = resp
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(retry_after);
                    if !attempts.wait(asked) {
                        return Ok(resp);
                    }
                }
                Ok(resp) => return Ok(resp),
                Err(e) if !e.is_builder() && attempts.wait(None) => {}
                Err(e) => {
                    let made = attempts.made().max(1);
                    return Err(OciError::Unreachable {
                        registry: registry.to_owned(),
                        detail: format!(
                            "{} (after {made} attempts)",
                            modelci_ci::errors::chain(&e)
                        ),
                    });
                }
            }
        }
    }

    fn build(
        &self,
        http: &reqwest::blocking::Client,
        req: &Request<'_>,
        auth: Option<&str>,
    ) -> Result<RequestBuilder, OciError> {
        let timeout = if req.blob {
            self.blob_timeout
        } else {
            self.timeout
        };
        let mut builder = http
            .request(req.method.clone(), req.url.clone())
            .timeout(timeout);
        for (name, value) in &req.headers {
            builder = builder.header(*name, value.as_str());
        }
        if let Some(auth) = auth
            && let Ok(mut value) = HeaderValue::from_str(auth)
        {
            value.set_sensitive(true);
            builder = builder.header(AUTHORIZATION, value);
        }
        Ok(match req.body {
            Body::Empty => builder,
            Body::Bytes(bytes) => builder.body(bytes.to_vec()),
            Body::File(path, size) => {
                let file = std::fs::File::open(path).map_err(|source| OciError::ReadFile {
                    path: path.to_owned(),
                    source,
                })?;
                builder.body(HttpBody::sized(file, size))
            }
        })
    }
}

/// `Basic base64(user:password)`.
fn basic(username: &str, password: &str) -> String {
    use base64::Engine as _;
    let encoded =
        base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    format!("Basic {encoded}")
}

/// The registry's OCI error JSON (`{"errors":[{"code","message"}]}`) as one short line, or "".
pub(crate) fn error_detail(resp: Response) -> String {
    let Ok(body) = read_limited(resp, ERROR_BODY_LIMIT) else {
        return String::new();
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return String::new();
    };
    let errors = value
        .get("errors")
        .and_then(|e| e.as_array())
        .cloned()
        .unwrap_or_default();
    let text = errors
        .iter()
        .map(|e| {
            let field = |k: &str| {
                e.get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let (code, message) = (field("code"), field("message"));
            if message.is_empty() {
                code
            } else {
                format!("{code} {message}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    let line: String = text.chars().filter(|c| !c.is_control()).take(300).collect();
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_is_rfc7617() {
        assert_eq!(basic("user", "pa:ss"), "Basic dXNlcjpwYTpzcw==");
    }

    #[test]
    fn scheme_follows_loopback_unless_forced() {
        let local: Reference = "127.0.0.1:5000/a:b"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let remote: Reference = "ghcr.io/a:b".parse().unwrap_or_else(|e| panic!("{e}"));
        let auto = Client::new(Credentials::Anonymous);
        assert_eq!(
            auto.url(&local, "tags/list")
                .map(|u| u.to_string())
                .ok()
                .as_deref(),
            Some("http://127.0.0.1:5000/v2/a/tags/list")
        );
        assert!(auto.url(&remote, "x").is_ok_and(|u| u.scheme() == "https"));
        let forced = Client::new(Credentials::Anonymous).with_plain_http(true);
        assert!(forced.url(&remote, "x").is_ok_and(|u| u.scheme() == "http"));
        let tls = Client::new(Credentials::Anonymous).with_plain_http(false);
        assert!(tls.url(&local, "x").is_ok_and(|u| u.scheme() == "https"));
    }

    #[test]
    fn debug_never_shows_password() {
        let c = Client::new(Credentials::Basic {
            username: "u".into(),
            password: "sekrit".into(),
        });
        assert!(!format!("{c:?}").contains("sekrit"));
    }
}
