//! Running the built binary with a clean environment, and paths to the repository's data.

use std::process::Command;

pub use modelci_test::harness::{digits, repo};

/// The GitHub repository the fake serves.
pub const GITHUB_REPO: &str = "Codertocat/Hello-World";
/// The deployed commit.
pub const SHA: &str = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs deploy-notify with only `vars` (plus PATH/HOME) in its environment.
pub fn deploy_notify(vars: &[(&str, String)], args: &[&str]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deploy-notify"));
    cmd.env_clear();
    for key in ["PATH", "HOME", "SSL_CERT_FILE"] {
        if let Ok(v) = std::env::var(key) {
            cmd.env(key, v);
        }
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.args(args);
    let output = cmd.output().expect("deploy-notify runs");
    Outcome {
        code: output
            .status
            .code()
            .expect("exited, not killed by a signal"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A GitHub Actions job run for a pushed tag, talking to the fake at `api_url`.
pub fn github_env(api_url: String) -> Vec<(&'static str, String)> {
    vec![
        ("GITHUB_ACTIONS", "true".into()),
        ("GITHUB_EVENT_NAME", "push".into()),
        ("GITHUB_REF", "refs/tags/v1.2.0".into()),
        ("GITHUB_REPOSITORY", GITHUB_REPO.into()),
        ("GITHUB_API_URL", api_url),
        ("GITHUB_SERVER_URL", "https://github.com".into()),
        ("GITHUB_RUN_ID", "4242".into()),
        ("GITHUB_SHA", SHA.into()),
        ("GITHUB_TOKEN", modelci_test::BOT_TOKEN.into()),
    ]
}

/// A GitLab CI job for a pushed tag, talking to the fake at `api_url`.
pub fn gitlab_env(api_url: String) -> Vec<(&'static str, String)> {
    let web = api_url.trim_end_matches("/api/v4").to_owned();
    vec![
        ("GITLAB_CI", "true".into()),
        ("CI_SERVER_URL", web.clone()),
        ("CI_API_V4_URL", api_url),
        ("CI_PROJECT_ID", modelci_test::GITLAB_PROJECT_ID.to_string()),
        ("CI_PROJECT_PATH", modelci_test::GITLAB_PROJECT.into()),
        ("CI_COMMIT_SHA", SHA.into()),
        ("CI_COMMIT_TAG", "v1.2.0".into()),
        ("CI_JOB_URL", format!("{web}/modelci/demo/-/jobs/8001")),
        ("GITLAB_TOKEN", modelci_test::BOT_TOKEN.into()),
    ]
}
