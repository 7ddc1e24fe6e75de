//! A real Seldon MLServer for tests: settings in a temporary folder, free ports, started in its
//! own process group and stopped (the whole group) on drop.
//!
//! The executable comes from `MODELCI_MLSERVER` (installed by `scripts/ci/mlserver.sh`). When
//! it is missing a test skips with an explanation, or fails when `MODELCI_REQUIRE_EXTERNAL=1`.
//! Readiness is asked over plain HTTP/1.0 on a socket, so this crate needs no HTTP client.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::external_required;

/// How long the server may take to load its models.
const READY_TIMEOUT: Duration = Duration::from_secs(90);

/// The `mlserver` executable, or `None` (after saying why `test` skips) when it is not
/// installed and `MODELCI_REQUIRE_EXTERNAL` is not set.
///
/// # Panics
/// When it is missing and `MODELCI_REQUIRE_EXTERNAL=1`.
pub fn executable(test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("MODELCI_MLSERVER")
        .map(PathBuf::from)
        .filter(|p| p.is_file());
    if found.is_none() {
        let why = "MODELCI_MLSERVER is not set to the mlserver executable; run `scripts/ci/mlserver.sh` and export MODELCI_MLSERVER=\"$(scripts/ci/mlserver.sh | tail -n 1)\"";
        assert!(!external_required(), "MODELCI_REQUIRE_EXTERNAL=1: {why}");
        eprintln!("skipping {test}: {why}");
    }
    found
}

/// The Python interpreter of the venv `mlserver` is installed in (it has scikit-learn).
pub fn python(executable: &Path) -> PathBuf {
    executable.with_file_name("python")
}

/// `model-settings.json` for a scikit-learn model (a joblib file) served by MLServer's
/// scikit-learn runtime.
pub fn sklearn_model(name: &str, joblib: &Path) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": { "uri": joblib, "version": "1.0.0" },
    })
}

/// A running MLServer.
pub struct MlServer {
    child: Child,
    /// The model repository (settings and the server's log).
    root: PathBuf,
    /// The temporary folder `root` is, when this harness made it.
    _temp: Option<tempfile::TempDir>,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    port: u16,
}

/// A free local port.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

impl MlServer {
    /// Serves each model (its `model-settings.json`, which holds its `name`) and waits until
    /// every one is ready. `env` is added to the server's environment.
    ///
    /// # Panics
    /// When the server cannot start or its models are not ready in time (with its log).
    pub fn start(exe: &Path, models: &[serde_json::Value], env: &[(&str, &str)]) -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        let mut names = Vec::new();
        for model in models {
            let name = model["name"].as_str().expect("model settings have a name");
            let folder = temp.path().join(name);
            std::fs::create_dir(&folder).expect("model folder");
            std::fs::write(folder.join("model-settings.json"), model.to_string())
                .expect("model settings");
            names.push(name);
        }
        Self::launch(exe, temp.path().to_owned(), Some(temp), &names, env)
    }

    /// Serves the model repository `root` (one folder per model, each with its
    /// `model-settings.json`, e.g. a rendered serving layout) and waits until the models
    /// `names` are ready. The server's settings and log are written into `root`.
    ///
    /// # Panics
    /// As [`MlServer::start`].
    pub fn serve(exe: &Path, root: &Path, names: &[&str], env: &[(&str, &str)]) -> Self {
        Self::launch(exe, root.to_owned(), None, names, env)
    }

    fn launch(
        exe: &Path,
        root: PathBuf,
        temp: Option<tempfile::TempDir>,
        names: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let (http, grpc) = (free_port(), free_port());
        let settings = serde_json::json!({
            "debug": false,
            "host": "127.0.0.1",
            "http_port": http,
            "grpc_port": grpc,
            // uvloop >= 0.22 crashes the worker processes; serve in the main process.
            "parallel_workers": 0,
            "metrics_endpoint": null,
        });
        std::fs::write(root.join("settings.json"), settings.to_string()).expect("settings");
        let log = std::fs::File::create(root.join("mlserver.log")).expect("log file");
        let child = Command::new(exe)
            .arg("start")
            .arg(&root)
            .current_dir(&root)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("mlserver starts");
        let mut server = Self {
            child,
            root,
            _temp: temp,
            url: format!("http://127.0.0.1:{http}"),
            port: http,
        };
        server.wait_ready(names);
        server
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.root.join("mlserver.log")).unwrap_or_default()
    }

    /// Whether `GET path` answers 200.
    fn ok(&self, path: &str) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
        if stream.write_all(request.as_bytes()).is_err() {
            return false;
        }
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        answer.starts_with(b"HTTP/1.0 200") || answer.starts_with(b"HTTP/1.1 200")
    }

    fn wait_ready(&mut self, names: &[&str]) {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "mlserver exited ({status}) before its models were ready:\n{}",
                    self.log()
                );
            }
            if names
                .iter()
                .all(|name| self.ok(&format!("/v2/models/{name}/ready")))
            {
                return;
            }
            assert!(
                started.elapsed() < READY_TIMEOUT,
                "mlserver: models not ready after {}s:\n{}",
                READY_TIMEOUT.as_secs(),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

impl Drop for MlServer {
    fn drop(&mut self) {
        // The server is the leader of its own process group: stop the group (workers too).
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}
