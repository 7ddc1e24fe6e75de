//! `--to github` against the fake GitHub: draft → assets (verified) → published; a rerun after
//! an upload broke off completes the release without duplicates; a published release is never
//! overwritten without `--replace`; `--dry-run` sends nothing.

use std::path::Path;

use modelci_test::{BOT_TOKEN, FakeServer};

use crate::harness::{EPOCH, Outcome, bundle_args, publish, refs, with};

const REPO: &str = "Codertocat/Hello-World";
const FILES: [&str; 3] = ["digits-1.2.0.zip", "SHA256SUMS", "manifest.json"];

fn env(server: &FakeServer, work: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("SOURCE_DATE_EPOCH", EPOCH.to_owned()),
        ("GITHUB_REPOSITORY", REPO.to_owned()),
        ("GITHUB_API_URL", server.github_url()),
        ("GITHUB_TOKEN", BOT_TOKEN.to_owned()),
        (
            "GITHUB_OUTPUT",
            work.join("output.txt").display().to_string(),
        ),
    ]
}

fn run(server: &FakeServer, work: &Path, extra: &[&str]) -> Outcome {
    let args = with(
        &bundle_args(&work.join("out"), "1.2.0"),
        &[&["--to", "github"], extra].concat(),
    );
    publish(work, &env(server, work), &refs(&args))
}

/// Asserts the release for v1.2.0 is published with exactly the three local files.
fn assert_complete(server: &FakeServer, work: &Path) {
    let releases: Vec<_> = server
        .releases()
        .into_iter()
        .filter(|r| r.tag == "v1.2.0")
        .collect();
    assert_eq!(releases.len(), 1, "one release for the tag");
    let r = &releases[0];
    assert!(!r.draft, "published");
    let mut names: Vec<&str> = r.assets.iter().map(|a| a.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["SHA256SUMS", "digits-1.2.0.zip", "manifest.json"],
        "no duplicates"
    );
    for a in &r.assets {
        assert_eq!(a.state, "uploaded", "{}", a.name);
        let local = std::fs::read(work.join("out").join(&a.name)).expect("local file");
        assert!(a.bytes == local, "{} holds the local bytes", a.name);
    }
}

#[test]
fn fresh_publish_creates_a_draft_uploads_verified_assets_then_publishes() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let r = run(&server, work.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_complete(&server, work.path());
    let release = &server.releases()[0];
    assert_eq!(release.publications, 1);
    assert_eq!(
        release.target,
        crate::harness::COMMIT,
        "tag created from the commit"
    );
    assert!(
        release.body.contains("sha256sum -c SHA256SUMS"),
        "{}",
        release.body
    );
    let url = format!("{}/{REPO}/releases/tag/v1.2.0", server.github_url());
    assert!(r.stdout.contains(&url), "{}", r.stdout);

    // Order of writes: create (as a draft), three uploads, then publish.
    let writes: Vec<(String, String)> = server
        .requests()
        .into_iter()
        .filter(|q| q.method != "GET")
        .map(|q| (q.method, q.path))
        .collect();
    let shape: Vec<&str> = writes
        .iter()
        .map(
            |(m, p)| match (m.as_str(), p.ends_with("/assets"), p.ends_with("/releases")) {
                ("POST", false, true) => "create",
                ("POST", true, _) => "upload",
                ("PATCH", _, _) => "publish",
                _ => "other",
            },
        )
        .collect();
    assert_eq!(
        shape,
        ["create", "upload", "upload", "upload", "publish"],
        "{writes:?}"
    );
    let outputs = std::fs::read_to_string(work.path().join("output.txt")).expect("step outputs");
    assert!(outputs.contains(&format!("release-url={url}")), "{outputs}");
    assert!(outputs.contains("sha256="), "{outputs}");
    assert!(
        !r.stdout.contains(BOT_TOKEN) && !r.stderr.contains(BOT_TOKEN),
        "token never printed"
    );

    // Publishing the same bundle again changes nothing.
    let again = run(&server, work.path(), &["--json"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let v: serde_json::Value = serde_json::from_str(&again.stdout).expect("JSON");
    assert_eq!(v["targets"][0]["status"], "unchanged", "{v}");
    assert_complete(&server, work.path());
    server.assert_no_violations();
}

#[test]
fn rerun_after_an_upload_broke_off_completes_without_duplicates() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    server.fail_release_upload(1);
    let first = run(&server, work.path(), &[]);
    assert_eq!(first.code, 3, "a host failure: {}", first.stderr);
    assert!(
        first.stderr.contains("upload a release asset"),
        "{}",
        first.stderr
    );
    let r = &server.releases()[0];
    assert!(r.draft, "never published half-done");
    assert_eq!(r.publications, 0);
    let states: Vec<(&str, &str)> = r
        .assets
        .iter()
        .map(|a| (a.name.as_str(), a.state.as_str()))
        .collect();
    assert_eq!(
        states,
        [(FILES[0], "uploaded"), (FILES[1], "open")],
        "one complete, one broken"
    );
    let kept_id = r.assets[0].id;

    let second = run(&server, work.path(), &["--json"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_complete(&server, work.path());
    let r = &server.releases()[0];
    assert_eq!(r.publications, 1);
    assert_eq!(
        r.assets.iter().find(|a| a.name == FILES[0]).map(|a| a.id),
        Some(kept_id),
        "the good asset was not uploaded again"
    );
    let v: serde_json::Value = serde_json::from_str(&second.stdout).expect("JSON");
    assert_eq!(v["targets"][0]["kept"], serde_json::json!([FILES[0]]));
    assert_eq!(v["targets"][0]["replaced"], serde_json::json!([FILES[1]]));
    assert_eq!(v["targets"][0]["uploaded"], serde_json::json!([FILES[2]]));
    assert_eq!(
        server.releases().len(),
        1,
        "the draft was found again, not duplicated"
    );
    server.assert_no_violations();
}

#[test]
fn a_draft_with_a_corrupt_asset_gets_it_replaced() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    // Same size as the real bundle, one byte different: only the digest tells them apart.
    let plan = run(&server, work.path(), &["--dry-run"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let mut corrupt = std::fs::read(work.path().join("out").join(FILES[0])).expect("bundle");
    corrupt[100] ^= 0x01;
    server.seed_release(REPO, "v1.2.0", true, &[(FILES[0], corrupt.as_slice())]);
    let r = run(&server, work.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_complete(&server, work.path());
    assert!(
        server
            .requests()
            .iter()
            .any(|q| q.method == "DELETE" && q.path.contains("/releases/assets/"))
    );
    server.assert_no_violations();
}

#[test]
fn a_published_release_is_never_overwritten_without_replace() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    server.seed_release(REPO, "v1.2.0", false, &[(FILES[0], b"the old model")]);
    let r = run(&server, work.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("already published") && r.stderr.contains("--replace"),
        "{}",
        r.stderr
    );
    let release = &server.releases()[0];
    assert_eq!(release.assets.len(), 1);
    assert!(release.assets[0].bytes == b"the old model", "untouched");
    assert!(
        server.requests().iter().all(|q| q.method == "GET"),
        "nothing was written"
    );

    let r = run(&server, work.path(), &["--replace"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_complete(&server, work.path());
    server.assert_no_violations();
}

#[test]
fn dry_run_sends_no_request() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let mut vars = env(&server, work.path());
    vars.push(("CI_API_V4_URL", server.gitlab_url()));
    vars.push(("CI_PROJECT_ID", "42".to_owned()));
    vars.push(("GITLAB_TOKEN", BOT_TOKEN.to_owned()));
    let args = with(
        &bundle_args(&work.path().join("out"), "1.2.0"),
        &[
            "--to",
            "github",
            "--to",
            "gitlab",
            "--to",
            "dir:published",
            "--dry-run",
            "--json",
        ],
    );
    let r = publish(work.path(), &vars, &refs(&args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        server.requests().is_empty(),
        "requests: {:?}",
        server.requests()
    );
    assert!(!work.path().join("published").exists(), "no folder written");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["dry_run"], true);
    let statuses: Vec<&str> = v["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .filter_map(|t| t["status"].as_str())
        .collect();
    assert_eq!(statuses, ["planned", "planned", "planned"]);
    assert!(
        work.path().join("out/digits-1.2.0.zip").is_file(),
        "the bundle is still built"
    );
    assert!(
        !work.path().join("output.txt").exists(),
        "no step outputs for a dry run"
    );
}
