//! The bundle itself: reproducible, verifiable, and refused when tampered with or crafted to
//! escape its folder; bad input; the folder target; `--dry-run`.

use std::io::{Read as _, Write as _};
use std::path::Path;

use crate::harness::{EPOCH, bundle_args, publish, refs, with};

fn epoch() -> Vec<(&'static str, String)> {
    vec![("SOURCE_DATE_EPOCH", EPOCH.to_owned())]
}

/// Every entry of a zip: (name, bytes).
fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("zip")).expect("a zip");
    (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).expect("read entry");
            (e.name().expect("name").into_owned(), bytes)
        })
        .collect()
}

/// Writes `entries` as a zip at `path`.
fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("create"));
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .expect("start");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
}

#[test]
fn same_inputs_give_a_byte_identical_bundle_that_verifies() {
    let work = tempfile::tempdir().expect("temp dir");
    let mut zips = Vec::new();
    for run in ["a", "b"] {
        let out = work.path().join(run);
        let r = publish(work.path(), &epoch(), &refs(&bundle_args(&out, "1.2.0")));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("digits-1.2.0.zip"), "{}", r.stdout);
        zips.push(std::fs::read(out.join("digits-1.2.0.zip")).expect("bundle written"));
        for f in ["SHA256SUMS", "manifest.json"] {
            assert!(out.join(f).is_file(), "{f} beside the bundle");
        }
    }
    assert!(zips[0] == zips[1], "two runs gave different bytes");

    let zip = work.path().join("a/digits-1.2.0.zip");
    let names: Vec<String> = entries(&zip).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ["README.md", "candidate.onnx", "manifest.json"],
        "sorted entries"
    );
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(work.path().join("a/manifest.json")).expect("manifest"),
    )
    .expect("JSON");
    assert_eq!(manifest["$schema"], "https://modelci.dev/schemas/bundle/v1");
    assert_eq!(manifest["version"], "1.2.0");
    assert_eq!(manifest["created"], "2026-11-27T10:10:45Z");
    assert_eq!(manifest["source"]["commit"], crate::harness::COMMIT);
    assert_eq!(manifest["source"]["tag"], "v1.2.0");
    assert_eq!(manifest["metrics"]["accuracy"], 0.9972222222222222);
    assert_eq!(manifest["report"]["tool"], "eval-diff");
    let model = &manifest["models"][0];
    assert_eq!(model["path"], "candidate.onnx");
    assert_eq!(model["inputs"][0]["type"], "float32");
    // Read from the protobuf, the same as eval-diff's (tract-based) reading in the report.
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(crate::harness::report()).expect("report"))
            .expect("JSON");
    let theirs = &report["candidate"]["signature"];
    assert_eq!(model["parameters"], theirs["parameters"]);
    assert_eq!(model["opset"], theirs["opset"]);
    assert_eq!(model["inputs"][0]["name"], theirs["inputs"][0]["name"]);
    assert_eq!(model["inputs"][0]["shape"], theirs["inputs"][0]["dims"]);
    assert_eq!(model["outputs"][0]["shape"], theirs["outputs"][0]["dims"]);
    let onnx = std::fs::read(crate::harness::model()).expect("model");
    let listed = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == "candidate.onnx")
        .expect("model listed");
    assert_eq!(listed["size"], onnx.len());
    assert_eq!(listed["sha256"].as_str().map(str::len), Some(64));

    let card = String::from_utf8(
        entries(&zip)
            .into_iter()
            .find(|(n, _)| n == "README.md")
            .expect("card")
            .1,
    )
    .expect("UTF-8");
    assert!(card.starts_with("---\n"), "{card}");
    assert!(card.contains("model-index:"), "{card}");
    assert!(
        card.contains("- type: \"accuracy\"\n      value: 0.9972222222222222"),
        "{card}"
    );

    let sums = std::fs::read_to_string(work.path().join("a/SHA256SUMS")).expect("sums");
    let line = sums
        .lines()
        .find(|l| l.ends_with("  digits-1.2.0.zip"))
        .expect("bundle listed");
    let r = publish(work.path(), &[], &[&"verify", &zip]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("ok: "), "{}", r.stdout);
    assert!(
        r.stdout.contains(&line[..64]),
        "verify reports the SHA256SUMS hash: {}",
        r.stdout
    );
    let r = publish(work.path(), &[], &[&"--verify", &zip, &"--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["ok"], true);
}

#[test]
fn a_tampered_file_fails_verification_naming_it() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("out");
    let r = publish(work.path(), &epoch(), &refs(&bundle_args(&out, "1.0.0")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut files = entries(&out.join("digits-1.0.0.zip"));
    for (name, bytes) in &mut files {
        if name == "candidate.onnx" {
            let last = bytes.len() - 1;
            bytes[last] ^= 0xff;
        }
    }
    let tampered = work.path().join("digits-1.0.0.zip");
    write_zip(&tampered, &files);
    let r = publish(work.path(), &[], &[&"verify", &tampered]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("`candidate.onnx` does not match manifest.json"),
        "{}",
        r.stderr
    );

    // The bundle itself intact, but SHA256SUMS beside it disagrees.
    std::fs::copy(out.join("digits-1.0.0.zip"), &tampered).expect("copy");
    std::fs::write(
        work.path().join("SHA256SUMS"),
        format!("{}  digits-1.0.0.zip\n", "0".repeat(64)),
    )
    .expect("sums");
    let r = publish(work.path(), &[], &[&"verify", &tampered]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("SHA256SUMS beside it says"),
        "{}",
        r.stderr
    );
}

#[test]
fn zip_slip_entries_are_refused() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("out");
    let r = publish(work.path(), &epoch(), &refs(&bundle_args(&out, "1.0.0")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    for evil in [
        "../../evil.sh",
        "/etc/cron.d/evil",
        "models/..\\..\\evil.dll",
    ] {
        let mut files = entries(&out.join("digits-1.0.0.zip"));
        files.push((evil.to_owned(), b"#!/bin/sh\n".to_vec()));
        let crafted = work.path().join("crafted.zip");
        write_zip(&crafted, &files);
        let r = publish(work.path(), &[], &[&"verify", &crafted]);
        assert_eq!(r.code, 1, "{evil}: {}", r.stderr);
        assert!(
            r.stderr.contains("unsafe path") && r.stderr.contains(&evil.escape_debug().to_string()),
            "{evil}: {}",
            r.stderr
        );
    }
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_problem() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("out");
    let cases: Vec<(Vec<std::ffi::OsString>, &str)> = vec![
        (
            bundle_args(&out, "1.2"),
            "version `1.2` is not a semantic version",
        ),
        (bundle_args(&out, "v1.2.0"), "drop the leading `v`"),
        (
            with(&bundle_args(&out, "1.2.0"), &["--to", "s3://bucket"]),
            "--to s3://bucket: unknown target",
        ),
        (
            with(&bundle_args(&out, "1.2.0"), &["--to", "github"]),
            "--to github: which repository?",
        ),
        (
            vec![
                "--model".into(),
                "missing.onnx".into(),
                "--name".into(),
                "x".into(),
                "--version".into(),
                "1.0.0".into(),
            ],
            "missing.onnx: no such model file",
        ),
        (
            vec![
                "--model".into(),
                crate::harness::report().into(),
                "--name".into(),
                "x".into(),
                "--version".into(),
                "1.0.0".into(),
                "--output-dir".into(),
                out.clone().into(),
            ],
            "not a usable ONNX model",
        ),
        (
            vec![
                "--model".into(),
                crate::harness::model().into(),
                "--name".into(),
                "../x".into(),
                "--version".into(),
                "1.0.0".into(),
            ],
            "name `../x` may only use",
        ),
    ];
    for (args, message) in cases {
        let r = publish(work.path(), &epoch(), &refs(&args));
        assert_eq!(r.code, 2, "{message}: {}", r.stderr);
        assert!(r.stderr.contains(message), "want `{message}`: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    }
    assert!(
        !out.join("digits-1.2.0.zip").exists(),
        "no bundle for bad input"
    );
    let bogus = work.path().join("not-a-zip.zip");
    std::fs::write(&bogus, b"hello").expect("write");
    let r = publish(work.path(), &[], &[&"verify", &bogus]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not a modelci bundle"), "{}", r.stderr);
    let r = publish(
        work.path(),
        &[("SOURCE_DATE_EPOCH", "yesterday".to_owned())],
        &refs(&bundle_args(&out, "1.2.0")),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("SOURCE_DATE_EPOCH=yesterday"),
        "{}",
        r.stderr
    );
}

#[test]
fn dir_target_copies_once_and_never_overwrites_without_replace() {
    let work = tempfile::tempdir().expect("temp dir");
    let root = work.path().join("releases");
    let to = format!("dir:{}", root.display());
    let args = with(
        &bundle_args(&work.path().join("out"), "2.0.0"),
        &["--to", &to],
    );
    let r = publish(work.path(), &epoch(), &refs(&args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let folder = root.join("digits/2.0.0");
    for f in ["digits-2.0.0.zip", "SHA256SUMS", "manifest.json"] {
        assert_eq!(
            std::fs::read(folder.join(f)).expect("copied"),
            std::fs::read(work.path().join("out").join(f)).expect("built"),
            "{f}"
        );
    }
    let r = publish(
        work.path(),
        &[],
        &[&"verify", &folder.join("digits-2.0.0.zip")],
    );
    assert_eq!(
        r.code, 0,
        "the copy verifies with SHA256SUMS beside it: {}",
        r.stderr
    );
    let leftovers: Vec<_> = std::fs::read_dir(&folder)
        .expect("folder")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left");

    let again = publish(work.path(), &epoch(), &refs(&with(&args, &["--json"])));
    assert_eq!(again.code, 0, "{}", again.stderr);
    let v: serde_json::Value = serde_json::from_str(&again.stdout).expect("JSON");
    assert_eq!(v["targets"][0]["status"], "unchanged");

    // Another model under the same version: refused, the published files untouched.
    let before = std::fs::read(folder.join("digits-2.0.0.zip")).expect("zip");
    let mut other = args.clone();
    other[1] = crate::harness::baseline_model().into();
    let r = publish(work.path(), &epoch(), &refs(&other));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--replace"), "{}", r.stderr);
    assert!(std::fs::read(folder.join("digits-2.0.0.zip")).expect("zip") == before);
    let r = publish(work.path(), &epoch(), &refs(&with(&other, &["--replace"])));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::read(folder.join("digits-2.0.0.zip")).expect("zip") != before);
}

#[test]
fn a_quantize_report_carries_the_quantized_metrics_into_the_manifest() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("q");
    let report = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/quantize-report.json");
    let mut args = bundle_args(&out, "1.2.1");
    let at = args.iter().position(|a| a == "--report").expect("--report") + 1;
    args[at] = report.clone().into();
    let r = publish(work.path(), &epoch(), &refs(&args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest"))
            .expect("JSON");
    let theirs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("JSON");
    assert_eq!(manifest["report"]["tool"], "quantize");
    for key in ["accuracy", "macro_f1", "agreement", "size"] {
        assert_eq!(manifest["metrics"][key], theirs["metrics"][key], "{key}");
    }
    assert!(manifest["metrics"]["accuracy"].as_f64().expect("accuracy") > 0.99);
}

#[test]
fn a_report_that_is_not_json_or_has_no_metrics_is_bad_input() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("out");
    for (text, expect) in [
        ("not json", "not a JSON report"),
        ("{\"tool\": {\"name\": \"eval-diff\"}}", "no metrics found"),
    ] {
        let report = work.path().join("report.json");
        std::fs::write(&report, text).expect("write report");
        let mut args = bundle_args(&out, "1.2.0");
        let at = args.iter().position(|a| a == "--report").expect("--report") + 1;
        args[at] = report.clone().into();
        let r = publish(work.path(), &epoch(), &refs(&args));
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr.contains("report.json") && r.stderr.contains(expect),
            "{}",
            r.stderr
        );
        assert!(!out.join("digits-1.2.0.zip").exists(), "no bundle written");
    }
}
