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
    let event = repo().join("crates/modelci-ci/tests/fixtures/github/pull_request.opened.json");
    let run = |min: &str| {
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
            .env("GITHUB_STEP_SUMMARY", work.path().join("summary.md"))
            .args(["--quiet", "--output-dir"])
            .arg(work.path().join("report"))
            .arg("--model")
            .arg(digits("candidate.onnx"))
            .arg("--metrics")
            .arg(digits("history.csv"))
            .args(["--min", min])
            .output()
            .expect("train-check runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
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
