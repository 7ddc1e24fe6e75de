//! In CI: the report reaches the pull/merge request as one sticky comment, plus the job summary
//! and CI report files, against the fake code host of `modelci-test` (which validates every
//! request against GitHub's OpenAPI description and GitLab's documented parameters).

use std::path::{Path, PathBuf};
use std::process::Command;

use modelci_test::{BOT_LOGIN, BOT_TOKEN, FakeServer, GITLAB_PROJECT, JOB_TOKEN};

use crate::harness::{Outcome, digits, repo};

pub(crate) const GITHUB_REPO: &str = "Codertocat/Hello-World";
pub(crate) const PR: u64 = 2;

/// A clean environment (nothing inherited from the machine's CI) plus `vars`.
pub(crate) fn run_in_ci(out: &Path, vars: &[(&str, String)], extra: &[&str]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eval-diff"));
    cmd.env_clear();
    for key in ["PATH", "HOME", "SSL_CERT_FILE"] {
        if let Ok(v) = std::env::var(key) {
            cmd.env(key, v);
        }
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.arg("--output-dir").arg(out).arg("--quiet");
    cmd.arg("--baseline").arg(digits("baseline.onnx"));
    cmd.arg("--candidate").arg(digits("candidate.onnx"));
    cmd.arg("--dataset").arg(digits("test.npz"));
    cmd.args(extra);
    let output = cmd.output().expect("eval-diff runs");
    Outcome {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn event_payload() -> PathBuf {
    repo().join("crates/modelci-ci/tests/fixtures/github/pull_request.opened.json")
}

pub(crate) fn github_env(work: &Path, api_url: String) -> Vec<(&'static str, String)> {
    vec![
        ("GITHUB_ACTIONS", "true".into()),
        ("GITHUB_EVENT_NAME", "pull_request".into()),
        ("GITHUB_EVENT_PATH", event_payload().display().to_string()),
        ("GITHUB_REPOSITORY", GITHUB_REPO.into()),
        ("GITHUB_API_URL", api_url),
        ("GITHUB_SERVER_URL", "https://github.com".into()),
        ("GITHUB_RUN_ID", "4242".into()),
        (
            "GITHUB_SHA",
            "ec26c3e57ca3a959ca5aad62de7213c562f8c821".into(),
        ),
        ("GITHUB_TOKEN", BOT_TOKEN.into()),
        (
            "GITHUB_STEP_SUMMARY",
            work.join("summary.md").display().to_string(),
        ),
        (
            "GITHUB_OUTPUT",
            work.join("output.txt").display().to_string(),
        ),
    ]
    .into_iter()
    .collect()
}

#[test]
fn three_runs_on_one_pull_request_leave_one_updated_comment() {
    let server = FakeServer::start();
    server.seed_comments(GITHUB_REPO, PR, "octo-reviewer", 3, "looks good");
    let work = tempfile::tempdir().expect("temp dir");
    let env = github_env(work.path(), server.github_url());
    for run in 0..3 {
        let out = work.path().join(format!("report-{run}"));
        let r = run_in_ci(&out, &env, &["--tolerance", "accuracy=0.5pt"]);
        assert_eq!(r.code, 0, "run {run}: {}", r.stderr);
        assert!(
            r.stdout.contains("comment: "),
            "run {run} prints the comment URL: {}",
            r.stdout
        );
        assert!(
            r.stdout.contains("::add-mask::bot-token"),
            "the token is masked before use"
        );
    }
    let ours = server.comments_by(GITHUB_REPO, PR, BOT_LOGIN);
    assert_eq!(ours.len(), 1, "exactly one sticky comment");
    let body = &ours[0].body;
    assert!(
        body.contains("<!-- modelci:eval-diff:default -->"),
        "{body}"
    );
    assert!(body.contains("## ✅ eval-diff passed"), "{body}");
    assert!(
        body.contains("xychart-beta"),
        "the chart is inline as Mermaid: {body}"
    );
    assert!(
        !body.contains("](metrics.png)"),
        "no broken relative image links: {body}"
    );
    assert!(
        body.contains("https://github.com/Codertocat/Hello-World/actions/runs/4242"),
        "charts are linked from the run: {body}"
    );
    assert_eq!(
        server.comments(GITHUB_REPO, PR).len(),
        4,
        "other people's comments are untouched"
    );
    let summary = std::fs::read_to_string(work.path().join("summary.md")).expect("job summary");
    assert_eq!(
        summary.matches("eval-diff passed").count(),
        3,
        "one summary per run"
    );
    let outputs = std::fs::read_to_string(work.path().join("output.txt")).expect("step outputs");
    assert!(outputs.contains("verdict=passed"), "{outputs}");
    assert!(outputs.contains("comment-url="), "{outputs}");
    let junit = std::fs::read_to_string(work.path().join("report-2/junit.xml")).expect("junit.xml");
    assert!(junit.contains("--tolerance accuracy=0.5pt"), "{junit}");
    server.assert_no_violations();
}

#[test]
fn matrix_keys_keep_separate_comments_and_failed_gates_are_annotated() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let env = github_env(work.path(), server.github_enterprise_url());
    let a = run_in_ci(&work.path().join("a"), &env, &["--comment-key", "cpu"]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    let b = run_in_ci(
        &work.path().join("b"),
        &env,
        &["--comment-key", "gpu", "--max", "size=10KB"],
    );
    assert_eq!(b.code, 1, "the size gate fails: {}", b.stderr);
    assert!(
        b.stdout
            .contains("::error title=Gate failed%3A --max size=10KB::"),
        "failed gate annotated: {}",
        b.stdout
    );
    let ours = server.comments_by(GITHUB_REPO, PR, BOT_LOGIN);
    assert_eq!(ours.len(), 2, "one comment per key");
    assert!(ours.iter().any(
        |c| c.body.contains("modelci:eval-diff:gpu") && c.body.contains("❌ eval-diff failed")
    ));
    server.assert_no_violations();
}

#[test]
fn fork_pull_request_warns_and_still_writes_the_summary() {
    let server = FakeServer::start();
    server.forbid_writes(GITHUB_REPO);
    let work = tempfile::tempdir().expect("temp dir");
    let env = github_env(work.path(), server.github_url());
    let r = run_in_ci(&work.path().join("r"), &env, &[]);
    assert_eq!(r.code, 0, "a refused comment is a warning: {}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: the code host refused the comment"),
        "{}",
        r.stderr
    );
    assert!(
        std::fs::read_to_string(work.path().join("summary.md"))
            .expect("summary")
            .contains("eval-diff")
    );
    let strict = run_in_ci(&work.path().join("s"), &env, &["--strict"]);
    assert_eq!(
        strict.code, 3,
        "--strict turns it into a code-host failure: {}",
        strict.stderr
    );
    assert!(server.comments_by(GITHUB_REPO, PR, BOT_LOGIN).is_empty());
    assert!(
        !r.stdout.contains("bot-token\n") || r.stdout.contains("::add-mask::bot-token"),
        "token only in the mask command"
    );
    assert!(!r.stderr.contains(BOT_TOKEN), "token never in logs");
}

pub(crate) fn gitlab_env(
    server: &FakeServer,
    token: (&'static str, &str),
) -> Vec<(&'static str, String)> {
    vec![
        ("GITLAB_CI", "true".into()),
        ("CI_API_V4_URL", server.gitlab_url()),
        (
            "CI_SERVER_URL",
            server.gitlab_url().trim_end_matches("/api/v4").to_owned(),
        ),
        ("CI_PROJECT_ID", "42".into()),
        ("CI_PROJECT_PATH", GITLAB_PROJECT.into()),
        ("CI_MERGE_REQUEST_IID", "7".into()),
        ("CI_MERGE_REQUEST_PROJECT_ID", "42".into()),
        ("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "42".into()),
        ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main".into()),
        (
            "CI_COMMIT_SHA",
            "ec26c3e57ca3a959ca5aad62de7213c562f8c821".into(),
        ),
        (
            "CI_JOB_URL",
            "https://gitlab.example.com/modelci/demo/-/jobs/99".into(),
        ),
        (token.0, token.1.to_owned()),
    ]
}

#[test]
fn gitlab_merge_request_note_embeds_uploaded_charts() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let env = gitlab_env(&server, ("GITLAB_TOKEN", BOT_TOKEN));
    for _ in 0..2 {
        let r = run_in_ci(&work.path().join("r"), &env, &[]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let notes = server.comments_by(GITLAB_PROJECT, 7, BOT_LOGIN);
    assert_eq!(notes.len(), 1, "one sticky note");
    let uploads = server.uploads();
    assert!(
        uploads.iter().any(|u| u.filename == "metrics.png"),
        "charts uploaded to the project"
    );
    let last_metrics = uploads
        .iter()
        .rev()
        .find(|u| u.filename == "metrics.png")
        .expect("uploaded");
    assert!(
        notes[0].body.contains(&format!("]({})", last_metrics.url)),
        "the note shows the latest uploaded chart: {}",
        notes[0].body
    );
    assert!(
        !notes[0].body.contains("](metrics.png)"),
        "no broken relative links"
    );
    assert!(
        work.path().join("r/junit.xml").is_file() && work.path().join("r/metrics.txt").is_file()
    );
    let dotenv = std::fs::read_to_string(work.path().join("r/report.env")).expect("dotenv");
    assert!(
        dotenv.contains("MODELCI_EVAL_DIFF_VERDICT=passed"),
        "{dotenv}"
    );
    server.assert_no_violations();
}

#[test]
fn gitlab_job_token_alone_gets_a_clear_message() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let env = gitlab_env(&server, ("CI_JOB_TOKEN", JOB_TOKEN));
    let r = run_in_ci(&work.path().join("r"), &env, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("CI_JOB_TOKEN") && r.stderr.contains("GITLAB_TOKEN"),
        "{}",
        r.stderr
    );
    let strict = run_in_ci(&work.path().join("s"), &env, &["--post"]);
    assert_eq!(
        strict.code, 3,
        "--post makes it an error: {}",
        strict.stderr
    );
    assert!(server.comments(GITLAB_PROJECT, 7).is_empty());
    assert!(!r.stderr.contains(JOB_TOKEN), "token never in logs");
}

#[test]
fn post_from_a_downloaded_report_folder() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    // First half: evaluate without posting (as a pull_request job without write permission).
    let first = run_in_ci(
        &work.path().join("artifact"),
        &[],
        &["--tolerance", "accuracy=0.5pt"],
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    // Second half: a workflow_run job posts the downloaded folder.
    let env = github_env(work.path(), server.github_url());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eval-diff"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in &env {
        cmd.env(k, v);
    }
    let output = cmd
        .arg("--post-from")
        .arg(work.path().join("artifact"))
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let ours = server.comments_by(GITHUB_REPO, PR, BOT_LOGIN);
    assert_eq!(ours.len(), 1);
    assert!(
        ours[0].body.contains("eval-diff passed"),
        "{}",
        ours[0].body
    );
    server.assert_no_violations();
}

#[test]
fn image_branch_commits_the_charts_and_the_comment_shows_them() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let env = github_env(work.path(), server.github_url());
    let args = [
        "--tolerance",
        "accuracy=0.5pt",
        "--image-branch",
        "modelci-charts",
    ];
    let file = format!("modelci/eval-diff/default/{PR}/metrics.png");
    let url = format!(
        "{}/{GITHUB_REPO}/raw/modelci-charts/{file}",
        server.github_url()
    );

    // The branch does not exist yet: a warning naming the fix, and the run's artifacts instead.
    let r = run_in_ci(&work.path().join("report-0"), &env, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("git switch --orphan modelci-charts"),
        "{}",
        r.stderr
    );
    let body = &server.comments_by(GITHUB_REPO, PR, BOT_LOGIN)[0].body;
    assert!(!body.contains("!["), "{body}");
    assert!(body.contains("/actions/runs/4242"), "{body}");
    assert!(server.files().is_empty());

    server.add_branch(GITHUB_REPO, "modelci-charts");
    for run in 1..3 {
        let out = work.path().join(format!("report-{run}"));
        let r = run_in_ci(&out, &env, &args);
        assert_eq!(r.code, 0, "run {run}: {}", r.stderr);
        assert!(!r.stderr.contains("warning"), "run {run}: {}", r.stderr);
        let ours = server.comments_by(GITHUB_REPO, PR, BOT_LOGIN);
        assert_eq!(ours.len(), 1, "one sticky comment");
        assert!(
            ours[0].body.contains(&format!("]({url})")) && ours[0].body.contains("!["),
            "run {run}: the chart is shown from the branch: {}",
            ours[0].body
        );
        let files = server.files();
        assert!(
            files.iter().all(|f| f.branch == "modelci-charts"
                && f.path
                    .starts_with(&format!("modelci/eval-diff/default/{PR}/"))
                && f.path.ends_with(".png")
                && f.commits == run),
            "every chart PNG, updated by the second run: {:?}",
            files
                .iter()
                .map(|f| (&f.path, f.commits))
                .collect::<Vec<_>>()
        );
        let metrics = files
            .iter()
            .find(|f| f.path == file)
            .expect("metrics.png is on the branch");
        assert!(
            metrics.bytes == std::fs::read(out.join("metrics.png")).expect("metrics.png"),
            "the branch holds the report's PNG"
        );
    }
    server.assert_no_violations();
}
