//! `--history N` (issue 8 item 4): the metric trend over the last published releases, read from
//! the `manifest.json` of real bundles on the fake GitHub (drafts, prereleases and releases
//! without a bundle skipped) and the fake GitLab (upcoming releases skipped); the candidate as the
//! last point; GitHub failing is a warning.

use std::path::{Path, PathBuf};
use std::process::Command;

use modelci_bundle::{Built, BundleInput};
use modelci_test::{BOT_LOGIN, BOT_TOKEN, FakeServer, FaultKind, GITLAB_PROJECT};

use crate::harness::{Outcome, digits, reference, repo};

const GITHUB_REPO: &str = "Codertocat/Hello-World";

/// Runs eval-diff on the digits example (baseline vs candidate on `test.npz`) with a clean
/// environment plus `vars`, the report in `out/report`.
fn run(out: &Path, vars: &[(&str, String)], extra: &[&str]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eval-diff"));
    cmd.env_clear();
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
        .arg("--quiet")
        .arg("--baseline")
        .arg(digits("baseline.onnx"))
        .arg("--candidate")
        .arg(digits("candidate.onnx"))
        .arg("--dataset")
        .arg(digits("test.npz"))
        .args(extra);
    let output = cmd.output().expect("eval-diff runs");
    Outcome {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn github_vars(server: &FakeServer) -> Vec<(&'static str, String)> {
    vec![
        ("GITHUB_REPOSITORY", GITHUB_REPO.into()),
        ("GITHUB_API_URL", server.github_url()),
        ("GITHUB_TOKEN", BOT_TOKEN.into()),
    ]
}

/// A bundle of `model` with `metrics` in its manifest, built by `modelci-bundle` as `publish`
/// builds it (from a report with a `metrics` object).
fn bundle(dir: &Path, model: &str, version: &str, metrics: &serde_json::Value) -> Built {
    let report = dir.join(format!("report-{version}.json"));
    std::fs::write(
        &report,
        serde_json::json!({ "metrics": metrics }).to_string(),
    )
    .expect("report written");
    let input = BundleInput {
        name: "digits".into(),
        version: version.into(),
        models: vec![digits(model)],
        report: Some(report),
        source: modelci_bundle::Source {
            commit: Some("c".repeat(40)),
            branch: Some("master".into()),
            tag: Some(format!("v{version}")),
            repository: Some(GITHUB_REPO.into()),
        },
        created: Some(1_764_000_000),
        tool: ("publish".into(), "0.1.0".into()),
    };
    modelci_bundle::build(&input, &dir.join(version)).expect("bundle builds")
}

/// Seeds release `v{version}` with the bundle's three files; returns its id.
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

/// Four published releases with bundles (1.2.0's manifest has no macro F1), one published
/// release without a bundle, then a prerelease and a draft that are newer than all of them.
fn seeded(work: &Path) -> FakeServer {
    let server = FakeServer::start();
    let m = |accuracy: f64, f1: Option<f64>| match f1 {
        Some(f1) => serde_json::json!({ "accuracy": accuracy, "macro_f1": f1 }),
        None => serde_json::json!({ "accuracy": accuracy }),
    };
    seed(
        &server,
        &bundle(work, "baseline.onnx", "1.0.0", &m(0.90, Some(0.89))),
        false,
    );
    seed(
        &server,
        &bundle(work, "baseline.onnx", "1.1.0", &m(0.92, Some(0.91))),
        false,
    );
    server.seed_release(
        GITHUB_REPO,
        "v1.1.1",
        false,
        &[("notes.txt", b"no bundle here")],
    );
    seed(
        &server,
        &bundle(work, "candidate.onnx", "1.2.0", &m(0.95, None)),
        false,
    );
    seed(
        &server,
        &bundle(work, "candidate.onnx", "1.3.0", &m(0.97, Some(0.965))),
        false,
    );
    let pre = seed(
        &server,
        &bundle(work, "candidate.onnx", "1.4.0-rc.1", &m(0.5, Some(0.5))),
        false,
    );
    server.set_prerelease(pre, true);
    seed(
        &server,
        &bundle(work, "candidate.onnx", "1.5.0", &m(0.4, Some(0.4))),
        true,
    );
    server
}

fn file_size(name: &str) -> u64 {
    std::fs::metadata(digits(name)).expect("model").len()
}

fn asset_downloads(server: &FakeServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path.contains("/releases/assets/"))
        .count()
}

/// The values of the `line [...]` rows of the first Mermaid block after `heading` in `md`.
fn mermaid_after(md: &str, heading: &str) -> (String, Vec<Vec<f64>>) {
    let rest = md.split_once(heading).expect("the heading").1;
    let block = rest
        .split("```mermaid\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("a Mermaid block");
    let lines = block
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("line [")?
                .strip_suffix(']')
                .map(str::to_owned)
        })
        .map(|l| {
            l.split(", ")
                .map(|v| v.parse::<f64>().expect("a number"))
                .collect()
        })
        .collect();
    (block.to_owned(), lines)
}

#[test]
fn history_3_reads_the_last_three_published_bundles_and_ends_with_the_candidate() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = seeded(work.path());
    let r = run(work.path(), &github_vars(&server), &["--history", "3"]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    let dir = work.path().join("report");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("json"))
            .expect("JSON");

    // report.json: three releases, oldest first, with the manifests' numbers.
    let history = json["history"].as_array().expect("history");
    let versions: Vec<&str> = history
        .iter()
        .map(|h| h["version"].as_str().expect("v"))
        .collect();
    assert_eq!(versions, ["1.1.0", "1.2.0", "1.3.0"], "{history:?}");
    let tags: Vec<&str> = history
        .iter()
        .map(|h| h["tag"].as_str().expect("tag"))
        .collect();
    assert_eq!(tags, ["v1.1.0", "v1.2.0", "v1.3.0"]);
    assert_eq!(history[0]["metrics"]["accuracy"], 0.92);
    assert_eq!(history[0]["metrics"]["macro_f1"], 0.91);
    assert_eq!(history[1]["metrics"]["accuracy"], 0.95);
    assert!(
        history[1]["metrics"].get("macro_f1").is_none(),
        "a missing metric stays missing: {}",
        history[1]
    );
    assert_eq!(history[2]["metrics"]["macro_f1"], 0.965);
    assert_eq!(history[0]["size"], file_size("baseline.onnx"));
    assert_eq!(history[1]["size"], file_size("candidate.onnx"));
    let published: Vec<&str> = history
        .iter()
        .map(|h| h["published"].as_str().expect("published"))
        .collect();
    assert!(published.windows(2).all(|w| w[0] < w[1]), "{published:?}");

    // The chart data: one point per release and the candidate last, a gap (null) not a zero.
    let candidate_accuracy = reference()["candidate"]["accuracy"].as_f64().expect("ref");
    let chart = json["charts"]
        .as_array()
        .expect("charts")
        .iter()
        .find(|c| c["name"] == "history_metrics")
        .expect("the history_metrics chart");
    assert_eq!(
        chart["chart"]["x"]["categories"],
        serde_json::json!(["1.1.0", "1.2.0", "1.3.0", "this PR"])
    );
    let series = chart["chart"]["series"].as_array().expect("series");
    assert_eq!(series[0]["name"], "Accuracy");
    let accuracy = &series[0]["values"];
    assert_eq!(accuracy[0], 0.92);
    assert!((accuracy[3].as_f64().expect("number") - candidate_accuracy).abs() < 1e-12);
    assert_eq!(series[1]["name"], "Macro F1");
    assert!(series[1]["values"][1].is_null(), "a gap: {}", series[1]);

    // report.md: Mermaid inline (1.2.0 left out there and named), the table in <details>.
    let md = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    let (block, lines) = mermaid_after(&md, "### Trend over the last 3 releases");
    assert!(
        block.contains("x-axis \"version\" [\"1.1.0\", \"1.3.0\", \"this PR\"]"),
        "{block}"
    );
    assert_eq!(lines.len(), 2, "accuracy and macro F1: {block}");
    assert_eq!(lines[0][..2], [0.92, 0.97]);
    assert!((lines[0][2] - candidate_accuracy).abs() < 1e-6, "{block}");
    assert!(md.contains("blue: Accuracy, orange: Macro F1"), "{md}");
    assert!(
        md.contains("(a value is missing there; the PNG draws no point for it): 1.2.0."),
        "{md}"
    );
    let details = md
        .split("<summary>Model size and the numbers of the last 3 release(s)")
        .nth(1)
        .and_then(|d| d.split("</details>").next())
        .expect("a <details> block");
    let (size_block, size_lines) = mermaid_after(details, "</summary>");
    assert!(size_block.contains("\"size (KiB)\""), "{size_block}");
    #[allow(clippy::cast_precision_loss)]
    let kib = |name: &str| file_size(name) as f64 / 1024.0;
    assert_eq!(size_lines.len(), 1);
    let want = [
        kib("baseline.onnx"),
        kib("candidate.onnx"),
        kib("candidate.onnx"),
        kib("candidate.onnx"),
    ];
    for (got, want) in size_lines[0].iter().zip(want) {
        assert!((got - want).abs() < 1e-5, "{size_block}");
    }
    assert!(
        details.contains("| Version | Published | Accuracy | Macro F1 | Size |"),
        "{details}"
    );
    let row = format!(
        "| 1.2.0 | 2026-01-01 | 95.00% | – | {} |",
        modelci_report::markdown::fmt_bytes(file_size("candidate.onnx"))
    );
    assert!(details.contains(&row), "`{row}` missing from {details}");
    assert!(details.contains("| **this PR** | – |"), "{details}");
    assert!(
        details.contains("![Key metrics over releases](history_metrics.png)"),
        "{details}"
    );

    // The charts exist as PNG and SVG.
    for name in ["history_metrics", "history_size"] {
        let png = std::fs::read(dir.join(format!("{name}.png"))).expect("PNG written");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let svg = std::fs::read_to_string(dir.join(format!("{name}.svg"))).expect("SVG written");
        assert!(
            svg.contains("<svg") && svg.contains("this PR"),
            "{name}.svg"
        );
    }

    // Only manifests were downloaded (three), never a zip; drafts and prereleases skipped.
    assert_eq!(asset_downloads(&server), 3);
    server.assert_no_violations();
}

#[test]
fn github_failing_is_a_warning_and_the_report_goes_out_without_the_trend() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = seeded(work.path());
    server.inject(Some("GET"), "/releases", 1000, FaultKind::Status(502));
    let r = run(work.path(), &github_vars(&server), &["--history", "3"]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("warning: the trend over releases is left out of the report"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(BOT_TOKEN), "no token in messages");
    let dir = work.path().join("report");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("json"))
            .expect("JSON");
    assert!(json.get("history").is_none(), "{}", json["history"]);
    assert!(
        json["history_unavailable"]
            .as_str()
            .is_some_and(|s| s.contains("502")),
        "{}",
        json["history_unavailable"]
    );
    assert!(
        json["baseline"]["metrics"]["accuracy"].is_f64(),
        "evaluated"
    );
    let md = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(md.contains("*Trend over releases not shown: "), "{md}");
    assert!(!md.contains("### Trend"), "{md}");
    assert!(!dir.join("history_metrics.png").exists());
    server.assert_no_violations();

    // --strict: the report is still written, the exit is 3.
    let strict = work.path().join("strict");
    let r = run(
        &strict,
        &github_vars(&server),
        &["--history", "3", "--strict"],
    );
    assert_eq!(r.code, 3, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("--history: "), "{}", r.stderr);
    assert!(strict.join("report/report.md").is_file());
    server.assert_no_violations();
}

#[test]
fn no_release_yet_is_one_line_and_no_chart() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    server.seed_release(GITHUB_REPO, "v0.1.0", false, &[("notes.txt", b"no bundle")]);
    let r = run(work.path(), &github_vars(&server), &["--history", "5"]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let dir = work.path().join("report");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("json"))
            .expect("JSON");
    assert_eq!(json["history"], serde_json::json!([]));
    let md = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(
        md.contains("\n*Trend over releases: no published release with a modelci bundle yet.*\n"),
        "{md}"
    );
    assert_eq!(
        md.matches("```mermaid").count(),
        1,
        "only the main chart: {md}"
    );
    assert!(!dir.join("history_metrics.png").exists());
    server.assert_no_violations();
}

#[test]
fn without_history_the_report_has_no_trend_and_github_is_not_asked() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = seeded(work.path());
    let before = server.requests().len();
    let r = run(work.path(), &github_vars(&server), &[]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert_eq!(
        server.requests().len(),
        before,
        "outside a pull request: off"
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("report/report.json")).expect("json"),
    )
    .expect("JSON");
    assert!(json.get("history").is_none());
    assert!(json.get("history_unavailable").is_none());
}

fn event_payload() -> PathBuf {
    repo().join("crates/modelci-ci/tests/fixtures/github/pull_request.opened.json")
}

/// Issue 8's "Done when": in a pull request, with no flag, the comment shows the trend.
#[test]
fn inside_a_pull_request_the_comment_shows_the_trend_by_default() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = seeded(work.path());
    let mut vars = github_vars(&server);
    vars.extend([
        ("GITHUB_ACTIONS", "true".into()),
        ("GITHUB_EVENT_NAME", "pull_request".into()),
        ("GITHUB_EVENT_PATH", event_payload().display().to_string()),
        ("GITHUB_SERVER_URL", "https://github.com".into()),
        ("GITHUB_RUN_ID", "4242".into()),
        (
            "GITHUB_SHA",
            "ec26c3e57ca3a959ca5aad62de7213c562f8c821".into(),
        ),
        (
            "GITHUB_STEP_SUMMARY",
            work.path().join("summary.md").display().to_string(),
        ),
        (
            "GITHUB_OUTPUT",
            work.path().join("output.txt").display().to_string(),
        ),
    ]);
    let r = run(work.path(), &vars, &[]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let ours = server.comments_by(GITHUB_REPO, 2, BOT_LOGIN);
    assert_eq!(ours.len(), 1, "one sticky comment");
    let body = &ours[0].body;
    assert!(
        body.contains("### Trend over the last 4 releases"),
        "{body}"
    );
    assert!(
        body.contains("x-axis \"version\" [\"1.0.0\", \"1.1.0\", \"1.3.0\", \"this PR\"]"),
        "{body}"
    );
    assert!(
        !body.contains("](history_metrics.png)"),
        "no broken image links: {body}"
    );
    server.assert_no_violations();
}

/// Publishes `built` to the fake GitLab as `publish --to gitlab` does (its own code): generic
/// package files `digits/VERSION/FILE`, then release `vVERSION` with one link per file.
fn publish_to_gitlab(server: &FakeServer, built: &Built) {
    use modelci_forge::releases::{AssetFile, ReleaseRequest, gitlab};
    let client = modelci_forge::GitLab::new(
        &server.gitlab_url(),
        GITLAB_PROJECT,
        &modelci_forge::Token::new(BOT_TOKEN),
        modelci_forge::RetryPolicy::none(),
    )
    .expect("client");
    let version = built.manifest.version.clone();
    let assets = built
        .files()
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).expect("readable");
            AssetFile {
                name: p.file_name().expect("name").to_string_lossy().into_owned(),
                path: p.to_path_buf(),
                sha256: modelci_baseline::digest::sha256_hex(&bytes),
                size: bytes.len() as u64,
                content_type: "application/octet-stream".into(),
            }
        })
        .collect();
    let request = ReleaseRequest {
        tag: format!("v{version}"),
        title: format!("digits {version}"),
        notes: String::new(),
        target: Some("master".into()),
        assets,
        replace: false,
    };
    let package = gitlab::Package {
        name: "digits".into(),
        version,
    };
    gitlab::publish(&client, &package, &request).expect("published");
}

/// Issue 8 on GitLab: in a merge request, with no flag, the note shows the trend over the last
/// releases published by `publish --to gitlab`; an upcoming release is not part of it.
#[test]
fn inside_a_gitlab_merge_request_the_note_shows_the_trend_by_default() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    let m = |accuracy: f64, f1: f64| serde_json::json!({ "accuracy": accuracy, "macro_f1": f1 });
    for (model, version, metrics) in [
        ("baseline.onnx", "1.0.0", m(0.90, 0.89)),
        ("baseline.onnx", "1.1.0", m(0.92, 0.91)),
        ("candidate.onnx", "1.2.0", m(0.97, 0.965)),
        ("candidate.onnx", "1.3.0", m(0.4, 0.4)),
    ] {
        publish_to_gitlab(&server, &bundle(work.path(), model, version, &metrics));
    }
    server.set_gitlab_released_at(GITLAB_PROJECT, "v1.3.0", "2099-01-01T00:00:00Z");
    let published_with = server.requests().len();
    let vars = vec![
        ("GITLAB_CI", "true".to_owned()),
        ("CI_API_V4_URL", server.gitlab_url()),
        (
            "CI_SERVER_URL",
            server.gitlab_url().trim_end_matches("/api/v4").to_owned(),
        ),
        ("CI_PROJECT_ID", "42".into()),
        ("CI_PROJECT_PATH", GITLAB_PROJECT.into()),
        ("CI_PIPELINE_SOURCE", "merge_request_event".into()),
        ("CI_MERGE_REQUEST_IID", "7".into()),
        ("CI_MERGE_REQUEST_PROJECT_ID", "42".into()),
        ("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "42".into()),
        ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "master".into()),
        (
            "CI_COMMIT_SHA",
            "ec26c3e57ca3a959ca5aad62de7213c562f8c821".into(),
        ),
        ("GITLAB_TOKEN", BOT_TOKEN.into()),
    ];
    let r = run(work.path(), &vars, &[]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);

    // report.json: the three released bundles, oldest first, with their manifests' numbers.
    let dir = work.path().join("report");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("json"))
            .expect("JSON");
    let history = json["history"].as_array().expect("history");
    let tags: Vec<&str> = history
        .iter()
        .map(|h| h["tag"].as_str().expect("tag"))
        .collect();
    assert_eq!(tags, ["v1.0.0", "v1.1.0", "v1.2.0"], "{history:?}");
    assert_eq!(history[1]["metrics"]["accuracy"], 0.92);
    assert_eq!(history[2]["metrics"]["macro_f1"], 0.965);
    assert_eq!(history[0]["size"], file_size("baseline.onnx"));
    let released: Vec<String> = server
        .gitlab_releases()
        .iter()
        .take(3)
        .map(|r| r.released_at.clone())
        .collect();
    let published: Vec<&str> = history
        .iter()
        .map(|h| h["published"].as_str().expect("published"))
        .collect();
    assert_eq!(published, released, "GitLab's released_at");

    // The merge request note: the trend as Mermaid, the candidate last.
    let notes = server.comments_by(GITLAB_PROJECT, 7, BOT_LOGIN);
    assert_eq!(notes.len(), 1, "one sticky note");
    let body = &notes[0].body;
    let (block, lines) = mermaid_after(body, "### Trend over the last 3 releases");
    assert!(
        block.contains("x-axis \"version\" [\"1.0.0\", \"1.1.0\", \"1.2.0\", \"this PR\"]"),
        "{block}"
    );
    let candidate_accuracy = reference()["candidate"]["accuracy"].as_f64().expect("ref");
    assert_eq!(lines[0][..3], [0.90, 0.92, 0.97]);
    assert!((lines[0][3] - candidate_accuracy).abs() < 1e-6, "{block}");

    // Only manifests were read (three), never a zip.
    let requests = server.requests();
    let read = |suffix: &str| {
        requests[published_with..]
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with(suffix))
            .count()
    };
    assert_eq!(read("/manifest.json"), 3);
    assert_eq!(read(".zip"), 0);
    server.assert_no_violations();
}

#[test]
fn manifests_without_metrics_or_unreadable_are_explained() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    // Published without --report: no metrics, but the model size is known.
    seed(
        &server,
        &bundle(
            work.path(),
            "baseline.onnx",
            "1.0.0",
            &serde_json::json!({}),
        ),
        false,
    );
    // A manifest that is not one: skipped with a warning.
    server.seed_release(
        GITHUB_REPO,
        "v2.0.0",
        false,
        &[
            ("manifest.json", b"{ not json"),
            ("digits-2.0.0.zip", b"PK"),
        ],
    );
    let r = run(work.path(), &github_vars(&server), &["--history", "5"]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(
            "warning: release v2.0.0 is left out: manifest.json of release v2.0.0 does not parse"
        ),
        "{}",
        r.stderr
    );
    let dir = work.path().join("report");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("json"))
            .expect("JSON");
    let history = json["history"].as_array().expect("history");
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["metrics"], serde_json::json!({}));
    assert_eq!(history[0]["size"], file_size("baseline.onnx"));
    let md = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(md.contains("### Trend over the last 1 release\n"), "{md}");
    assert!(
        md.contains("*No release's manifest.json carries Accuracy or Macro F1"),
        "{md}"
    );
    assert!(
        !dir.join("history_metrics.png").exists(),
        "no chart of nothing"
    );
    assert!(dir.join("history_size.png").is_file());
    server.assert_no_violations();
}
