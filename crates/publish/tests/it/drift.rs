//! Issue 20: the drift reference in the bundle — picked up from the report.json that names it
//! (`eval-diff --reference-stats`) or given with `--drift-reference`, stored as
//! `drift-reference.json` of kind `drift-reference`, and refused when it is not a reference.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use modelci_drift::{
    CategoricalReference, ContinuousReference, Feature, FeatureSummary, Reference,
};

use crate::harness::{EPOCH, bundle_args, publish, refs, report};

/// A drift reference as eval-diff writes one (two features of the example's CSV columns).
fn reference_bytes() -> Vec<u8> {
    let reference = Reference::new(
        "test.csv",
        4,
        vec![
            Feature {
                name: "f10".into(),
                summary: FeatureSummary::Continuous(
                    ContinuousReference::from_values([0.0, 0.25, 0.5, 0.25]).expect("values"),
                ),
            },
            Feature {
                name: "image_size".into(),
                summary: FeatureSummary::Categorical(
                    CategoricalReference::from_values([Some("8x8"); 4]).expect("values"),
                ),
            },
        ],
    );
    serde_json::to_vec_pretty(&reference).expect("JSON")
}

fn sha256(bytes: &[u8]) -> String {
    modelci_bundle::digest::sha256_hex(bytes)
}

/// A copy of the example's report.json in `dir` naming `drift-reference.json` beside it.
fn report_naming_a_reference(dir: &Path, content: &[u8]) -> PathBuf {
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report()).expect("report")).expect("JSON");
    json["reference_stats"] = serde_json::json!({
        "file": "drift-reference.json",
        "sha256": sha256(content),
        "features": 2,
        "rows": 4,
    });
    std::fs::write(dir.join("drift-reference.json"), content).expect("write reference");
    let path = dir.join("report.json");
    std::fs::write(&path, serde_json::to_vec(&json).expect("JSON")).expect("write report");
    path
}

/// `bundle_args` with `--report` replaced by `report`, plus `extra`.
fn args_with(out: &Path, report: &Path, extra: &[&Path]) -> Vec<std::ffi::OsString> {
    let mut args = bundle_args(out, "1.2.0");
    let at = args.iter().position(|a| a == "--report").expect("--report");
    args[at + 1] = report.into();
    for path in extra {
        args.push("--drift-reference".into());
        args.push(path.into());
    }
    args
}

fn zip_entry(zip: &Path, name: &str) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).expect("zip")).expect("zip");
    let mut entry = archive.by_name(name).ok()?;
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).expect("read");
    Some(bytes)
}

#[test]
fn the_reference_a_report_names_is_bundled_listed_and_verified() {
    let work = tempfile::tempdir().expect("temp dir");
    let content = reference_bytes();
    let report = report_naming_a_reference(work.path(), &content);
    let out = work.path().join("bundle");
    let epoch = [("SOURCE_DATE_EPOCH", EPOCH.to_owned())];
    let run = publish(work.path(), &epoch, &refs(&args_with(&out, &report, &[])));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let zip = out.join("digits-1.2.0.zip");
    assert_eq!(
        zip_entry(&zip, modelci_bundle::DRIFT_REFERENCE).as_deref(),
        Some(content.as_slice())
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest"))
            .expect("JSON");
    let listed = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == "drift-reference.json")
        .expect("listed in the manifest");
    assert_eq!(listed["kind"], "drift-reference");
    assert_eq!(listed["sha256"], sha256(&content).as_str());
    let card = String::from_utf8(zip_entry(&zip, "README.md").expect("card")).expect("UTF-8");
    assert_eq!(
        card.lines()
            .filter(|l| l.starts_with("Monitoring statistics"))
            .count(),
        1,
        "{card}"
    );
    let verify = publish(work.path(), &[], &[&"verify", &zip]);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
    // The bundle's reference is what drift-check reads.
    let back: Reference = serde_json::from_slice(&content).expect("reference");
    back.validate().expect("valid");
}

#[test]
fn an_explicit_reference_wins_and_a_file_that_is_not_one_is_refused() {
    let work = tempfile::tempdir().expect("temp dir");
    let report_path = report_naming_a_reference(work.path(), &reference_bytes());
    // Not a reference: the report itself.
    let out = work.path().join("bundle");
    let run = publish(
        work.path(),
        &[],
        &refs(&args_with(&out, &report_path, &[&report_path])),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let line = run.stderr.trim();
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(
        line.contains("report.json") && line.contains("not a drift reference"),
        "{line}"
    );
    assert!(!out.join("digits-1.2.0.zip").exists(), "nothing written");

    // A valid one given explicitly is bundled (the report's is not used).
    let other = work.path().join("other.json");
    let mut edited: serde_json::Value = serde_json::from_slice(&reference_bytes()).expect("JSON");
    edited["source"] = "elsewhere.csv".into();
    let bytes = serde_json::to_vec(&edited).expect("JSON");
    std::fs::write(&other, &bytes).expect("write");
    let run = publish(
        work.path(),
        &[],
        &refs(&args_with(&out, &report_path, &[&other])),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        zip_entry(&out.join("digits-1.2.0.zip"), "drift-reference.json"),
        Some(bytes)
    );
}

#[test]
fn a_reference_changed_or_missing_since_the_report_is_refused() {
    let work = tempfile::tempdir().expect("temp dir");
    let report_path = report_naming_a_reference(work.path(), &reference_bytes());
    let mut changed: serde_json::Value = serde_json::from_slice(&reference_bytes()).expect("JSON");
    changed["rows"] = 5.into();
    std::fs::write(
        work.path().join("drift-reference.json"),
        serde_json::to_vec(&changed).expect("JSON"),
    )
    .expect("write");
    let out = work.path().join("bundle");
    let run = publish(work.path(), &[], &refs(&args_with(&out, &report_path, &[])));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("changed since"), "{}", run.stderr);

    std::fs::remove_file(work.path().join("drift-reference.json")).expect("remove");
    let run = publish(work.path(), &[], &refs(&args_with(&out, &report_path, &[])));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("--drift-reference FILE"),
        "{}",
        run.stderr
    );
}
