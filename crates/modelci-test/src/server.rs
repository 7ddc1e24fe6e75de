//! The HTTP loop: reads each request, applies injected faults, routes it, logs it.
//!
//! One thread serves requests one at a time, which makes the fake linearizable: concurrent
//! clients interleave between requests exactly as they would against a real host, and the
//! result of every request is decided under one lock.

use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::openapi::Spec;
use crate::state::{FaultKind, LoggedRequest, State};
use crate::{github, gitlab};

/// A request as the handlers see it.
#[derive(Debug)]
pub(crate) struct Req {
    /// Upper-case method.
    pub method: String,
    /// Path without query string and without the API prefix.
    pub path: String,
    /// Decoded query parameters, in order.
    pub query: Vec<(String, String)>,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    /// Raw body.
    pub body: Vec<u8>,
    /// API prefix that was stripped (`""`, `/api/v3`, `/api/uploads` or `/api/v4`).
    pub prefix: String,
}

impl Req {
    /// First header with this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// First query parameter with this name.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A response before it is written.
#[derive(Debug)]
pub(crate) struct Resp {
    /// HTTP status.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body (JSON unless a header says otherwise).
    pub body: Vec<u8>,
}

impl Resp {
    /// A JSON response.
    pub fn json(status: u16, v: &serde_json::Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: v.to_string().into_bytes(),
        }
    }

    /// Adds a header.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// What handlers get besides the request.
pub(crate) struct Ctx<'a> {
    /// Shared state, locked for the whole request.
    pub state: &'a mut State,
    /// GitHub's description.
    pub spec: &'a Spec,
    /// `http://127.0.0.1:PORT`.
    pub origin: &'a str,
}

/// Serves until the server is unblocked.
pub(crate) fn serve(server: &tiny_http::Server, state: &Mutex<State>, spec: &Spec, origin: &str) {
    for mut rq in server.incoming_requests() {
        let mut body = Vec::new();
        // A body that cannot be read is handled like an empty one; the checks then reject it.
        let _ = rq.as_reader().read_to_end(&mut body);
        let url = rq.url().to_owned();
        let (raw_path, raw_query) = url.split_once('?').unwrap_or((url.as_str(), ""));
        let method = rq.method().as_str().to_ascii_uppercase();
        let headers = rq
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_ascii_lowercase(),
                    h.value.as_str().to_owned(),
                )
            })
            .collect();
        let query = form_urlencoded::parse(raw_query.as_bytes())
            .into_owned()
            .collect();
        let (prefix, path) = if let Some(rest) = raw_path.strip_prefix("/api/v4") {
            ("/api/v4", rest)
        } else if let Some(rest) = raw_path.strip_prefix("/api/v3") {
            ("/api/v3", rest)
        } else if let Some(rest) = raw_path.strip_prefix(crate::github::UPLOADS_PREFIX) {
            (crate::github::UPLOADS_PREFIX, rest)
        } else {
            ("", raw_path)
        };
        let req = Req {
            method: method.clone(),
            path: path.to_owned(),
            query,
            headers,
            body,
            prefix: prefix.to_owned(),
        };

        let resp = {
            let mut guard = state.lock().unwrap_or_else(PoisonError::into_inner);
            let mut ctx = Ctx {
                state: &mut guard,
                spec,
                origin,
            };
            let resp = handle(&mut ctx, &req);
            guard.log.push(LoggedRequest {
                method,
                path: raw_path.to_owned(),
                query: raw_query.to_owned(),
                status: resp.status,
            });
            resp
        };
        let mut out = tiny_http::Response::from_data(resp.body).with_status_code(resp.status);
        let mut has_type = false;
        for (name, value) in &resp.headers {
            has_type |= name.eq_ignore_ascii_case("content-type");
            if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                out.add_header(h);
            }
        }
        if !has_type
            && let Ok(h) = tiny_http::Header::from_bytes(
                &b"Content-Type"[..],
                &b"application/json; charset=utf-8"[..],
            )
        {
            out.add_header(h);
        }
        // The client may have gone away; nothing to do about it here.
        let _ = rq.respond(out);
    }
}

/// Applies faults, then routes to the GitHub or GitLab handlers.
fn handle(ctx: &mut Ctx<'_>, req: &Req) -> Resp {
    let gitlab = req.prefix == "/api/v4";
    let full_path = format!("{}{}", req.prefix, req.path);
    let fault = ctx.state.take_fault(&req.method, &full_path);
    let message = |m: &str| {
        if gitlab {
            serde_json::json!({ "message": m })
        } else {
            serde_json::json!({ "message": m, "documentation_url": "https://docs.github.com/rest" })
        }
    };
    match fault {
        Some(FaultKind::Status(s)) => return Resp::json(s, &message("injected fault")),
        Some(FaultKind::TooManyRequests { retry_after }) => {
            return Resp::json(429, &message("Too Many Requests"))
                .with("Retry-After", retry_after.to_string());
        }
        Some(FaultKind::SecondaryRateLimit {
            retry_after,
            reset_in,
        }) => {
            let reset = epoch_now() + reset_in;
            let r = Resp::json(
                403,
                &message("You have exceeded a secondary rate limit. Please wait a few minutes before you try again."),
            )
            .with("x-ratelimit-limit", "5000")
            .with("x-ratelimit-remaining", "0")
            .with("x-ratelimit-reset", reset.to_string());
            return match retry_after {
                Some(s) => r.with("retry-after", s.to_string()),
                None => r,
            };
        }
        Some(FaultKind::Oversized(bytes)) => {
            return Resp {
                status: 200,
                headers: Vec::new(),
                body: vec![b' '; bytes],
            };
        }
        Some(FaultKind::Redirect(location)) => {
            return Resp::json(302, &message("Found")).with("Location", location);
        }
        Some(FaultKind::ProcessThenStatus(s)) => {
            let _ = route(ctx, req, gitlab);
            return Resp::json(s, &message("injected fault after processing"));
        }
        None => {}
    }
    route(ctx, req, gitlab)
}

/// Sends the request to the right host's handlers.
fn route(ctx: &mut Ctx<'_>, req: &Req, gitlab: bool) -> Resp {
    if gitlab {
        gitlab::handle(ctx, req)
    } else {
        github::handle(ctx, req)
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn epoch_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
