//! A local webhook receiver: records every JSON body it is sent, and can be told to fail (the
//! Slack and JSON webhooks of `deploy-notify` and `drift-check`).

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

/// One request received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The request's path and query.
    pub path: String,
    /// Its `content-type` header.
    pub content_type: String,
    /// Its body: JSON, or the text when it is not JSON.
    pub body: serde_json::Value,
}

/// A running receiver on a loopback port.
pub struct Receiver {
    server: Arc<tiny_http::Server>,
    received: Arc<Mutex<Vec<Received>>>,
    status: Arc<Mutex<u16>>,
    thread: Option<JoinHandle<()>>,
    port: u16,
}

impl Receiver {
    /// Starts a receiver answering 200.
    pub fn start() -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("receiver binds"));
        let port = server.server_addr().to_ip().expect("ip socket").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(Mutex::new(200u16));
        let thread = {
            let (server, received, status) = (
                Arc::clone(&server),
                Arc::clone(&received),
                Arc::clone(&status),
            );
            std::thread::spawn(move || {
                for mut rq in server.incoming_requests() {
                    let mut text = String::new();
                    let _ = rq.as_reader().read_to_string(&mut text);
                    let content_type = rq
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("content-type"))
                        .map(|h| h.value.as_str().to_owned())
                        .unwrap_or_default();
                    let body =
                        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
                    received
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(Received {
                            path: rq.url().to_owned(),
                            content_type,
                            body,
                        });
                    let code = *status.lock().unwrap_or_else(PoisonError::into_inner);
                    let _ =
                        rq.respond(tiny_http::Response::from_string("ok").with_status_code(code));
                }
            })
        };
        Self {
            server,
            received,
            status,
            thread: Some(thread),
            port,
        }
    }

    /// The URL of `path` on this receiver.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Answers `code` from now on.
    pub fn answer(&self, code: u16) {
        *self.status.lock().unwrap_or_else(PoisonError::into_inner) = code;
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A loopback URL where nothing listens (connection refused).
pub fn dead_url(path: &str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}{path}")
}
