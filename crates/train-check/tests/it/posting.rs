//! In a GitHub pull request run, the report becomes one sticky comment, the job summary and a
//! JUnit file, like eval-diff's (the fake code host validates every request). The token is
//! Actions' `GITHUB_TOKEN`, an installation token, as the README's workflow gives it (issue 12).

use std::process::Command;

use modelci_test::{ACTIONS_LOGIN, ACTIONS_TOKEN, FakeServer};

use crate::harness::{digits, repo};

#[test]
fn pull_request_run_posts_one_comment_and_a_failed_check_annotation() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let run = |min: &str| {
        let (code, stdout, _) = run_in_pr(&server, &work.path().join("report"), &["--min", min]);
        (Some(code), stdout)
    };
    let (code, _) = run("val_accuracy=0.95");
    assert_eq!(code, Some(0));
    let (code, stdout) = run("val_accuracy=0.999");
    assert_eq!(code, Some(1), "the tightened threshold fails");
    assert!(
        stdout.contains("::error title=Gate failed%3A final val_accuracy"),
        "{stdout}"
    );
    let ours = server.comments_by("Codertocat/Hello-World", 2, ACTIONS_LOGIN);
    assert_eq!(ours.len(), 1, "one sticky comment, updated");
    assert!(
        ours[0]
            .body
            .contains("<!-- modelci:train-check:default -->"),
        "{}",
        ours[0].body
    );
    assert!(
        ours[0].body.contains("failed"),
        "the comment shows the latest verdict: {}",
        ours[0].body
    );
    let summary = std::fs::read_to_string(work.path().join("summary.md")).expect("summary written");
    assert!(summary.matches("train-check").count() >= 2, "{summary}");
    assert!(work.path().join("report/junit.xml").is_file());
    server.assert_no_violations();
}

/// Runs train-check in a GitHub pull request run against `server` with `extra` flags, the
/// job summary next to `out`; returns the exit code, stdout and stderr.
fn run_in_pr(server: &FakeServer, out: &std::path::Path, extra: &[&str]) -> (i32, String, String) {
    let event = repo().join("crates/modelci-ci/tests/fixtures/github/pull_request.opened.json");
    let output = Command::new(env!("CARGO_BIN_EXE_train-check"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "Codertocat/Hello-World")
        .env("GITHUB_API_URL", server.github_url())
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_RUN_ID", "7")
        .env("GITHUB_TOKEN", ACTIONS_TOKEN)
        .env("GITHUB_STEP_SUMMARY", out.with_file_name("summary.md"))
        .args(["--quiet", "--latency-runs", "3", "--output-dir"])
        .arg(out)
        .arg("--model")
        .arg(digits("candidate.onnx"))
        .arg("--metrics")
        .arg(digits("history.csv"))
        .args(extra)
        .output()
        .expect("train-check runs");
    (
        output.status.code().expect("exited"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn comment_mode_recreate_replaces_the_comment_and_append_adds_one() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("report");
    let (code, _, stderr) = run_in_pr(&server, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let first = server.comments_by("Codertocat/Hello-World", 2, ACTIONS_LOGIN);
    assert_eq!(first.len(), 1);

    let (code, _, stderr) = run_in_pr(&server, &out, &["--comment-mode", "recreate"]);
    assert_eq!(code, 0, "{stderr}");
    let recreated = server.comments_by("Codertocat/Hello-World", 2, ACTIONS_LOGIN);
    assert_eq!(recreated.len(), 1, "still one comment");
    assert_ne!(
        recreated[0].id, first[0].id,
        "a new comment replaced the old one"
    );

    let (code, _, stderr) = run_in_pr(&server, &out, &["--comment-mode", "append"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        server
            .comments_by("Codertocat/Hello-World", 2, ACTIONS_LOGIN)
            .len(),
        2,
        "append posts a new comment next to the old one"
    );

    let (code, _, stderr) = run_in_pr(&server, &out, &["--comment-mode", "apend"]);
    assert_eq!(
        code, 2,
        "a misspelt mode is a usage error, not a silent update"
    );
    assert!(stderr.contains("--comment-mode"), "{stderr}");
    server.assert_no_violations();
}

#[test]
fn image_branch_commits_the_training_curves_and_the_comment_shows_them() {
    let server = FakeServer::start();
    server.add_branch("Codertocat/Hello-World", "modelci-charts");
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("report");
    let (code, _, stderr) = run_in_pr(&server, &out, &["--image-branch", "modelci-charts"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let files = server.files();
    assert!(!files.is_empty(), "the curves are committed");
    for file in &files {
        assert_eq!(file.branch, "modelci-charts");
        assert!(
            file.path.starts_with("modelci/train-check/default/2/") && file.path.ends_with(".png"),
            "{}",
            file.path
        );
        let name = file.path.rsplit('/').next().expect("file name");
        assert_eq!(
            file.bytes,
            std::fs::read(out.join(name)).expect("the report's PNG"),
            "the branch holds the report's {name}"
        );
    }
    let body = &server.comments_by("Codertocat/Hello-World", 2, ACTIONS_LOGIN)[0].body;
    assert!(
        body.contains("![") && body.contains("/raw/modelci-charts/modelci/train-check/"),
        "{body}"
    );
    server.assert_no_violations();
}
