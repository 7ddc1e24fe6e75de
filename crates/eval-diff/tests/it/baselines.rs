//! `--baseline SOURCE` (issue 8): a release bundle from the fake GitHub, `auto` in a pull
//! request, and the bad inputs (unknown scheme, checksum mismatch) refused before anything is
//! evaluated.

use std::path::Path;
use std::process::Command;

use modelci_bundle::{Built, BundleInput};
use modelci_test::{BOT_TOKEN, FakeServer};

use crate::harness::{Outcome, digits, reference, repo};

const GITHUB_REPO: &str = "Codertocat/Hello-World";

/// Runs eval-diff in `cwd` with a clean environment plus `vars`, a private cache, and `args`.
fn run(cwd: &Path, out: &Path, vars: &[(&str, String)], args: &[&str]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eval-diff"));
    cmd.env_clear().current_dir(cwd);
    for key in ["PATH", "HOME"] {
        if let Ok(v) = std::env::var(key) {
            cmd.env(key, v);
        }
    }
    cmd.env("XDG_CACHE_HOME", out.join("cache"));
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.arg("--output-dir")
        .arg(out.join("report"))
        .arg("--quiet");
    cmd.args(args);
    let output = cmd.output().expect("eval-diff runs");
    Outcome {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A bundle of `model` built by `modelci-bundle`, as `publish` makes it.
fn bundle(dir: &Path, model: &Path, version: &str, branch: &str) -> Built {
    let input = BundleInput {
        name: "digits".into(),
        version: version.into(),
        models: vec![model.to_owned()],
        report: None,
        source: modelci_bundle::Source {
            commit: Some("c".repeat(40)),
            branch: Some(branch.into()),
            tag: Some(format!("v{version}")),
            repository: Some(GITHUB_REPO.into()),
        },
        created: Some(1_764_000_000),
        tool: ("publish".into(), "0.1.0".into()),
    };
    modelci_bundle::build(&input, &dir.join(version)).expect("bundle builds")
}

/// Seeds a release with the bundle's three files.
fn seed(server: &FakeServer, built: &Built, draft: bool) -> u64 {
    let files: Vec<(String, Vec<u8>)> = built
        .files()
        .iter()
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(p).expect("readable"))
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    server.seed_release(
        GITHUB_REPO,
        &format!("v{}", built.manifest.version),
        draft,
        &refs,
    )
}

fn github_vars(server: &FakeServer) -> Vec<(&'static str, String)> {
    vec![
        ("GITHUB_REPOSITORY", GITHUB_REPO.into()),
        ("GITHUB_API_URL", server.github_url()),
        ("GITHUB_TOKEN", BOT_TOKEN.into()),
    ]
}

fn sha(path: &Path) -> String {
    modelci_baseline::digest::sha256_file(path).expect("readable")
}

fn assert_refused(out: &Path, r: &Outcome, needles: &[&str]) {
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let line = r.stderr.trim();
    assert_eq!(line.lines().count(), 1, "one line: {line}");
    assert!(line.starts_with("eval-diff: error: "), "{line}");
    for n in needles {
        assert!(line.contains(n), "`{n}` missing from: {line}");
    }
    assert!(
        !out.join("report/report.json").exists(),
        "nothing evaluated"
    );
    assert!(!out.join("report/report.md").exists(), "nothing evaluated");
}

#[test]
fn github_release_latest_end_to_end_with_provenance() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    seed(
        &server,
        &bundle(work.path(), &digits("baseline.onnx"), "1.0.0", "master"),
        false,
    );
    // A newer draft must be skipped.
    seed(
        &server,
        &bundle(work.path(), &digits("candidate.onnx"), "1.1.0", "master"),
        true,
    );
    let candidate = digits("candidate.onnx");
    let dataset = digits("test");
    let r = run(
        &repo(),
        work.path(),
        &github_vars(&server),
        &[
            "--baseline",
            "github-release:latest",
            "--candidate",
            &candidate.display().to_string(),
            "--dataset",
            &dataset.display().to_string(),
        ],
    );
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let report_dir = work.path().join("report");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(report_dir.join("report.json")).expect("report.json"),
    )
    .expect("JSON");
    let p = &json["baseline"]["provenance"];
    let want = sha(&digits("baseline.onnx"));
    assert_eq!(p["source"], "github-release:latest");
    assert_eq!(p["resolved"], "github-release:v1.0.0");
    assert_eq!(p["version"], "1.0.0");
    assert_eq!(p["sha256"], want.as_str());
    assert_eq!(p["verified"], "bundle manifest");
    assert!(p["published"].is_string(), "{p}");
    assert_eq!(p["commit"], "c".repeat(40));
    // The numbers are the v1.0.0 model's: scikit-learn's accuracy of the baseline.
    let accuracy = json["baseline"]["metrics"]["accuracy"]
        .as_f64()
        .expect("accuracy");
    let expected = reference()["baseline"]["accuracy"]
        .as_f64()
        .expect("reference");
    assert!(
        (accuracy - expected).abs() < 1e-12,
        "{accuracy} vs {expected}"
    );
    let digest = modelci_baseline::digest::dataset_digest(&dataset).expect("digest");
    assert_eq!(json["dataset"]["sha256"], digest.sha256.as_str());
    assert_eq!(json["dataset"]["files"], 360);

    let md = std::fs::read_to_string(report_dir.join("report.md")).expect("report.md");
    let section = md
        .split("### Provenance")
        .nth(1)
        .expect("a Provenance section");
    for needle in [
        "`github-release:latest`",
        "`github-release:v1.0.0`",
        "| Baseline version | 1.0.0 |",
        &format!("`{want}`"),
        &format!("`{}` (360 file(s))", digest.sha256),
    ] {
        assert!(
            section.contains(needle),
            "`{needle}` missing from:\n{section}"
        );
    }
    server.assert_no_violations();
}

#[test]
fn unknown_scheme_is_refused() {
    let work = tempfile::tempdir().expect("tempdir");
    let candidate = digits("candidate.onnx").display().to_string();
    let dataset = digits("test.npz").display().to_string();
    let r = run(
        &repo(),
        work.path(),
        &[],
        &[
            "--baseline",
            "s3://bucket/prod.onnx",
            "--candidate",
            &candidate,
            "--dataset",
            &dataset,
        ],
    );
    assert_refused(
        work.path(),
        &r,
        &["s3://bucket/prod.onnx", "unknown baseline scheme `s3:`"],
    );
}

#[test]
fn checksum_mismatch_is_refused_before_evaluating() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    seed(
        &server,
        &bundle(work.path(), &digits("baseline.onnx"), "1.0.0", "master"),
        false,
    );
    let candidate = digits("candidate.onnx").display().to_string();
    let dataset = digits("test.npz").display().to_string();
    let wrong = "ab".repeat(32);
    for baseline in [
        "github-release:latest".to_owned(),
        digits("baseline.onnx").display().to_string(),
    ] {
        let r = run(
            &repo(),
            work.path(),
            &github_vars(&server),
            &[
                "--baseline",
                &baseline,
                "--baseline-sha256",
                &wrong,
                "--candidate",
                &candidate,
                "--dataset",
                &dataset,
            ],
        );
        assert_refused(work.path(), &r, &["--baseline-sha256", &wrong, "refusing"]);
    }
}

#[test]
fn a_missing_tag_is_bad_input() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    let candidate = digits("candidate.onnx").display().to_string();
    let dataset = digits("test.npz").display().to_string();
    let r = run(
        &repo(),
        work.path(),
        &github_vars(&server),
        &[
            "--baseline",
            "github-release:v7.0.0",
            "--candidate",
            &candidate,
            "--dataset",
            &dataset,
        ],
    );
    assert_refused(work.path(), &r, &["no published release with tag `v7.0.0`"]);
}

#[test]
fn baseline_is_required_outside_a_pull_request() {
    let work = tempfile::tempdir().expect("tempdir");
    let candidate = digits("candidate.onnx").display().to_string();
    let dataset = digits("test.npz").display().to_string();
    let r = run(
        &repo(),
        work.path(),
        &[],
        &["--candidate", &candidate, "--dataset", &dataset],
    );
    assert_refused(
        work.path(),
        &r,
        &["--baseline is required outside a pull/merge request"],
    );
}

/// A git repository whose `master` holds the baseline at `models/model.onnx` and whose working
/// tree holds the candidate there (the pull request's change).
fn pr_checkout(dir: &Path) {
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q", "-b", "master"]);
    std::fs::create_dir(dir.join("models")).expect("mkdir");
    std::fs::copy(digits("baseline.onnx"), dir.join("models/model.onnx")).expect("copy");
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "baseline"]);
    std::fs::copy(digits("candidate.onnx"), dir.join("models/model.onnx")).expect("copy");
}

fn pr_vars(server: &FakeServer) -> Vec<(&'static str, String)> {
    let mut vars = github_vars(server);
    vars.extend([
        ("GITHUB_ACTIONS", "true".into()),
        ("GITHUB_EVENT_NAME", "pull_request".into()),
        (
            "GITHUB_EVENT_PATH",
            repo()
                .join("crates/modelci-ci/tests/fixtures/github/pull_request.opened.json")
                .display()
                .to_string(),
        ),
        ("GITHUB_RUN_ID", "7".into()),
        ("GITHUB_SHA", "d".repeat(40)),
    ]);
    vars
}

#[test]
fn auto_in_a_pull_request_falls_back_to_the_target_branch() {
    let work = tempfile::tempdir().expect("tempdir");
    let checkout = work.path().join("checkout");
    std::fs::create_dir(&checkout).expect("mkdir");
    pr_checkout(&checkout);
    let server = FakeServer::start();
    let dataset = digits("test.npz").display().to_string();
    let r = run(
        &checkout,
        work.path(),
        &pr_vars(&server),
        &[
            "--candidate",
            "models/model.onnx",
            "--dataset",
            &dataset,
            "--no-post",
        ],
    );
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("report/report.json")).expect("report.json"),
    )
    .expect("JSON");
    let p = &json["baseline"]["provenance"];
    assert_eq!(p["source"], "auto");
    assert_eq!(p["resolved"], "git:master:./models/model.onnx");
    assert_eq!(p["sha256"], sha(&digits("baseline.onnx")).as_str());
    server.assert_no_violations();
}

#[test]
fn auto_without_any_baseline_reports_the_candidate_alone() {
    let work = tempfile::tempdir().expect("tempdir");
    let checkout = work.path().join("checkout");
    std::fs::create_dir(&checkout).expect("mkdir");
    pr_checkout(&checkout);
    let server = FakeServer::start();
    let dataset = digits("test.npz").display().to_string();
    // Not in the repository: neither a release bundle nor the file on `master`.
    let candidate = digits("candidate.onnx").display().to_string();
    let r = run(
        &checkout,
        work.path(),
        &pr_vars(&server),
        &[
            "--candidate",
            &candidate,
            "--dataset",
            &dataset,
            "--no-post",
            "--tolerance",
            "accuracy=0.5pt",
            "--min",
            "accuracy=0.9",
        ],
    );
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stdout.contains("no baseline yet"), "{}", r.stdout);
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("report/report.json")).expect("report.json"),
    )
    .expect("JSON");
    assert!(json["baseline"].is_null());
    assert!(
        json["no_baseline"]
            .as_str()
            .is_some_and(|s| s.contains("no baseline yet"))
    );
    let accuracy = json["candidate"]["metrics"]["accuracy"]
        .as_f64()
        .expect("accuracy");
    let expected = reference()["candidate"]["accuracy"]
        .as_f64()
        .expect("reference");
    assert!(
        (accuracy - expected).abs() < 1e-12,
        "{accuracy} vs {expected}"
    );
    assert_eq!(
        json["gates"].as_array().map(Vec::len),
        Some(1),
        "only --min is judged"
    );
    assert_eq!(json["gates_not_judged"][0], "--tolerance accuracy=0.5pt");
    assert_eq!(json["verdict"]["passed"], true);
    let md = std::fs::read_to_string(work.path().join("report/report.md")).expect("report.md");
    assert!(md.contains("no baseline yet"), "{md}");
    assert!(md.contains("| Baseline | none yet |"), "{md}");

    // An absolute gate still counts: the first model can fail a floor.
    let out2 = work.path().join("second");
    std::fs::create_dir(&out2).expect("mkdir");
    let r = run(
        &checkout,
        &out2,
        &pr_vars(&server),
        &[
            "--candidate",
            &candidate,
            "--dataset",
            &dataset,
            "--no-post",
            "--min",
            "accuracy=0.999",
        ],
    );
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    server.assert_no_violations();
}
