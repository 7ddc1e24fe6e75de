//! Issue 15: models with several inputs, integer inputs, a state tensor, dynamic image sizes
//! and a fixed batch, and outputs that are NaN. Every model is a fixture trained by
//! `scripts/model_fixtures.py` on the digits data, with its accuracy from onnxruntime in
//! `models_reference.json`.

use std::path::Path;

use crate::harness::{
    NpyArray, digits, eval_diff, fixture, i64_bytes, models_reference, report, write_npz,
};

/// Runs the model against itself on `dataset` and returns the candidate's accuracy.
fn accuracy_of(model: &str, dataset: &Path, extra: &[&str]) -> f64 {
    let out = tempfile::tempdir().expect("temp dir");
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = Vec::new();
    let path = fixture(model);
    args.extend([
        &"--baseline" as &dyn AsRef<std::ffi::OsStr>,
        &path,
        &"--candidate",
        &path,
        &"--dataset",
        &dataset,
    ]);
    for e in extra {
        args.push(e);
    }
    let run = eval_diff(out.path(), &args);
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let got = report(out.path());
    got["candidate"]["metrics"]["accuracy"]
        .as_f64()
        .expect("accuracy")
}

fn reference(model: &str, key: &str) -> f64 {
    models_reference()[model][key]
        .as_f64()
        .expect("reference number")
}

#[test]
fn two_inputs_fed_by_name() {
    let got = accuracy_of(
        "two_input_tokens.onnx",
        &fixture("two_input_tokens.npz"),
        &[],
    );
    assert_eq!(got, reference("two_input_tokens", "accuracy"));
}

#[test]
fn arrays_are_matched_by_name() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &fixture("two_input_tokens.onnx"),
            &"--candidate",
            &fixture("int32_input.onnx"),
            &"--dataset",
            &fixture("two_input_tokens.npz"),
        ],
    );
    // The int32 model's input `tokens` is not in this dataset: refused before anything runs.
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no array `tokens`"), "{}", run.stderr);
    assert!(!out.path().join("report.json").exists());
}

#[test]
fn sample_names_come_from_the_ids_array() {
    // The digits pixels as one array named after the models' input, with names per sample.
    let dir = tempfile::tempdir().expect("temp dir");
    let pixels = payload(&npz_entry(&digits("test.npz"), "x.npy")).to_vec();
    let labels = read_labels();
    let ids: Vec<u8> = (0..labels.len())
        .flat_map(|i| format!("s{i:04}").chars().collect::<Vec<_>>())
        .flat_map(|c| u32::from(c).to_le_bytes())
        .collect();
    let path = dir.path().join("named.npz");
    write_npz(
        &path,
        &[
            NpyArray {
                name: "input",
                descr: "|u1",
                shape: &[labels.len(), 64],
                bytes: pixels,
            },
            NpyArray {
                name: "y",
                descr: "<i8",
                shape: &[labels.len()],
                bytes: i64_bytes(labels.iter().copied()),
            },
            NpyArray {
                name: "ids",
                descr: "<U5",
                shape: &[labels.len()],
                bytes: ids,
            },
        ],
    );
    let out = dir.path().join("report");
    let run = eval_diff(
        &out,
        &[
            &"--baseline",
            &digits("baseline.onnx"),
            &"--candidate",
            &fixture("partial_nan.onnx"),
            &"--dataset",
            &path,
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let got = report(&out);
    let want: Vec<String> = models_reference()["partial_nan"]["first_nan_samples"]
        .as_array()
        .expect("names")
        .iter()
        .map(|v| {
            format!(
                "s{:04}",
                v.as_str().expect("index").parse::<u32>().expect("number")
            )
        })
        .collect();
    assert_eq!(
        got["candidate"]["non_finite"]["examples"],
        serde_json::json!(want)
    );
}

#[test]
fn a_state_tensor_is_one_more_input() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &fixture("state_rnn.onnx"),
            &"--candidate",
            &fixture("state_rnn.onnx"),
            &"--dataset",
            &fixture("state_rnn.npz"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = report(out.path());
    assert_eq!(
        got["candidate"]["input_shapes"],
        serde_json::json!([[8, 8], [32], [8]])
    );
}

#[test]
fn int32_input_from_npz() {
    let got = accuracy_of("int32_input.onnx", &fixture("int32_input.npz"), &[]);
    assert_eq!(got, reference("int32_input", "accuracy"));
}

#[test]
fn uint8_array_into_an_integer_input_is_not_scaled() {
    // The same intensities 0..16 stored as uint8 and named `x`: cast to int32 unchanged (a
    // 1/255 scaling would turn every value into 0 and the accuracy into chance).
    let dir = tempfile::tempdir().expect("temp dir");
    let tokens = read_int32_tokens();
    let labels = read_labels();
    let path = dir.path().join("u8.npz");
    write_npz(
        &path,
        &[
            NpyArray {
                name: "x",
                descr: "|u1",
                shape: &[labels.len(), 64],
                bytes: tokens
                    .iter()
                    .map(|&v| u8::try_from(v).expect("0..16"))
                    .collect(),
            },
            NpyArray {
                name: "y",
                descr: "<i8",
                shape: &[labels.len()],
                bytes: i64_bytes(labels.iter().copied()),
            },
        ],
    );
    let got = accuracy_of("int32_input.onnx", &path, &[]);
    assert_eq!(got, reference("int32_input", "accuracy"));
}

#[test]
fn three_inputs_with_a_state_tensor() {
    let got = accuracy_of("state_rnn.onnx", &fixture("state_rnn.npz"), &[]);
    assert_eq!(got, reference("state_rnn", "accuracy"));
}

#[test]
fn dynamic_height_and_width_from_an_image_folder() {
    let by_size = accuracy_of("dynamic_hw.onnx", &digits("test"), &["--image-size", "8x8"]);
    assert_eq!(by_size, reference("dynamic_hw", "accuracy_8x8"));
    let by_shape = accuracy_of(
        "dynamic_hw.onnx",
        &digits("test"),
        &["--input-shape", "input=Nx1x8x8"],
    );
    assert_eq!(by_shape, by_size);
    // Upscaled to 16x16 the model still runs (its pooling is global); the number differs.
    let upscaled = accuracy_of(
        "dynamic_hw.onnx",
        &digits("test"),
        &["--image-size", "16x16"],
    );
    assert!((0.0..=1.0).contains(&upscaled));
}

#[test]
fn fixed_batch_of_one_runs_one_sample_at_a_time() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &digits("candidate.onnx"),
            &"--candidate",
            &fixture("fixed_batch1.onnx"),
            &"--dataset",
            &digits("test.npz"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = report(out.path());
    assert_eq!(got["candidate"]["fixed_batch"], 1);
    assert_eq!(
        got["candidate"]["metrics"]["accuracy"].as_f64(),
        Some(reference("fixed_batch1", "accuracy"))
    );
    assert_eq!(got["candidate"]["latency"]["batch_size"], 1);
}

#[test]
fn nan_outputs_are_a_failed_gate_with_a_report() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &digits("baseline.onnx"),
            &"--candidate",
            &fixture("partial_nan.onnx"),
            &"--dataset",
            &digits("test.npz"),
        ],
    );
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let got = report(out.path());
    let want = &models_reference()["partial_nan"];
    let non_finite = &got["candidate"]["non_finite"];
    assert_eq!(non_finite["samples"], want["nan_samples"]);
    assert_eq!(non_finite["examples"], want["first_nan_samples"]);
    assert_eq!(got["baseline"]["non_finite"]["samples"], 0);
    assert_eq!(
        got["candidate"]["classification"]["samples"],
        want["defined_samples"]
    );
    assert_eq!(
        got["candidate"]["metrics"]["accuracy"].as_f64(),
        want["accuracy_on_defined"].as_f64()
    );
    assert_eq!(got["verdict"]["passed"], false);
    let gate = got["gates"]
        .as_array()
        .expect("gates")
        .iter()
        .find(|g| g["metric"] == "non_finite_samples")
        .expect("the built-in gate");
    assert_eq!(gate["passed"], false);
    let md = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");
    let count = want["nan_samples"].as_u64().expect("count");
    assert!(
        md.contains(&format!("{count} of 360 samples")),
        "report.md names the count:\n{md}"
    );
}

#[test]
fn a_model_that_is_all_nan_still_gets_a_report() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &digits("baseline.onnx"),
            &"--candidate",
            &fixture("nan_output.onnx"),
            &"--dataset",
            &digits("test.npz"),
        ],
    );
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let got = report(out.path());
    assert_eq!(got["candidate"]["non_finite"]["samples"], 360);
    assert_eq!(got["candidate"]["classification"]["samples"], 0);
    let md = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");
    assert!(md.contains("360 of 360 samples"), "{md}");
}

/// The `tokens` array of `int32_input.npz`, read from the archive directly (not through the
/// code under test).
fn read_int32_tokens() -> Vec<i32> {
    let bytes = npz_entry(&fixture("int32_input.npz"), "tokens.npy");
    payload(&bytes)
        .chunks_exact(4)
        .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn read_labels() -> Vec<i64> {
    let bytes = npz_entry(&fixture("int32_input.npz"), "y.npy");
    payload(&bytes)
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

fn npz_entry(path: &Path, name: &str) -> Vec<u8> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).expect("npz");
    let mut archive = zip::ZipArchive::new(file).expect("zip");
    let mut entry = archive.by_name(name).expect("entry");
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).expect("read");
    bytes
}

/// The data after a version-1 `.npy` header.
fn payload(npy: &[u8]) -> &[u8] {
    let len = usize::from(u16::from_le_bytes([npy[8], npy[9]]));
    &npy[10 + len..]
}
