//! A real Seldon MLServer for the smoke-check tests: settings in a temporary folder, free ports,
//! started in its own process group and stopped (the whole group) on drop.
//!
//! The executable comes from `MODELCI_MLSERVER` (installed by `scripts/ci/mlserver.sh`). When
//! it is missing the tests skip with an explanation, or fail when `MODELCI_REQUIRE_EXTERNAL=1`.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::external_required;

/// How long the server may take to load its models.
const READY_TIMEOUT: Duration = Duration::from_secs(90);

/// The `mlserver` executable, or `None` (after saying why) when the test should skip.
pub fn executable() -> Option<PathBuf> {
    let found = std::env::var_os("MODELCI_MLSERVER")
        .map(PathBuf::from)
        .filter(|p| p.is_file());
    if found.is_none() {
        let why = "MODELCI_MLSERVER is not set to the mlserver executable; run `scripts/ci/mlserver.sh` and export MODELCI_MLSERVER=\"$(scripts/ci/mlserver.sh | tail -n 1)\"";
        assert!(!external_required(), "MODELCI_REQUIRE_EXTERNAL=1: {why}");
        eprintln!("skipping the MLServer smoke-check test: {why}");
    }
    found
}

/// A running MLServer.
pub struct MlServer {
    child: Child,
    dir: tempfile::TempDir,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

impl MlServer {
    /// Serves each (name, joblib file) with MLServer's scikit-learn runtime and waits until every
    /// model is ready.
    pub fn start(exe: &Path, models: &[(&str, PathBuf)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
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
        std::fs::write(dir.path().join("settings.json"), settings.to_string()).expect("settings");
        for (name, uri) in models {
            let folder = dir.path().join(name);
            std::fs::create_dir(&folder).expect("model folder");
            let model = serde_json::json!({
                "name": name,
                "implementation": "mlserver_sklearn.SKLearnModel",
                "parameters": { "uri": uri, "version": "1.0.0" },
            });
            std::fs::write(folder.join("model-settings.json"), model.to_string())
                .expect("model settings");
        }
        let log = std::fs::File::create(dir.path().join("mlserver.log")).expect("log file");
        let child = Command::new(exe)
            .arg("start")
            .arg(dir.path())
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("mlserver starts");
        let mut server = Self {
            child,
            dir,
            url: format!("http://127.0.0.1:{http}"),
        };
        server.wait_ready(models);
        server
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("mlserver.log")).unwrap_or_default()
    }

    fn wait_ready(&mut self, models: &[(&str, PathBuf)]) {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client");
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "mlserver exited ({status}) before its models were ready:\n{}",
                    self.log()
                );
            }
            let ready = models.iter().all(|(name, _)| {
                client
                    .get(format!("{}/v2/models/{name}/ready", self.url))
                    .send()
                    .is_ok_and(|r| r.status().is_success())
            });
            if ready {
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
