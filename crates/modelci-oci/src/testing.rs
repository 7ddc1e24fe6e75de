//! Test support (feature `testing`): a real CNCF distribution registry (Debian's
//! `docker-registry`) on a free loopback port with a throwaway config and storage, stopped on drop.
//!
//! For the tests of this crate and of its users (`publish`, baseline pulls). Following the
//! project's rule for external programs, [`TestRegistry::start`] returns `None` (after a note on
//! stderr) when `docker-registry` is missing, and panics instead when `MODELCI_REQUIRE_EXTERNAL=1`
//! (CI). `scripts/ci/oci-registry.sh` installs it.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// User name accepted by [`TestRegistry::start_with_basic_auth`].
pub const TEST_USER: &str = "modelci";
/// Password of [`TEST_USER`] (test data; it guards nothing).
pub const TEST_PASSWORD: &str = "correct-horse-battery";
/// bcrypt htpasswd line for [`TEST_USER`]:[`TEST_PASSWORD`] (`htpasswd -Bbn`).
const HTPASSWD: &str = include_str!("../tests/fixtures/htpasswd");

/// Whether `program` runs (`program --version`). When it does not: panics under
/// `MODELCI_REQUIRE_EXTERNAL=1`, otherwise notes the skip on stderr and returns `false`.
pub fn external_program(program: &str) -> bool {
    let found = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        let msg = format!(
            "`{program}` is not installed: run `bash scripts/ci/oci-registry.sh` (Debian packages docker-registry and skopeo)"
        );
        if std::env::var("MODELCI_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
            panic!("{msg} (MODELCI_REQUIRE_EXTERNAL=1)");
        }
        eprintln!("skipping: {msg}");
    }
    found
}

/// A running `docker-registry serve` on `127.0.0.1:PORT`; killed when dropped.
#[derive(Debug)]
pub struct TestRegistry {
    addr: String,
    child: Child,
    dir: tempfile::TempDir,
}

impl TestRegistry {
    /// An open registry (no auth), or `None` when `docker-registry` is missing and that is allowed.
    /// Upload `Location`s are absolute URLs, the registry's default.
    pub fn start() -> Option<TestRegistry> {
        TestRegistry::start_inner(false, false)
    }

    /// An open registry whose upload `Location`s are relative (`http.relativeurls`), so that
    /// uploads keep going through a proxy put in front of it.
    pub fn start_with_relative_urls() -> Option<TestRegistry> {
        TestRegistry::start_inner(false, true)
    }

    /// A registry that demands Basic auth ([`TEST_USER`], [`TEST_PASSWORD`]).
    pub fn start_with_basic_auth() -> Option<TestRegistry> {
        TestRegistry::start_inner(true, false)
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The registry's storage folder (to inspect or corrupt blobs in tests).
    pub fn storage(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    fn start_inner(basic_auth: bool, relative_urls: bool) -> Option<TestRegistry> {
        if !external_program("docker-registry") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary folder: {e}"));
        let auth = if basic_auth {
            let file = dir.path().join("htpasswd");
            write(&file, HTPASSWD);
            format!(
                "auth:\n  htpasswd:\n    realm: modelci-test\n    path: {}\n",
                file.display()
            )
        } else {
            String::new()
        };
        // A port can be taken between asking and binding: try a few.
        for _ in 0..5 {
            let addr = format!("127.0.0.1:{}", free_port());
            let config = format!(
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n  relativeurls: {relative_urls}\n{auth}",
                dir.path().join("data").display()
            );
            let config_path = dir.path().join("config.yml");
            write(&config_path, &config);
            let log = std::fs::File::create(dir.path().join("registry.log"))
                .unwrap_or_else(|e| panic!("registry log: {e}"));
            let mut child = Command::new("docker-registry")
                .arg("serve")
                .arg(&config_path)
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("starting docker-registry: {e}"));
            if wait_listening(&mut child, &addr) {
                return Some(TestRegistry { addr, child, dir });
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let log = std::fs::read_to_string(dir.path().join("registry.log")).unwrap_or_default();
        panic!("docker-registry did not start; its log:\n{log}");
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listened on when asked.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free loopback port: {e}"))
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Waits up to 20 s for `addr` to accept connections; `false` if the process exits first.
fn wait_listening(child: &mut Child, addr: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if TcpStream::connect(addr).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}
