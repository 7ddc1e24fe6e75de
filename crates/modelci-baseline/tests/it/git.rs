//! `git:REF:PATH` against a repository built by the test: a model at an older commit, an LFS
//! pointer, a path that does not exist.

use std::path::Path;
use std::process::Command;

use modelci_baseline::{BaselineError, resolve};
use modelci_ci::{CiContext, Env};

use crate::harness::{context, digits, sha};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A repository on `main`: commit 1 holds the baseline as `models/prod.onnx`, commit 2 the
/// candidate there and an LFS pointer `models/big.onnx`.
fn repository(dir: &Path) -> String {
    git(dir, &["init", "-q", "-b", "main"]);
    std::fs::create_dir(dir.join("models")).expect("mkdir");
    std::fs::copy(digits("baseline.onnx"), dir.join("models/prod.onnx")).expect("copy");
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "baseline"]);
    let first = git(dir, &["rev-parse", "HEAD"]);
    std::fs::copy(digits("candidate.onnx"), dir.join("models/prod.onnx")).expect("copy");
    std::fs::write(
        dir.join("models/big.onnx"),
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n",
    )
    .expect("write");
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "candidate"]);
    first
}

#[test]
fn a_model_at_an_older_commit() {
    let work = tempfile::tempdir().expect("tempdir");
    let repo = work.path().join("repo");
    std::fs::create_dir(&repo).expect("mkdir");
    let first = repository(&repo);
    let mut ctx = context(CiContext::local(), Env::new(), &work.path().join("cache"));
    ctx.repo_dir = repo.clone();
    let found = resolve(
        &"git:HEAD~1:models/prod.onnx".parse().expect("parses"),
        &ctx,
    )
    .expect("resolves")
    .expect("found");
    assert_eq!(found.provenance.sha256, sha(&digits("baseline.onnx")));
    assert_eq!(sha(&found.path), sha(&digits("baseline.onnx")));
    assert_eq!(found.provenance.commit.as_deref(), Some(first.as_str()));
    assert_eq!(found.provenance.kind, "git");
    // The working tree holds the candidate; HEAD does too.
    let head = resolve(&"git:main:models/prod.onnx".parse().expect("parses"), &ctx)
        .expect("resolves")
        .expect("found");
    assert_eq!(head.provenance.sha256, sha(&digits("candidate.onnx")));
}

#[test]
fn an_lfs_pointer_is_explained() {
    let work = tempfile::tempdir().expect("tempdir");
    let repo = work.path().join("repo");
    std::fs::create_dir(&repo).expect("mkdir");
    repository(&repo);
    let mut ctx = context(CiContext::local(), Env::new(), &work.path().join("cache"));
    ctx.repo_dir = repo;
    let err = resolve(&"git:main:models/big.onnx".parse().expect("parses"), &ctx)
        .expect_err("a pointer is not a model");
    assert!(matches!(err, BaselineError::Input { .. }));
    let text = err.to_string();
    assert!(text.contains("Git LFS pointer"), "{text}");
    assert!(
        text.contains("git lfs pull --include models/big.onnx"),
        "{text}"
    );
}

#[test]
fn missing_paths_and_refs_are_bad_input() {
    let work = tempfile::tempdir().expect("tempdir");
    let repo = work.path().join("repo");
    std::fs::create_dir(&repo).expect("mkdir");
    repository(&repo);
    let mut ctx = context(CiContext::local(), Env::new(), &work.path().join("cache"));
    ctx.repo_dir = repo;
    for source in [
        "git:main:models/nope.onnx",
        "git:no-such-branch:models/prod.onnx",
    ] {
        let err = resolve(&source.parse().expect("parses"), &ctx).expect_err("missing");
        assert!(matches!(err, BaselineError::Input { .. }), "{err}");
        assert!(err.to_string().contains("git show"), "{err}");
    }
    ctx.pinned_sha256 = Some("1".repeat(64));
    let err = resolve(&"git:main:models/prod.onnx".parse().expect("parses"), &ctx)
        .expect_err("pin mismatch");
    assert!(err.to_string().contains("refusing"), "{err}");
}

#[test]
fn auto_fetches_the_target_branch_of_a_checkout_that_lacks_it() {
    let work = tempfile::tempdir().expect("tempdir");
    // The project's repository: `master` holds the baseline as models/prod.onnx.
    let origin = work.path().join("origin");
    std::fs::create_dir(&origin).expect("mkdir");
    git(&origin, &["init", "-q", "-b", "master"]);
    std::fs::create_dir(origin.join("models")).expect("mkdir");
    std::fs::copy(digits("baseline.onnx"), origin.join("models/prod.onnx")).expect("copy");
    git(&origin, &["add", "."]);
    git(&origin, &["commit", "-q", "-m", "baseline"]);
    // A CI checkout of the pull request's branch only (no `master`, no `origin/master`).
    let checkout = work.path().join("checkout");
    std::fs::create_dir(&checkout).expect("mkdir");
    git(&checkout, &["init", "-q", "-b", "feature"]);
    git(
        &checkout,
        &["remote", "add", "origin", &origin.display().to_string()],
    );
    std::fs::create_dir(checkout.join("models")).expect("mkdir");
    std::fs::copy(digits("candidate.onnx"), checkout.join("models/prod.onnx")).expect("copy");
    git(&checkout, &["add", "."]);
    git(&checkout, &["commit", "-q", "-m", "candidate"]);

    let server = modelci_test::FakeServer::start();
    let payload = crate::harness::repo()
        .join("crates/modelci-ci/tests/fixtures/github/pull_request.opened.json");
    let env = Env::new()
        .with("GITHUB_ACTIONS", "true")
        .with("GITHUB_EVENT_NAME", "pull_request")
        .with("GITHUB_EVENT_PATH", payload.display().to_string())
        .with("GITHUB_REPOSITORY", "acme/models")
        .with("GITHUB_API_URL", server.github_url())
        .with("GITHUB_TOKEN", modelci_test::BOT_TOKEN)
        .with("GITHUB_RUN_ID", "1")
        .with("GITHUB_SHA", "e".repeat(40));
    let ci = modelci_ci::detect(&env, &|p| std::fs::read_to_string(p)).expect("detects");
    let mut ctx = context(ci, env, &work.path().join("cache"));
    ctx.repo_dir = checkout;
    ctx.candidate = Some("models/prod.onnx".into());
    let found = resolve(&modelci_baseline::Source::Auto, &ctx)
        .expect("resolves")
        .expect("found on the fetched target branch");
    assert_eq!(found.provenance.sha256, sha(&digits("baseline.onnx")));
    assert_eq!(
        found.provenance.resolved,
        "git:origin/master:./models/prod.onnx"
    );
    assert_eq!(found.provenance.source, "auto");
    server.assert_no_violations();
}
