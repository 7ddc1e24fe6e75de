//! `--reference` from a release bundle: a GitHub release (the fake GitHub, Actions' token), an
//! OCI artifact (a real registry), a published folder and a zip; an old bundle without a drift
//! reference is refused with one line saying how to make one.

use std::path::{Path, PathBuf};

use modelci_bundle::{Built, BundleInput, ExtraFile, ExtraSource};
use modelci_test::harness::{Outcome, Run, report_json};
use modelci_test::json_schema::{load, validate};
use modelci_test::{ACTIONS_TOKEN, FakeServer};

use crate::example::{drift_check, example};

const REPO: &str = "modelci/demo";

/// The example's reference summary, written by `--write-reference`.
fn reference_json(work: &Path) -> PathBuf {
    let path = work.join("drift-reference.json");
    let run = drift_check(
        &work.join("write"),
        &[
            "--reference",
            example("reference.csv").to_str().unwrap(),
            "--ignore",
            "site",
            "--current",
            example("stable.csv").to_str().unwrap(),
            "--write-reference",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    path
}

/// A bundle `drift-monitor-VERSION` whose model is the digits example's, with `reference`
/// (when given) as `drift-reference.json`.
fn bundle(dir: &Path, version: &str, reference: Option<&Path>) -> Built {
    bundle_of(
        &modelci_test::harness::digits("baseline.onnx"),
        dir,
        version,
        reference,
    )
}

/// A bundle `drift-monitor-VERSION` of `model`, with `reference` (when given) as
/// `drift-reference.json`.
fn bundle_of(model: &Path, dir: &Path, version: &str, reference: Option<&Path>) -> Built {
    let input = BundleInput {
        name: "drift-monitor".into(),
        version: version.into(),
        models: vec![model.to_owned()],
        report: None,
        source: modelci_bundle::Source::default(),
        created: Some(1_764_000_000),
        tool: ("publish".into(), "0.1.0".into()),
    };
    let extra: Vec<ExtraFile> = reference
        .map(|r| ExtraFile {
            path: "drift-reference.json".into(),
            source: ExtraSource::File(r.to_owned()),
            kind: "drift-reference".into(),
        })
        .into_iter()
        .collect();
    modelci_bundle::build_with(&input, &extra, &dir.join(version)).unwrap()
}

fn run(out: &Path, reference: &str, current: &str, env: &[(&str, String)]) -> Outcome {
    let mut run = Run::new(env!("CARGO_BIN_EXE_drift-check"))
        .arg("--output-dir")
        .arg(out)
        .args(["--reference", reference, "--current"])
        .arg(example(current));
    for (k, v) in env {
        run = run.env(k, v);
    }
    run.output()
}

/// A scheduled GitHub Actions run with Actions' token and a private tool cache.
fn github(server: &FakeServer, cache: &Path) -> Vec<(&'static str, String)> {
    let mut env = crate::issue::github_schedule(server, ACTIONS_TOKEN);
    env.push(("RUNNER_TOOL_CACHE", cache.display().to_string()));
    env
}

fn seed(server: &FakeServer, tag: &str, built: &Built) {
    let files: Vec<(String, Vec<u8>)> = built
        .files()
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(p).unwrap(),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    server.seed_release(REPO, tag, false, &refs);
}

fn sha256(bytes: &[u8]) -> String {
    modelci_baseline::digest::sha256_hex(bytes)
}

/// PSI per feature, sorted by name.
fn psis(out: &Path) -> Vec<(String, f64)> {
    crate::example::psi_by_feature(&report_json(out))
}

#[test]
fn the_latest_github_release_is_the_reference() {
    let work = tempfile::tempdir().unwrap();
    let reference = reference_json(work.path());
    let server = FakeServer::start();
    seed(
        &server,
        "v1.0.0",
        &bundle(work.path(), "1.0.0", Some(&reference)),
    );
    let env = github(&server, &work.path().join("tool-cache"));

    let out = work.path().join("r");
    let drifted = run(&out, "github-release:latest", "current.csv", &env);
    assert_eq!(drifted.code, 1, "{}\n{}", drifted.stdout, drifted.stderr);
    let report = report_json(&out);
    let errors = validate(&load("schemas/drift-check.v1.json"), &report);
    assert!(errors.is_empty(), "{errors:?}");
    let provenance = &report["data"]["reference_provenance"];
    assert_eq!(provenance["resolved"], "github-release:v1.0.0");
    assert_eq!(provenance["version"], "1.0.0");
    assert_eq!(provenance["verified"], "bundle manifest");
    assert_eq!(provenance["cached"], false);
    assert_eq!(
        provenance["reference_sha256"],
        sha256(&std::fs::read(&reference).unwrap())
    );
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        markdown.contains("Reference bundle: `github-release:v1.0.0` version `1.0.0`"),
        "{markdown}"
    );

    // The same figures as the reference file itself.
    let direct = work.path().join("direct");
    let plain = run(&direct, reference.to_str().unwrap(), "current.csv", &[]);
    assert_eq!(plain.code, 1, "{}", plain.stderr);
    assert_eq!(psis(&out), psis(&direct));

    // The second run is served from the runner's tool cache.
    let again = work.path().join("again");
    let second = run(&again, "github-release:v1.0.0", "stable.csv", &env);
    assert_eq!(second.code, 0, "{}\n{}", second.stdout, second.stderr);
    assert_eq!(
        report_json(&again)["data"]["reference_provenance"]["cached"],
        true
    );
    server.assert_no_violations();
}

#[test]
fn folders_and_zips_are_references_and_old_bundles_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let reference = reference_json(work.path());
    let built = bundle(work.path(), "1.2.0", Some(&reference));
    let folder = built.zip.parent().unwrap().to_owned();
    let cache = [(
        "XDG_CACHE_HOME",
        work.path().join("cache").display().to_string(),
    )];
    for (source, kind) in [(&folder, "folder"), (&built.zip, "bundle")] {
        let out = work.path().join(kind);
        let stable = run(&out, source.to_str().unwrap(), "stable.csv", &cache);
        assert_eq!(stable.code, 0, "{}\n{}", stable.stdout, stable.stderr);
        let provenance = &report_json(&out)["data"]["reference_provenance"];
        assert_eq!(provenance["kind"], kind);
        assert_eq!(provenance["bundle_sha256"], built.sha256.as_str());
    }

    let old = bundle(&work.path().join("old"), "0.9.0", None);
    let out = work.path().join("old-report");
    let refused = run(&out, old.zip.to_str().unwrap(), "stable.csv", &cache);
    assert_eq!(refused.code, 2, "{}\n{}", refused.stdout, refused.stderr);
    let lines: Vec<&str> = refused.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", refused.stderr);
    for part in [
        old.zip.to_str().unwrap(),
        "version 0.9.0",
        "carries no drift reference",
        "eval-diff --reference-stats",
        "publish --report",
    ] {
        assert!(lines[0].contains(part), "{part:?} not in {}", lines[0]);
    }
    assert!(!out.join("report.json").exists());

    let unknown = run(&out, "s3://bucket/ref.zip", "stable.csv", &cache);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("unknown baseline scheme"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn an_oci_artifact_is_the_reference() {
    use modelci_oci::testing::TestRegistry;
    use modelci_oci::{ArtifactFile, BUNDLE_ARTIFACT_TYPE, Client, Credentials, PushRequest};
    let Some(registry) = TestRegistry::start() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let reference = reference_json(work.path());
    let built = bundle(work.path(), "2.0.0", Some(&reference));
    let target = format!("oci://{}/team/drift-monitor:2.0.0", registry.addr());
    Client::new(Credentials::Anonymous)
        .push(
            &target.parse().unwrap(),
            &PushRequest {
                artifact_type: BUNDLE_ARTIFACT_TYPE.into(),
                files: built
                    .files()
                    .iter()
                    .map(|p| ArtifactFile::new(*p, "application/octet-stream"))
                    .collect(),
                ..PushRequest::default()
            },
        )
        .unwrap();
    let cache = [(
        "XDG_CACHE_HOME",
        work.path().join("cache").display().to_string(),
    )];
    let out = work.path().join("r");
    let drifted = run(&out, &target, "current.csv", &cache);
    assert_eq!(drifted.code, 1, "{}\n{}", drifted.stdout, drifted.stderr);
    let provenance = &report_json(&out)["data"]["reference_provenance"];
    assert_eq!(provenance["kind"], "oci");
    assert_eq!(provenance["version"], "2.0.0");
}

#[test]
fn a_bundles_model_is_the_monitored_model_when_its_reference_has_predictions() {
    use crate::model::{fixtures, model_check};
    let Some(work) = fixtures() else { return };
    let dir = work.path();
    let model = dir.join("model.onnx");
    let reference = dir.join("drift-reference.json");
    let written = drift_check(
        &dir.join("write"),
        &[
            "--reference",
            dir.join("reference.csv").to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--engine",
            "tract",
            "--current",
            dir.join("stable.csv").to_str().unwrap(),
            "--write-reference",
            reference.to_str().unwrap(),
        ],
    );
    assert_eq!(written.code, 0, "{}", written.stderr);
    let built = bundle_of(&model, dir, "3.0.0", Some(&reference));
    let zip = built.zip.to_str().unwrap();
    let cache = [("XDG_CACHE_HOME", dir.join("cache").display().to_string())];
    // No --model: the bundle's model is run on the current rows.
    let check = |current: &str, out: &str| {
        let out = dir.join(out);
        let mut run = Run::new(env!("CARGO_BIN_EXE_drift-check"))
            .arg("--output-dir")
            .arg(&out)
            .args(["--reference", zip, "--engine", "tract", "--current"])
            .arg(dir.join(current));
        for (k, v) in &cache {
            run = run.env(k, v);
        }
        let outcome = run.output();
        (outcome, report_json(&out))
    };
    let (stable, report) = check("stable.csv", "stable");
    assert_eq!(stable.code, 0, "{}\n{}", stable.stdout, stable.stderr);
    assert_eq!(model_check(&report, "prediction drift")["state"], "ok");
    let (shifted, report) = check("shifted.csv", "shifted");
    assert_eq!(shifted.code, 1, "{}\n{}", shifted.stdout, shifted.stderr);
    assert_eq!(model_check(&report, "prediction drift")["state"], "failed");
    assert!(
        !shifted
            .stderr
            .contains("differs from the reference's model"),
        "the bundle's model made the reference's predictions: {}",
        shifted.stderr
    );
}
