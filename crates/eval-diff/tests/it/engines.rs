//! Issue 17: onnxruntime as a second engine, parallel workers and the cross-check.
//!
//! onnxruntime's library comes from the venv of `MODELCI_PYTHON` (set by `.ci/run`, which
//! installs onnxruntime 1.32.0 from PyPI with `scripts/ci/python-onnx.sh`). Without it the
//! onnxruntime tests say so on stderr and skip, or fail when `MODELCI_REQUIRE_EXTERNAL=1`.

use std::path::{Path, PathBuf};

use modelci_test::harness::{Outcome, Run, digits, external_required, report_json};
use serde_json::Value;

use crate::harness::fixture;

/// onnxruntime's shared library inside the venv of `MODELCI_PYTHON`, if installed there.
fn venv_library() -> Option<(PathBuf, PathBuf)> {
    let python = PathBuf::from(std::env::var_os("MODELCI_PYTHON")?);
    let venv = python.parent()?.parent()?.to_owned();
    let lib = std::fs::read_dir(venv.join("lib")).ok()?;
    for entry in lib.flatten() {
        let capi = entry.path().join("site-packages/onnxruntime/capi");
        let found = std::fs::read_dir(&capi).ok().and_then(|files| {
            files.flatten().map(|f| f.path()).find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("libonnxruntime.so."))
            })
        });
        if let Some(library) = found {
            return Some((venv, library));
        }
    }
    None
}

/// The library, or `None` (after saying why) when the tests that need it must skip.
fn onnxruntime() -> Option<(PathBuf, PathBuf)> {
    let found = venv_library();
    if found.is_none() {
        let why = "no onnxruntime library in the venv of MODELCI_PYTHON (run scripts/ci/python-onnx.sh and export MODELCI_PYTHON)";
        assert!(
            !external_required(),
            "{why}; required because MODELCI_REQUIRE_EXTERNAL=1"
        );
        eprintln!("skipped: {why}");
    }
    found
}

/// An empty folder for `PATH`, so that no `python3` is found.
fn no_python(work: &Path) -> PathBuf {
    let dir = work.join("empty-path");
    std::fs::create_dir_all(&dir).expect("empty PATH folder");
    dir
}

/// eval-diff with `args`, the report in `out`, with `ORT_DYLIB_PATH`, `VIRTUAL_ENV` and `PATH`
/// as given (`None`: empty, which eval-diff takes as unset).
fn run(out: &Path, args: &[&dyn AsRef<std::ffi::OsStr>], env: &[(&str, Option<&Path>)]) -> Outcome {
    let mut run = Run::new(env!("CARGO_BIN_EXE_eval-diff"))
        .args(["--quiet", "--output-dir"])
        .arg(out);
    for a in args {
        run = run.arg(a);
    }
    let mut command = run;
    for (key, value) in env {
        command = match value {
            Some(v) => command.env(key, v),
            None => command.env(key, ""),
        };
    }
    command.output()
}

/// The example's models on its image folder, plus `extra`.
fn example(
    out: &Path,
    extra: &[&dyn AsRef<std::ffi::OsStr>],
    env: &[(&str, Option<&Path>)],
) -> Outcome {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
        vec![&"--baseline", &"", &"--candidate", &"", &"--dataset", &""];
    let baseline = digits("baseline.onnx");
    let candidate = digits("candidate.onnx");
    let test = digits("test");
    args[1] = &baseline;
    args[3] = &candidate;
    args[5] = &test;
    args.extend_from_slice(extra);
    run(out, &args, env)
}

/// Everything of a report that does not depend on timing or on the engine's name: metrics
/// (but latency and throughput), per-class figures, confusion, flips, McNemar, bootstrap.
fn figures(report: &Value) -> Value {
    let mut report = report.clone();
    for who in ["baseline", "candidate"] {
        let model = &mut report[who];
        model["latency"] = Value::Null;
        if let Some(metrics) = model["metrics"].as_object_mut() {
            metrics.retain(|k, _| !k.starts_with("latency") && k != "throughput");
        }
    }
    serde_json::json!({
        "baseline": report["baseline"],
        "candidate": report["candidate"],
        "pair": report["pair"],
        "per_class": report["per_class"],
        "dataset": report["dataset"],
    })
}

#[test]
fn both_engines_give_the_same_metrics_on_the_example() {
    let Some((_, library)) = onnxruntime() else {
        return;
    };
    let work = tempfile::tempdir().expect("temp dir");
    let (tract_out, ort_out) = (work.path().join("tract"), work.path().join("ort"));
    let tract = example(&tract_out, &[&"--engine", &"tract", &"--jobs", &"1"], &[]);
    assert_eq!(tract.code, 0, "{}", tract.stderr);
    let ort = example(
        &ort_out,
        &[
            &"--engine",
            &"onnxruntime",
            &"--jobs",
            &"1",
            &"--threads",
            &"1",
        ],
        &[("ORT_DYLIB_PATH", Some(&library))],
    );
    assert_eq!(ort.code, 0, "{}", ort.stderr);
    let (tract, ort) = (report_json(&tract_out), report_json(&ort_out));
    assert_eq!(figures(&tract), figures(&ort));
    assert_eq!(tract["execution"]["engine"]["name"], "tract");
    let engine = &ort["execution"]["engine"];
    assert_eq!(engine["name"], "onnxruntime");
    assert_eq!(engine["version"], "1.32.0");
    assert_eq!(engine["threads"], 1);
    assert_eq!(engine["graph_optimization"], "all");
    assert_eq!(engine["library"], library.display().to_string());
    let md = std::fs::read_to_string(ort_out.join("report.md")).expect("report.md");
    assert!(
        md.contains("| Engine | onnxruntime 1.32.0 (1 intra-op thread per worker"),
        "{md}"
    );
}

#[test]
fn several_workers_give_exactly_the_figures_of_one() {
    let work = tempfile::tempdir().expect("temp dir");
    let (one, three) = (work.path().join("one"), work.path().join("three"));
    // Batch 7 leaves a partial last batch; its 52 batches go to 3 workers in hand-offs of 8
    // (the last one of 4), spread unevenly.
    let common: [&dyn AsRef<std::ffi::OsStr>; 4] = [&"--engine", &"tract", &"--batch-size", &"7"];
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = common.to_vec();
    args.extend([&"--jobs" as &dyn AsRef<std::ffi::OsStr>, &"1"]);
    let a = example(&one, &args, &[]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = common.to_vec();
    args.extend([&"--jobs" as &dyn AsRef<std::ffi::OsStr>, &"3"]);
    let b = example(&three, &args, &[]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let (one, three) = (report_json(&one), report_json(&three));
    assert_eq!(figures(&one), figures(&three));
    assert!(
        one["pair"]["flips"].is_object() || one["pair"].is_object(),
        "the pair statistics are compared: {}",
        one["pair"]
    );
    assert_eq!(one["execution"]["jobs"], 1);
    assert_eq!(one["execution"]["latency"]["method"], "every_batch");
    assert_eq!(three["execution"]["jobs"], 3);
    assert_eq!(three["execution"]["latency"]["method"], "repeated_alone");
    assert!(three["candidate"]["latency"]["p50_ms"].as_f64().is_some());
}

#[test]
fn auto_finds_onnxruntime_in_the_active_venv_and_else_uses_tract() {
    let work = tempfile::tempdir().expect("temp dir");
    let empty = no_python(work.path());
    let out = work.path().join("none");
    let r = example(
        &out,
        &[],
        &[
            ("ORT_DYLIB_PATH", None),
            ("VIRTUAL_ENV", None),
            ("PATH", Some(&empty)),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let engine = &report_json(&out)["execution"]["engine"];
    assert_eq!(engine["name"], "tract");
    assert!(
        engine["selected"]
            .as_str()
            .is_some_and(|s| s.starts_with("auto: no onnxruntime")),
        "{engine}"
    );
    let Some((venv, library)) = onnxruntime() else {
        return;
    };
    let out = work.path().join("venv");
    let r = example(
        &out,
        &[],
        &[
            ("ORT_DYLIB_PATH", None),
            ("VIRTUAL_ENV", Some(&venv)),
            ("PATH", Some(&empty)),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let engine = &report_json(&out)["execution"]["engine"];
    assert_eq!(engine["name"], "onnxruntime", "{engine}");
    let found = PathBuf::from(engine["library"].as_str().expect("library path"));
    assert_eq!(
        found.canonicalize().expect("found library exists"),
        library.canonicalize().expect("library exists")
    );
}

#[test]
fn onnxruntime_missing_or_too_old_is_bad_input_naming_where_it_looked() {
    let work = tempfile::tempdir().expect("temp dir");
    let empty = no_python(work.path());
    let r = example(
        &work.path().join("a"),
        &[&"--engine", &"onnxruntime"],
        &[
            ("ORT_DYLIB_PATH", None),
            ("VIRTUAL_ENV", None),
            ("PATH", Some(&empty)),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let line = r.stderr.trim();
    assert_eq!(line.lines().count(), 1, "one line: {line}");
    for needle in [
        "--engine onnxruntime",
        "ORT_DYLIB_PATH (unset)",
        "python3 (not runnable)",
        "pip install onnxruntime==1.32.0",
    ] {
        assert!(line.contains(needle), "`{needle}` missing from: {line}");
    }
    let old = work.path().join("libonnxruntime.so.1.16.3");
    std::fs::write(&old, b"not a library").expect("write");
    let r = example(
        &work.path().join("b"),
        &[&"--engine", &"onnxruntime"],
        &[("ORT_DYLIB_PATH", Some(&old))],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("onnxruntime 1.16.3") && r.stderr.contains("needs 1.17 or newer"),
        "{}",
        r.stderr
    );
    assert!(!work.path().join("b/report.json").exists());
}

/// A reference number of `tests/fixtures/models/engine_reference.json`.
fn engine_reference(model: &str, key: &str) -> f64 {
    let text = std::fs::read_to_string(fixture("engine_reference.json")).expect("reference");
    let json: Value = serde_json::from_str(&text).expect("JSON");
    json[model][key].as_f64().expect("number")
}

fn assert_near(what: &str, got: &Value, want: f64) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number"));
    assert!(
        (got - want).abs() <= 1e-4 * want.abs().max(1.0),
        "{what}: got {got}, onnxruntime from Python says {want}"
    );
}

#[test]
fn models_tract_cannot_run_evaluate_in_onnxruntime_and_tract_says_so() {
    let work = tempfile::tempdir().expect("temp dir");
    let tree = fixture("tree_regressor.onnx");
    let regression = fixture("regression.csv");
    let gbc = fixture("binary_gbc.onnx");
    let binary = fixture("binary_digits.npz");
    for (model, data, extra) in [
        (&tree, &regression, Some("--label-column=target")),
        (&gbc, &binary, None),
    ] {
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![
            &"--baseline",
            model,
            &"--candidate",
            model,
            &"--dataset",
            data,
            &"--engine",
            &"tract",
        ];
        if let Some(extra) = &extra {
            args.push(extra);
        }
        let r = run(&work.path().join("tract"), &args, &[]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("tract cannot run it") && r.stderr.contains("--engine onnxruntime"),
            "{}",
            r.stderr
        );
    }
    let Some((_, library)) = onnxruntime() else {
        return;
    };
    let ort = [("ORT_DYLIB_PATH", Some(library.as_path()))];
    let out = work.path().join("tree");
    let r = run(
        &out,
        &[
            &"--baseline",
            &fixture("regression.onnx"),
            &"--candidate",
            &tree,
            &"--dataset",
            &regression,
            &"--label-column",
            &"target",
            &"--engine",
            &"onnxruntime",
        ],
        &ort,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = report_json(&out);
    let regression_metrics = &report["candidate"]["regression"];
    for (key, reference) in [
        ("mae", "mean_absolute_error"),
        ("rmse", "root_mean_squared_error"),
        ("r2", "r2_score"),
    ] {
        assert_near(
            key,
            &regression_metrics[key],
            engine_reference("tree_regressor", reference),
        );
    }
    let out = work.path().join("gbc");
    let r = run(
        &out,
        &[
            &"--baseline",
            &gbc,
            &"--candidate",
            &gbc,
            &"--dataset",
            &binary,
            &"--engine",
            &"onnxruntime",
        ],
        &ort,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_near(
        "accuracy",
        &report_json(&out)["candidate"]["metrics"]["accuracy"],
        engine_reference("binary_gbc", "accuracy"),
    );
}

#[test]
fn an_fp16_candidate_evaluates_in_onnxruntime_and_cross_checks_against_tract() {
    let Some((_, library)) = onnxruntime() else {
        return;
    };
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("fp16");
    let fp16 = fixture("digits_fp16.onnx");
    let started = std::time::Instant::now();
    let r = run(
        &out,
        &[
            &"--baseline",
            &digits("candidate.onnx"),
            &"--candidate",
            &fp16,
            &"--dataset",
            &digits("test"),
            &"--engine",
            &"onnxruntime",
        ],
        &[("ORT_DYLIB_PATH", Some(&library))],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = report_json(&out);
    assert_near(
        "fp16 accuracy",
        &report["candidate"]["metrics"]["accuracy"],
        engine_reference("digits_fp16", "accuracy"),
    );
    assert_eq!(
        report["candidate"]["signature"]["inputs"][0]["elem_type"],
        "f16"
    );
    eprintln!("fp16 eval-diff took {:?}", started.elapsed());

    // The fp32 candidate in both engines: they agree, and the gate holds.
    let out = work.path().join("cross");
    let r = example(
        &out,
        &[
            &"--engine",
            &"tract",
            &"--cross-check",
            &"--min",
            &"cross_agreement=0.999",
        ],
        &[("ORT_DYLIB_PATH", Some(&library))],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = report_json(&out);
    let cross = &report["cross_check"];
    assert_eq!(cross["engine"]["name"], "onnxruntime");
    let logits = &cross["outputs"][0];
    assert_eq!(logits["name"], "logits");
    assert_eq!(logits["samples"], 360);
    assert_eq!(logits["top1_agree"], 360);
    assert!(
        logits["max_abs_diff"].as_f64().expect("finite") < 1e-3,
        "{logits}"
    );
    let gate = report["gates"]
        .as_array()
        .expect("gates")
        .iter()
        .find(|g| g["metric"] == "cross_agreement")
        .expect("the cross_agreement gate");
    assert_eq!(gate["passed"], true, "{gate}");
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(md.contains("### Cross-check: tract vs onnxruntime"), "{md}");
    // A gate that cannot hold fails the run (exit 1) with the report written.
    let out = work.path().join("strict");
    let r = example(
        &out,
        &[
            &"--engine",
            &"onnxruntime",
            &"--cross-check",
            &"--max",
            &"cross_agreement=0.5",
        ],
        &[("ORT_DYLIB_PATH", Some(&library))],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(report_json(&out)["cross_check"]["engine"]["name"], "tract");
}

#[test]
fn cross_check_without_onnxruntime_is_bad_input() {
    let work = tempfile::tempdir().expect("temp dir");
    let empty = no_python(work.path());
    let r = example(
        &work.path().join("out"),
        &[&"--engine", &"tract", &"--cross-check"],
        &[
            ("ORT_DYLIB_PATH", None),
            ("VIRTUAL_ENV", None),
            ("PATH", Some(&empty)),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("--cross-check runs the candidate in both engines"),
        "{}",
        r.stderr
    );
}
