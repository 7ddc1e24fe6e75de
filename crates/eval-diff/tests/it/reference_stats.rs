//! Issue 20: `--reference-stats` writes the drift reference of the evaluation data and the
//! candidate's predictions. Its statistics are checked against numpy on the same data (through
//! `MODELCI_PYTHON`), against the report's own metrics and scikit-learn's figures, and then used
//! by drift-check (run in-process from its library) on the same and on brightened images.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser as _;
use serde_json::Value;

use crate::bad_input::assert_bad_input;
use crate::harness::{Outcome, digits, eval_diff, fixture, report};

/// eval-diff with `baseline` and `candidate` on `dataset`, and `extra`.
fn run_models(
    out: &Path,
    models: (&Path, &Path),
    dataset: &Path,
    extra: &[&dyn AsRef<std::ffi::OsStr>],
) -> Outcome {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![
        &"--baseline",
        &models.0,
        &"--candidate",
        &models.1,
        &"--dataset",
        &dataset,
    ];
    args.extend_from_slice(extra);
    eval_diff(out, &args)
}

/// The example's baseline and candidate on `dataset`, with `--reference-stats`: the reference.
fn run_stats(out: &Path, dataset: &Path) -> Value {
    let (baseline, candidate) = (digits("baseline.onnx"), digits("candidate.onnx"));
    let run = run_models(
        out,
        (&baseline, &candidate),
        dataset,
        &[&"--reference-stats", &"--bootstrap", &"0"],
    );
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    read(&out.join("drift-reference.json"))
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("reference written");
    serde_json::from_str(&text).expect("JSON")
}

fn feature<'a>(reference: &'a Value, name: &str) -> &'a Value {
    reference["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("feature {name} in {reference}"))
}

/// Runs a Python snippet with `MODELCI_PYTHON` and returns what it printed as JSON; `None`
/// (after saying why) when no Python with numpy is configured and none is required.
fn numpy(script: &str, args: &[&Path]) -> Option<Value> {
    let Some(python) = std::env::var_os("MODELCI_PYTHON") else {
        let why = "MODELCI_PYTHON is not set (a Python with numpy, scripts/ci/python-onnx.sh)";
        assert!(
            !modelci_test::harness::external_required(),
            "{why}; required because MODELCI_REQUIRE_EXTERNAL=1"
        );
        eprintln!("skipped the numpy check: {why}");
        return None;
    };
    let output = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).expect("python printed JSON"))
}

/// numpy's distinct values and cumulative counts of `values` (an expression over `x`).
const DISTRIBUTION: &str = r"
import json, sys
import numpy as np
def distribution(values):
    points, counts = np.unique(values, return_counts=True)
    return {'points': points.tolist(), 'at_or_below': np.cumsum(counts).tolist(), 'total': int(counts.sum())}
";

/// The stored distribution of a continuous feature, comparable with [`DISTRIBUTION`]'s.
fn stored(feature: &Value) -> Value {
    serde_json::json!({
        "points": feature["points"],
        "at_or_below": feature["at_or_below"],
        "total": feature["total"],
    })
}

#[test]
fn image_statistics_equal_numpy_on_the_same_pixels() {
    let out = tempfile::tempdir().expect("temp dir");
    let reference = run_stats(out.path(), &digits("test"));
    assert_eq!(
        reference["$schema"],
        modelci_drift::reference::REFERENCE_SCHEMA
    );
    assert_eq!(reference["rows"], 360);
    let names: Vec<&str> = reference["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "intensity_mean[gray]",
            "pixel_intensity[gray]",
            "image_size"
        ]
    );
    assert_eq!(feature(&reference, "image_size")["counts"]["8x8"], 360);
    // The example's test.npz holds the very pixels of its PNG files.
    let script = format!(
        "{DISTRIBUTION}
x = np.load(sys.argv[1])['x'].astype(np.float64)
print(json.dumps({{'mean': distribution(x.reshape(len(x), -1).mean(axis=1)), 'pixels': distribution(x.ravel())}}))"
    );
    if let Some(expected) = numpy(&script, &[&digits("test.npz")]) {
        assert_eq!(
            stored(feature(&reference, "intensity_mean[gray]")),
            expected["mean"]
        );
        assert_eq!(
            stored(feature(&reference, "pixel_intensity[gray]")),
            expected["pixels"]
        );
    }

    // The predictions: the candidate's accuracy as the report has it, its classes, its score.
    let report = report(out.path());
    let predictions = &reference["predictions"];
    assert_eq!(predictions["kind"], "categorical");
    assert_eq!(
        predictions["performance"]["value"],
        report["candidate"]["metrics"]["accuracy"]
    );
    assert_eq!(predictions["performance"]["rows"], 360);
    let counted: u64 = predictions["counts"]
        .as_object()
        .expect("counts")
        .values()
        .map(|v| v.as_u64().expect("count"))
        .sum();
    assert_eq!(counted, 360);
    // Logits: the top-1 score is their softmax, a probability above 1/10.
    let scores = &predictions["score"];
    assert_eq!(scores["total"], 360);
    let points = crate::harness::floats(&scores["points"]);
    assert!(points.iter().all(|p| *p > 0.1 && *p <= 1.0), "{points:?}");
    let sha = modelci_baseline::digest::sha256_file(&digits("candidate.onnx")).expect("sha");
    assert_eq!(predictions["model_sha256"], sha.as_str());
    // report.json names the file with its checksum, as its schema says.
    let schema = modelci_test::json_schema::load("schemas/eval-diff.v1.json");
    let errors = modelci_test::json_schema::validate(&schema, &report);
    assert!(errors.is_empty(), "{errors:#?}");
    let named = &report["reference_stats"];
    assert_eq!(named["file"], "drift-reference.json");
    let bytes = std::fs::read(out.path().join("drift-reference.json")).expect("file");
    assert_eq!(
        named["sha256"],
        modelci_bundle::digest::sha256_hex(&bytes).as_str()
    );
}

#[test]
fn tabular_statistics_equal_numpy_and_the_regression_figures() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("report");
    let model = fixture("regression.onnx");
    let csv = fixture("regression.csv");
    // Outside the output folder: report.json names it by its absolute path.
    let target = work.path().join("elsewhere/ref.json");
    std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
    let run = run_models(
        &out,
        (&model, &model),
        &csv,
        &[&"--label-column", &"target", &"--reference-stats", &target],
    );
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let reference = read(&target);
    let report = report(&out);
    assert_eq!(
        report["reference_stats"]["file"],
        std::fs::canonicalize(&target)
            .expect("written")
            .display()
            .to_string()
    );
    let names: Vec<String> = (0..10).map(|i| format!("f{i}")).collect();
    let stored_names: Vec<&str> = reference["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert_eq!(stored_names, names);
    let script = format!(
        "{DISTRIBUTION}
data = np.genfromtxt(sys.argv[1], delimiter=',', names=True)
print(json.dumps({{name: distribution(data[name]) for name in data.dtype.names if name != 'target'}}))"
    );
    if let Some(expected) = numpy(&script, &[&csv]) {
        for name in &names {
            assert_eq!(stored(feature(&reference, name)), expected[name], "{name}");
        }
    }
    // Predictions: regression values, and the MAE scikit-learn measured (onnxruntime's
    // predictions; tract's agree to ~1e-4 relative).
    let predictions = &reference["predictions"];
    assert_eq!(predictions["kind"], "continuous");
    assert_eq!(predictions["total"], 89);
    assert!(predictions.get("score").is_none());
    let performance = &predictions["performance"];
    assert_eq!(
        (&performance["metric"], &performance["rows"]),
        (&"mae".into(), &89.into())
    );
    let text = std::fs::read_to_string(fixture("regression_reference.json")).expect("reference");
    let sklearn: Value = serde_json::from_str(&text).expect("JSON");
    let want = sklearn["mean_absolute_error"].as_f64().expect("mae");
    let got = performance["value"].as_f64().expect("value");
    assert!(
        (got - want).abs() <= 1e-4 * want,
        "mae {got} vs scikit-learn {want}"
    );
    assert_eq!(Some(got), report["candidate"]["metrics"]["mae"].as_f64());
}

#[test]
fn text_statistics_count_tokens_characters_and_unknown_tokens() {
    let out = tempfile::tempdir().expect("temp dir");
    let text = |name: &str| {
        modelci_test::harness::repo()
            .join("examples/text")
            .join(name)
    };
    let model = text("model.onnx");
    let csv = text("test.csv");
    let tokenizer = text("tokenizer.json");
    let names = text("class_names.txt");
    let run = run_models(
        out.path(),
        (&model, &model),
        &csv,
        &[
            &"--tokenizer",
            &tokenizer,
            &"--class-names",
            &names,
            &"--bootstrap",
            &"0",
            &"--reference-stats",
        ],
    );
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let reference = read(&out.path().join("drift-reference.json"));
    assert_eq!(reference["rows"], 1000);
    let example: Value = serde_json::from_str(
        &std::fs::read_to_string(text("reference.json")).expect("reference.json"),
    )
    .expect("JSON");
    // The example's model takes 32 tokens with [CLS] and [SEP]: the texts of more than 30
    // tokens are the ones the example's script counted as truncated.
    let tokens = feature(&reference, "length_tokens");
    let points = crate::harness::floats(&tokens["points"]);
    let below = |limit: f64| -> u64 {
        let index = points.iter().rposition(|p| *p <= limit).expect("a point");
        tokens["at_or_below"][index].as_u64().expect("count")
    };
    assert_eq!(
        1000 - below(30.0),
        example["truncated_test_samples"].as_u64().expect("count")
    );
    let oov = feature(&reference, "oov_rate");
    let rates = crate::harness::floats(&oov["points"]);
    assert!(rates.iter().all(|r| (0.0..=1.0).contains(r)), "{rates:?}");
    assert!(rates.len() > 1, "some texts have unknown tokens: {rates:?}");
    let script = format!(
        "{DISTRIBUTION}
import csv
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    texts = [row['text'] for row in csv.DictReader(f)]
print(json.dumps(distribution(np.array([len(t) for t in texts], dtype=np.float64))))"
    );
    if let Some(expected) = numpy(&script, &[&csv]) {
        assert_eq!(stored(feature(&reference, "length_chars")), expected);
    }
    let predictions = &reference["predictions"];
    assert_eq!(
        predictions["performance"]["value"], example["accuracy"],
        "the example's onnxruntime accuracy"
    );
    let classes: Vec<&String> = predictions["counts"]
        .as_object()
        .expect("counts")
        .keys()
        .collect();
    let listed = std::fs::read_to_string(&names).expect("class names");
    assert!(
        classes
            .iter()
            .all(|c| listed.lines().any(|l| l.trim() == c.as_str())),
        "{classes:?}"
    );
}

#[test]
fn sharded_runs_refuse_reference_stats_in_one_line() {
    let out = tempfile::tempdir().expect("temp dir");
    let baseline = digits("baseline.onnx");
    let candidate = digits("candidate.onnx");
    let dataset = digits("test.npz");
    let run = run_models(
        out.path(),
        (&baseline, &candidate),
        &dataset,
        &[&"--shard", &"1/2", &"--reference-stats"],
    );
    assert_bad_input(
        out.path(),
        &run,
        &["--reference-stats is not made by a sharded run"],
    );
    assert!(!out.path().join("drift-reference.json").exists());
}

/// Copies the image folder `from` to `to`, adding `add` to every pixel (saturating).
fn brightened_copy(from: &Path, to: &Path, add: u8) {
    for class in std::fs::read_dir(from).expect("classes").flatten() {
        let folder = to.join(class.file_name());
        std::fs::create_dir_all(&folder).expect("mkdir");
        for file in std::fs::read_dir(class.path()).expect("images").flatten() {
            let mut picture = image::open(file.path()).expect("png").to_luma8();
            for pixel in picture.pixels_mut() {
                pixel.0[0] = pixel.0[0].saturating_add(add);
            }
            picture.save(folder.join(file.file_name())).expect("save");
        }
    }
}

/// drift-check, in-process, on `current` against `reference`; its exit code and report.json.
fn drift_check(reference: &Path, current: &Path, out: &Path) -> (i32, Value) {
    let args = drift_check::Args::parse_from([
        "drift-check".as_ref(),
        "--reference".as_ref(),
        reference.as_os_str(),
        "--current".as_ref(),
        current.as_os_str(),
        "--output-dir".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
    ] as [&std::ffi::OsStr; 8]);
    let code = match drift_check::run(&args) {
        Ok(status) => i32::from(status.code()),
        Err(failure) => panic!("drift-check failed: {failure:?}"),
    };
    (code, report(out))
}

#[test]
fn drift_check_finds_no_drift_on_the_same_images_and_brighter_ones_drifted() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("eval");
    run_stats(&out, &digits("test"));
    let reference: PathBuf = out.join("drift-reference.json");

    let (code, same) = drift_check(&reference, &digits("test"), &work.path().join("same"));
    assert_eq!(code, 0, "{same}");
    assert_eq!(same["drifted"], 0);

    let brighter = work.path().join("brighter");
    brightened_copy(&digits("test"), &brighter, 40);
    let (code, shifted) = drift_check(&reference, &brighter, &work.path().join("shifted"));
    assert_eq!(code, 1, "{shifted}");
    let drifted: Vec<&str> = shifted["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["drifted"] == true)
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert!(drifted.contains(&"intensity_mean[gray]"), "{shifted}");
    assert!(!drifted.contains(&"image_size"), "{shifted}");
}

#[test]
fn the_bundled_reference_is_what_drift_check_reads_from_the_release() {
    // eval-diff's reference, bundled as publish bundles it (the same library calls), then
    // drift-check --reference BUNDLE.zip on the same images: the contract of issue 20.
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("eval");
    run_stats(&out, &digits("test"));
    let entry = modelci_bundle::drift_reference(&out.join("drift-reference.json"))
        .expect("a valid drift reference");
    let input = modelci_bundle::BundleInput {
        name: "digits".into(),
        version: "1.0.0".into(),
        models: vec![digits("candidate.onnx")],
        report: Some(out.join("report.json")),
        source: modelci_bundle::Source::default(),
        created: Some(0),
        tool: ("publish".into(), "test".into()),
    };
    let built =
        modelci_bundle::build_with(&input, &[entry], &work.path().join("bundle")).expect("built");
    assert!(
        built
            .manifest
            .files
            .iter()
            .any(|f| f.path == "drift-reference.json" && f.kind == "drift-reference")
    );
    assert!(modelci_bundle::verify(&built.zip).expect("verifies").ok());
    let (code, same) = drift_check(&built.zip, &digits("test"), &work.path().join("check"));
    assert_eq!(code, 0, "{same}");
    assert_eq!(same["drifted"], 0);
    assert_eq!(same["features"].as_array().expect("features").len(), 3);
}

#[test]
fn npz_vectors_are_named_after_the_model_input_and_match_by_position() {
    // The example's CSV rows as an .npz of [N, 64] float32 vectors.
    let work = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(digits("test.csv")).expect("test.csv");
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let (label, features) = cells.split_last().expect("a row");
        x.extend(features.iter().map(|c| c.parse::<f32>().expect("number")));
        y.push(label.parse::<i64>().expect("label"));
    }
    let rows = y.len();
    let npz = work.path().join("vectors.npz");
    crate::harness::write_npz(
        &npz,
        &[
            crate::harness::NpyArray {
                name: "x",
                descr: "<f4",
                shape: &[rows, 64],
                bytes: x.iter().flat_map(|v| v.to_le_bytes()).collect(),
            },
            crate::harness::NpyArray {
                name: "y",
                descr: "<i8",
                shape: &[rows],
                bytes: crate::harness::i64_bytes(y),
            },
        ],
    );
    let out = work.path().join("eval");
    let reference = run_stats(&out, &npz);
    let input = report(&out)["candidate"]["signature"]["inputs"][0]["name"]
        .as_str()
        .expect("input name")
        .to_owned();
    let names: Vec<&str> = reference["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    let expected: Vec<String> = (0..64).map(|i| format!("{input}[{i}]")).collect();
    assert_eq!(names, expected);
    // drift-check names the same vectors x[i]; they map by position: no drift.
    let (code, same) = drift_check(
        &out.join("drift-reference.json"),
        &npz,
        &work.path().join("check"),
    );
    assert_eq!(code, 0, "{same}");
    assert_eq!(same["drifted"], 0);
    assert!(
        same["features"]
            .as_array()
            .expect("features")
            .iter()
            .all(|f| f["psi"] == 0.0),
        "{same}"
    );
}
