//! Shared test harness: the crate's own `testing::TestRegistry` (a real `docker-registry`), a
//! tiny_http proxy in front of it that can demand Bearer tokens, fail or tamper, and helpers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use modelci_oci::{ArtifactFile, BUNDLE_ARTIFACT_TYPE, PushRequest, VERSION_ANNOTATION};
use sha2::{Digest, Sha256};

pub use modelci_oci::testing::{
    TEST_PASSWORD as PASSWORD, TEST_USER as USER, TestRegistry as Registry,
    external_program as external, free_port,
};

/// What the proxy does besides forwarding.
#[derive(Clone, Default)]
pub struct ProxyOptions {
    /// Demand `Authorization: Bearer TOKEN`, handing the token out at `/token` for Basic
    /// `USER:PASSWORD`.
    pub bearer_token: Option<String>,
    /// Answer `503` to this many requests first.
    pub fail_first: usize,
    /// Flip the first byte of every blob body sent back.
    pub tamper_blobs: bool,
    /// Report a wrong `Docker-Content-Digest` for manifest PUTs.
    pub wrong_manifest_digest: bool,
    /// Refuse manifest PUTs of this media type as a registry without it does: `400` with
    /// `MANIFEST_INVALID` in the distribution spec's error JSON.
    pub refuse_media_type: Option<String>,
}

/// One request the proxy saw.
#[derive(Debug, Clone)]
pub struct Seen {
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub url: String,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// Status the proxy answered.
    pub status: u16,
}

/// A tiny_http proxy in front of a registry.
pub struct Proxy {
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// Every request, in order.
    pub seen: Arc<Mutex<Vec<Seen>>>,
    in_flight: Arc<AtomicUsize>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Starts a proxy forwarding to `upstream` (`host:port`).
    pub fn start(upstream: &str, options: ProxyOptions) -> Proxy {
        let server =
            Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}")));
        let addr = server
            .server_addr()
            .to_ip()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let seen = Arc::new(Mutex::new(Vec::new()));
        // Requests answered but not yet recorded: the client can see a reply before the proxy
        // thread has logged it, so `seen` waits for this to drop to zero.
        let in_flight = Arc::new(AtomicUsize::new(0));
        let failures = AtomicUsize::new(0);
        let upstream = format!("http://{upstream}");
        let http = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let thread = {
            let (server, seen, addr) = (Arc::clone(&server), Arc::clone(&seen), addr.clone());
            let in_flight = Arc::clone(&in_flight);
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    in_flight.fetch_add(1, Ordering::SeqCst);
                    let ctx = Ctx {
                        options: &options,
                        addr: &addr,
                        upstream: &upstream,
                        http: &http,
                        failures: &failures,
                    };
                    let record = handle(request, &ctx);
                    seen.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push(record);
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                }
            })
        };
        Proxy {
            addr,
            seen,
            in_flight,
            server,
            thread: Some(thread),
        }
    }

    /// What the proxy saw so far.
    pub fn seen(&self) -> Vec<Seen> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while self.in_flight.load(Ordering::SeqCst) > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Ctx<'a> {
    options: &'a ProxyOptions,
    addr: &'a str,
    upstream: &'a str,
    http: &'a reqwest::blocking::Client,
    failures: &'a AtomicUsize,
}

type Reply = tiny_http::Response<std::io::Cursor<Vec<u8>>>;

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|()| panic!("header {name}"))
}

fn handle(mut request: tiny_http::Request, ctx: &Ctx<'_>) -> Seen {
    let method = request.method().to_string();
    let url = request.url().to_owned();
    let get = |name: &str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str().to_owned())
    };
    let authorization = get("Authorization");
    let (content_type, accept) = (get("Content-Type"), get("Accept"));
    let mut body = Vec::new();
    let _ = request.as_reader().read_to_end(&mut body);
    let reply = respond(
        ctx,
        &method,
        &url,
        authorization.as_deref(),
        content_type,
        accept,
        body,
    );
    let status = reply.status_code().0;
    let _ = request.respond(reply);
    Seen {
        method,
        url,
        authorization,
        status,
    }
}

fn respond(
    ctx: &Ctx<'_>,
    method: &str,
    url: &str,
    authorization: Option<&str>,
    content_type: Option<String>,
    accept: Option<String>,
    body: Vec<u8>,
) -> Reply {
    if ctx.failures.fetch_add(1, Ordering::SeqCst) < ctx.options.fail_first {
        return tiny_http::Response::from_data(b"busy".to_vec()).with_status_code(503);
    }
    if let Some(token) = &ctx.options.bearer_token {
        if url.starts_with("/token") {
            use base64::Engine as _;
            let expected = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
            );
            if authorization != Some(expected.as_str()) || !url.contains("service=modelci-test") {
                return tiny_http::Response::from_data(
                    br#"{"details":"bad credentials"}"#.to_vec(),
                )
                .with_status_code(401);
            }
            let json = serde_json::json!({ "token": token, "expires_in": 300 }).to_string();
            return tiny_http::Response::from_data(json.into_bytes())
                .with_header(header("Content-Type", "application/json"));
        }
        if authorization != Some(format!("Bearer {token}").as_str()) {
            let challenge = format!(
                r#"Bearer realm="http://{}/token",service="modelci-test",scope="repository:any:pull,push""#,
                ctx.addr
            );
            return tiny_http::Response::from_data(
                br#"{"errors":[{"code":"UNAUTHORIZED"}]}"#.to_vec(),
            )
            .with_status_code(401)
            .with_header(header("WWW-Authenticate", &challenge));
        }
    }
    if method == "PUT"
        && url.contains("/manifests/")
        && content_type.is_some()
        && content_type == ctx.options.refuse_media_type
    {
        let detail = format!(
            "unsupported manifest media type {}",
            content_type.unwrap_or_default()
        );
        let json = serde_json::json!({"errors": [{
            "code": "MANIFEST_INVALID", "message": "manifest invalid", "detail": detail
        }]});
        return tiny_http::Response::from_data(json.to_string().into_bytes()).with_status_code(400);
    }
    let method_value =
        reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut forward = ctx
        .http
        .request(method_value, format!("{}{url}", ctx.upstream));
    if let Some(ct) = content_type {
        forward = forward.header("Content-Type", ct);
    }
    if let Some(accept) = accept {
        forward = forward.header("Accept", accept);
    }
    if !body.is_empty() || method == "PUT" || method == "POST" {
        forward = forward.body(body);
    }
    let upstream = match forward.send() {
        Ok(resp) => resp,
        Err(e) => {
            return tiny_http::Response::from_data(e.to_string().into_bytes())
                .with_status_code(502);
        }
    };
    let status = upstream.status().as_u16();
    let mut headers = Vec::new();
    for name in [
        "Location",
        "Docker-Content-Digest",
        "Content-Type",
        "Range",
        "Docker-Upload-UUID",
    ] {
        if let Some(v) = upstream.headers().get(name).and_then(|v| v.to_str().ok()) {
            let mut value = v.to_owned();
            if name == "Docker-Content-Digest"
                && ctx.options.wrong_manifest_digest
                && url.contains("/manifests/")
            {
                value = format!("sha256:{}", "0".repeat(64));
            }
            headers.push(header(name, &value));
        }
    }
    let mut data = upstream.bytes().map(|b| b.to_vec()).unwrap_or_default();
    if ctx.options.tamper_blobs
        && method == "GET"
        && url.contains("/blobs/sha256:")
        && !data.is_empty()
    {
        data[0] ^= 0xff;
    }
    let mut reply = tiny_http::Response::from_data(data).with_status_code(status);
    for h in headers {
        reply.add_header(h);
    }
    reply
}

/// `sha256:<hex>` of a file, computed here independently of the crate under test.
pub fn sha256_file(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    sha256_bytes(&bytes)
}

/// `sha256:<hex>` of bytes, computed here independently of the crate under test.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// The workspace's digits example candidate model.
pub fn example_model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/digits/candidate.onnx")
}

/// A bundle-like artifact: the example model and a `manifest.json` written into `dir`.
pub fn sample_request(dir: &Path) -> PushRequest {
    let manifest = dir.join("manifest.json");
    std::fs::write(&manifest, br#"{"name":"digits","version":"1.2.0"}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut annotations = BTreeMap::new();
    annotations.insert(VERSION_ANNOTATION.to_owned(), "1.2.0".to_owned());
    annotations.insert(
        "org.opencontainers.image.created".to_owned(),
        "2026-11-27T00:00:00Z".to_owned(),
    );
    PushRequest {
        artifact_type: BUNDLE_ARTIFACT_TYPE.to_owned(),
        files: vec![
            ArtifactFile::new(example_model(), "application/vnd.onnx"),
            ArtifactFile::new(manifest, "application/json"),
        ],
        annotations,
        config: None,
    }
}

/// Pushes files under arbitrary titles with plain HTTP calls (bypassing the crate's own checks),
/// as a hostile or careless publisher could.
pub fn raw_push(registry: &str, repository: &str, tag: &str, layers: &[(&str, &[u8])]) {
    let http = reqwest::blocking::Client::new();
    let base = format!("http://{registry}/v2/{repository}");
    let upload = |bytes: &[u8]| -> String {
        let digest = sha256_bytes(bytes);
        let resp = http
            .post(format!("{base}/blobs/uploads/"))
            .send()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resp.status().as_u16(), 202);
        let location = resp
            .headers()
            .get("Location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let sep = if location.contains('?') { '&' } else { '?' };
        let url = format!("http://{registry}{location}{sep}digest={digest}");
        let resp = http
            .put(url)
            .body(bytes.to_vec())
            .send()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resp.status().as_u16(), 201, "blob upload");
        digest
    };
    let config = upload(b"{}");
    let layers: Vec<serde_json::Value> = layers
        .iter()
        .map(|(title, bytes)| {
            serde_json::json!({
                "mediaType": "application/octet-stream",
                "digest": upload(bytes),
                "size": bytes.len(),
                "annotations": { "org.opencontainers.image.title": title },
            })
        })
        .collect();
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.modelci.test",
        "config": { "mediaType": "application/vnd.oci.empty.v1+json", "digest": config, "size": 2 },
        "layers": layers,
    });
    let resp = http
        .put(format!("{base}/manifests/{tag}"))
        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        .body(manifest.to_string())
        .send()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status().as_u16(), 201, "manifest put");
}

/// Names of the entries of `dir` (sorted).
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
