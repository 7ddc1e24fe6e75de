//! In CI the report reaches the pull request as one sticky comment, through `modelci-post`,
//! against the fake GitHub of `modelci-test` (every request checked against GitHub's OpenAPI
//! description). The token is Actions' `GITHUB_TOKEN`, an installation token, as the README's
//! workflow gives it (issue 12).

use std::path::Path;
use std::process::Command;

use modelci_test::{ACTIONS_LOGIN, ACTIONS_TOKEN, FakeServer};

use crate::harness::{Outcome, digits, repo};

const GITHUB_REPO: &str = "Codertocat/Hello-World";
const PR: u64 = 2;

fn run_in_ci(work: &Path, api_url: String, run: usize) -> Outcome {
    run_in_ci_with(work, api_url, run, &[])
}

fn run_in_ci_with(work: &Path, api_url: String, run: usize, extra: &[&str]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_quantize"));
    cmd.env_clear();
    for key in ["PATH", "HOME", "SSL_CERT_FILE"] {
        if let Ok(v) = std::env::var(key) {
            cmd.env(key, v);
        }
    }
    let event = repo().join("crates/modelci-ci/tests/fixtures/github/pull_request.opened.json");
    for (k, v) in [
        ("GITHUB_ACTIONS", "true".to_owned()),
        ("GITHUB_EVENT_NAME", "pull_request".into()),
        ("GITHUB_EVENT_PATH", event.display().to_string()),
        ("GITHUB_REPOSITORY", GITHUB_REPO.into()),
        ("GITHUB_API_URL", api_url),
        ("GITHUB_SERVER_URL", "https://github.com".into()),
        ("GITHUB_RUN_ID", "4242".into()),
        (
            "GITHUB_SHA",
            "ec26c3e57ca3a959ca5aad62de7213c562f8c821".into(),
        ),
        ("GITHUB_TOKEN", ACTIONS_TOKEN.into()),
        (
            "GITHUB_STEP_SUMMARY",
            work.join("summary.md").display().to_string(),
        ),
        (
            "GITHUB_OUTPUT",
            work.join("output.txt").display().to_string(),
        ),
    ] {
        cmd.env(k, v);
    }
    cmd.arg("--quiet")
        .arg("--output-dir")
        .arg(work.join(format!("report-{run}")))
        .arg("--input")
        .arg(digits("candidate.onnx"))
        .arg("--output")
        .arg(work.join("cnn.int8.onnx"))
        .arg("--dataset")
        .arg(digits("test.npz"))
        .arg("--max-accuracy-drop")
        .arg("0.5")
        .args(extra);
    let output = cmd.output().expect("quantize runs");
    Outcome {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn two_runs_on_a_pull_request_leave_one_sticky_comment() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    for run in 0..2 {
        let r = run_in_ci(work.path(), server.github_url(), run);
        assert_eq!(r.code, 0, "run {run}: {}\n{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("comment: "), "{}", r.stdout);
        for file in ["report.md", "report.json"] {
            let text = std::fs::read_to_string(work.path().join(format!("report-{run}/{file}")))
                .expect("report written");
            assert!(
                !text.contains(ACTIONS_TOKEN),
                "the token leaked into {file}"
            );
        }
    }
    let ours = server.comments_by(GITHUB_REPO, PR, ACTIONS_LOGIN);
    assert_eq!(ours.len(), 1, "exactly one sticky comment");
    let body = &ours[0].body;
    assert!(body.contains("<!-- modelci:quantize:default -->"), "{body}");
    assert!(
        body.contains("quantize: dynamic: 3 node(s) rewritten"),
        "{body}"
    );
    assert!(body.contains("accuracy drop"), "{body}");
    assert!(
        !body.contains("](size.png)"),
        "no broken relative image links: {body}"
    );
    let outputs = std::fs::read_to_string(work.path().join("output.txt")).expect("step outputs");
    assert!(outputs.contains("comment-url="), "{outputs}");
    server.assert_no_violations();
}

#[test]
fn image_branch_commits_the_charts_and_the_comment_shows_them() {
    let server = FakeServer::start();
    server.add_branch(GITHUB_REPO, "modelci-charts");
    let work = tempfile::tempdir().expect("temp dir");
    let r = run_in_ci_with(
        work.path(),
        server.github_url(),
        0,
        &["--image-branch", "modelci-charts"],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    let files = server.files();
    assert!(!files.is_empty(), "the charts are committed");
    for file in &files {
        assert_eq!(file.branch, "modelci-charts");
        assert!(
            file.path
                .starts_with(&format!("modelci/quantize/default/{PR}/"))
                && file.path.ends_with(".png"),
            "{}",
            file.path
        );
        let name = file.path.rsplit('/').next().expect("file name");
        assert_eq!(
            file.bytes,
            std::fs::read(work.path().join("report-0").join(name)).expect("the report's PNG"),
            "the branch holds the report's {name}"
        );
    }
    let body = &server.comments_by(GITHUB_REPO, PR, ACTIONS_LOGIN)[0].body;
    assert!(
        body.contains("![") && body.contains("/raw/modelci-charts/modelci/quantize/"),
        "{body}"
    );
    server.assert_no_violations();
}
