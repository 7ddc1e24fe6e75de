//! Bad input exits 2 with one line naming the problem, before anything is recorded or sent.

use modelci_test::FakeServer;

use crate::harness::{deploy_notify, digits, github_env};
use crate::receiver::Receiver;

/// Runs with `args` against a fresh fake and receiver; asserts exit 2, one error line
/// containing `expect`, and that nothing was recorded or sent.
fn refused(args: &[&str], expect: &str) -> String {
    let server = FakeServer::start();
    let hooks = Receiver::start();
    let hook = hooks.url("/h");
    let mut all = args.to_vec();
    all.extend(["--webhook", hook.as_str()]);
    let r = deploy_notify(&github_env(server.github_url()), &all);
    assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
    assert!(
        r.stderr.contains(expect),
        "{args:?}: expected `{expect}` in {}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1, "one line: {}", r.stderr);
    assert!(
        server.deployments().is_empty(),
        "{args:?}: nothing recorded"
    );
    assert!(hooks.received().is_empty(), "{args:?}: nothing sent");
    r.stderr
}

#[test]
fn non_semver_versions_are_refused() {
    for bad in ["1.2", "v1.2.0", "01.2.0", "latest", "1.2.3.4"] {
        refused(
            &["--environment", "production", "--version", bad],
            &format!("deploy-notify: error: --version: `{bad}` is not a semantic version"),
        );
    }
}

#[test]
fn malformed_flags_are_refused() {
    let e = refused(
        &[
            "--environment",
            "p",
            "--version",
            "1.0.0",
            "--slack-webhook",
            "ftp://hooks.example.com/T/B/secret123",
        ],
        "--slack-webhook ftp://hooks.example.com/…: only http and https URLs are supported",
    );
    assert!(!e.contains("secret123"), "the webhook URL is a secret: {e}");
    refused(
        &[
            "--environment",
            "p",
            "--version",
            "1.0.0",
            "--min-agreement",
            "1.5",
            "--smoke-endpoint",
            "http://x",
            "--model",
            "m",
            "--dataset",
            "d",
        ],
        "--min-agreement 1.5: expected a rate between 0 and 1",
    );
    refused(
        &["--environment", " ", "--version", "1.0.0"],
        "--environment is empty",
    );
    refused(
        &[
            "--environment",
            "p",
            "--version",
            "1.0.0",
            "--model-name",
            "a/b",
        ],
        "--model-name `a/b`: use letters, digits",
    );
    // clap's own usage errors (several lines, with the usage) are exit 2 too.
    let server = FakeServer::start();
    let r = deploy_notify(
        &github_env(server.github_url()),
        &[
            "--environment",
            "p",
            "--version",
            "1.0.0",
            "--model",
            "m.onnx",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--smoke-endpoint <URL>"), "{}", r.stderr);
    assert!(server.deployments().is_empty());
}

#[test]
fn unreadable_inputs_name_the_file() {
    let work = tempfile::tempdir().expect("temp dir");
    let report = work.path().join("report.json");
    std::fs::write(&report, "{ not json").expect("write");
    refused(
        &[
            "--environment",
            "p",
            "--version",
            "1.0.0",
            "--report",
            report.to_str().expect("utf-8"),
        ],
        &format!("{}: not a JSON report", report.display()),
    );
    let missing = work.path().join("missing.onnx");
    let dataset = digits("test.npz");
    refused(
        &[
            "--environment",
            "p",
            "--version",
            "1.0.0",
            "--smoke-endpoint",
            "http://127.0.0.1:9",
            "--model",
            missing.to_str().expect("utf-8"),
            "--dataset",
            dataset.to_str().expect("utf-8"),
        ],
        &missing.display().to_string(),
    );
    let model = digits("baseline.onnx");
    let bad_dataset = work.path().join("nothing-here");
    refused(
        &[
            "--environment",
            "p",
            "--version",
            "1.0.0",
            "--smoke-endpoint",
            "http://127.0.0.1:9",
            "--model",
            model.to_str().expect("utf-8"),
            "--dataset",
            bad_dataset.to_str().expect("utf-8"),
        ],
        &bad_dataset.display().to_string(),
    );
}

#[test]
fn newlines_from_flags_cannot_inject_workflow_commands() {
    // Issue 14 #8: text from data and flags is printed escaped, one line per message, so a
    // name holding `\n::error …::` cannot start a GitHub workflow command.
    let server = FakeServer::start();
    let hooks = Receiver::start();
    hooks.answer(500);
    let hook = hooks.url("/h");
    let name = "digits\n::error title=INJECTED::pwned\n";
    let r = deploy_notify(
        &github_env(server.github_url()),
        &[
            "--environment",
            "production",
            "--version",
            "1.2.0",
            "--model-name",
            name,
            "--webhook",
            hook.as_str(),
        ],
    );
    let printed = format!("{}{}", r.stdout, r.stderr);
    assert!(
        printed.contains("digits\\n::error title=INJECTED::pwned\\n"),
        "the name is shown, escaped: {printed}"
    );
    for line in printed.lines() {
        assert!(!line.starts_with("::error"), "injected: {printed}");
    }
}
