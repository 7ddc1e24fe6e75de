//! Every mode on every test model: the output loads and runs in tract, close to the original.

use crate::harness::{MODES, applies, mode_args, output_name, quantize, report, test_models};

#[test]
fn every_mode_runs_in_tract_on_every_test_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    for model in test_models() {
        assert!(
            applies(&model, "static"),
            "{}: static mode needs calibration data for every test model",
            model.display()
        );
        for &(mode, per_channel) in MODES {
            let output = dir.path().join(output_name(&model, mode, per_channel));
            let out = dir.path().join("report");
            if !applies(&model, mode) {
                continue;
            }
            let owned = mode_args(&model, &output, mode, per_channel);
            let args: Vec<&dyn AsRef<std::ffi::OsStr>> = owned
                .iter()
                .map(|a| a as &dyn AsRef<std::ffi::OsStr>)
                .collect();
            let run = quantize(&out, &args);
            let what = format!("{} {mode} per_channel={per_channel}", model.display());
            if mode == "fp16" && model.ends_with("seven_classes.onnx") {
                // A single Gemm: fp16 keeps Gemm in fp32 and the weight is too small to store.
                assert_eq!(run.code, 0, "{what}: {}", run.stderr);
                assert!(
                    run.stdout.contains("nothing to quantize"),
                    "{what}: {}",
                    run.stdout
                );
                assert!(
                    output.exists(),
                    "{what}: nothing to quantize still writes the (normalised) model"
                );
                continue;
            }
            assert_eq!(run.code, 0, "{what}: {}\n{}", run.stdout, run.stderr);
            let r = report(&out);
            let probe = &r["probe"];
            assert_eq!(probe["verified"], true, "{what}: {probe}");
            assert_eq!(probe["non_finite"], 0, "{what}: {probe}");
            let err = probe["max_relative_error"].as_f64().expect("compared");
            let limit = if mode == "fp16" { 0.01 } else { 0.05 };
            assert!(err <= limit, "{what}: relative error {err}");
            if mode == "static" {
                // Calibrated on what the harness gave: the dataset (then compared on it too) or
                // raw inputs (no accuracy comparison; the verification ran on them).
                let from_inputs = owned.iter().any(|a| a == "--calibration-data");
                let calibration = &r["calibration"];
                assert_eq!(
                    calibration["source"],
                    if from_inputs {
                        "calibration-data"
                    } else {
                        "dataset"
                    },
                    "{what}: {calibration}"
                );
                assert!(
                    calibration["samples"].as_u64().expect("samples") >= 32,
                    "{what}: {calibration}"
                );
                assert_eq!(r["dataset"].is_null(), from_inputs, "{what}");
                let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
                assert_eq!(
                    md.contains("No `--dataset`: accuracy was not compared"),
                    from_inputs,
                    "{what}: {md}"
                );
            }
            let input = std::fs::metadata(&model).expect("input").len();
            let written = std::fs::metadata(&output).expect("output").len();
            assert!(written < input, "{what}: {written} >= {input}");
        }
    }
}

#[test]
fn constant_weights_are_folded_and_quantized() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("q.onnx");
    let run = quantize(
        dir.path(),
        &[
            &"--input",
            &crate::harness::fixture("constant_weights.onnx"),
            &"--output",
            &output,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = report(dir.path());
    assert_eq!(r["constants_folded"], 3);
    let ops: Vec<&str> = r["quantized"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["op"].as_str())
        .collect();
    assert_eq!(ops, ["MatMul", "MatMul"]);
    let model = modelci_onnx::read(&output).expect("reads");
    let graph = model.graph.expect("graph");
    let ops: Vec<&str> = graph.node.iter().map(|n| n.op_type()).collect();
    assert!(
        ops.contains(&"MatMulInteger") && ops.contains(&"DynamicQuantizeLinear"),
        "{ops:?}"
    );
    assert!(!ops.contains(&"Constant"), "{ops:?}");
}

#[test]
fn skl2onnx_repeated_opset_is_merged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("q.onnx");
    let run = quantize(
        dir.path(),
        &[
            &"--input",
            &crate::harness::fixture("skl_mlp.onnx"),
            &"--output",
            &output,
            &"--dataset",
            &crate::harness::digits("test.csv"),
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let r = report(dir.path());
    assert_eq!(r["opsets_deduplicated"], 1);
    assert!(r["dataset"]["accuracy_delta_pt"].as_f64().expect("delta") >= -1.0);
    let model = modelci_onnx::read(&output).expect("reads");
    let defaults = model
        .opset_import
        .iter()
        .filter(|o| o.domain().is_empty())
        .count();
    assert_eq!(defaults, 1);
}

#[test]
fn tiny_weights_are_skipped_and_exclude_keeps_nodes_in_fp32() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("q.onnx");
    let input = crate::harness::fixture("conv_bias.onnx");
    let reasons = |r: &serde_json::Value| -> Vec<(String, String)> {
        r["skipped"]
            .as_array()
            .expect("skipped")
            .iter()
            .map(|s| {
                (
                    s["node"].as_str().unwrap_or_default().to_owned(),
                    s["reason"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let nodes = |r: &serde_json::Value| -> Vec<String> {
        r["quantized"]
            .as_array()
            .expect("changes")
            .iter()
            .filter_map(|c| c["node"].as_str())
            .map(str::to_owned)
            .collect()
    };
    // dynamic: the two 144-value 3x3 kernels cost more in extra nodes than int8 saves.
    let run = quantize(dir.path(), &[&"--input", &input, &"--output", &output]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = report(dir.path());
    assert_eq!(nodes(&r), ["conv_no_bias"]);
    for (node, reason) in reasons(&r) {
        assert!(["conv1", "depthwise"].contains(&node.as_str()), "{node}");
        assert!(reason.contains("would not shrink"), "{node}: {reason}");
    }
    // weight-only with one node excluded by name.
    let run = quantize(
        dir.path(),
        &[
            &"--input",
            &input,
            &"--output",
            &output,
            &"--mode",
            &"weight-only",
            &"--exclude",
            &"conv_no_bias",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = report(dir.path());
    assert_eq!(nodes(&r), ["conv1", "depthwise"]);
    assert_eq!(
        reasons(&r),
        [("conv_no_bias".to_owned(), "excluded (--exclude)".to_owned())]
    );
    // Every Conv excluded by op type: nothing left to do.
    std::fs::remove_file(&output).expect("remove");
    let run = quantize(
        dir.path(),
        &[
            &"--input",
            &input,
            &"--output",
            &output,
            &"--exclude",
            &"Conv",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("nothing to quantize"), "{}", run.stdout);
    assert!(
        output.exists(),
        "the normalised model is written for the next step"
    );
}

#[test]
fn external_data_inside_the_model_folder_is_quantized_and_counted() {
    use modelci_onnx::proto::{StringStringEntryProto, tensor_proto::DataLocation};
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("m")).expect("mkdir");
    let mut model = modelci_onnx::read(&crate::harness::fixture("gemm.onnx")).expect("reads");
    let mut blob = Vec::new();
    for t in &mut model.graph.as_mut().expect("graph").initializer {
        let raw = t.raw_data.take().unwrap_or_default();
        t.data_location = Some(DataLocation::External as i32);
        let entry = |k: &str, v: String| StringStringEntryProto {
            key: Some(k.into()),
            value: Some(v),
        };
        t.external_data = vec![
            entry("location", "weights.bin".into()),
            entry("offset", blob.len().to_string()),
            entry("length", raw.len().to_string()),
        ];
        blob.extend(raw);
    }
    std::fs::write(dir.path().join("m/weights.bin"), &blob).expect("write weights");
    let input = dir.path().join("m/model.onnx");
    std::fs::write(&input, modelci_onnx::encode(&model)).expect("write model");
    let output = dir.path().join("q.onnx");
    let run = quantize(
        &dir.path().join("r"),
        &[&"--input", &input, &"--output", &output],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let r = report(&dir.path().join("r"));
    let file = std::fs::metadata(&input).expect("input").len();
    let size = r["input"]["size"].as_u64().expect("size");
    assert!(
        size > file + blob.len() as u64 / 2,
        "the external weights count: {size} vs {file} + {}",
        blob.len()
    );
    assert!(r["size_reduction"].as_f64().expect("ratio") > 2.0);
    assert_eq!(
        r["probe"]["verified"], true,
        "tract reads the external data too: {}",
        r["probe"]
    );
}

#[test]
fn static_calibrates_on_raw_inputs_and_compares_on_the_dataset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("q.onnx");
    let calib = crate::harness::fixture("seven_classes_calibration.npy");
    let run = quantize(
        dir.path(),
        &[
            &"--input",
            &crate::harness::fixture("skl_mlp.onnx"),
            &"--output",
            &output,
            &"--mode",
            &"static",
            &"--calibration-data",
            &calib,
            &"--dataset",
            &crate::harness::digits("test.csv"),
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let r = report(dir.path());
    assert_eq!(r["calibration"]["source"], "calibration-data");
    assert_eq!(r["calibration"]["samples"], 32);
    assert_eq!(
        r["calibration"]["path"],
        calib.to_str().expect("utf-8 path")
    );
    assert_eq!(r["dataset"]["samples"], 360);
    let delta = r["dataset"]["accuracy_delta_pt"].as_f64().expect("delta");
    assert!(delta >= -2.0, "32 calibration rows keep accuracy: {delta}");
    let md = std::fs::read_to_string(dir.path().join("report.md")).expect("report.md");
    assert!(
        md.contains("32 samples, raw model inputs") && !md.contains("No `--dataset`"),
        "{md}"
    );
}

#[test]
fn integer_calibration_data_is_refused_not_scaled() {
    // The example's test.npz holds uint8 images: fed raw they would calibrate a [0, 255] range
    // for a model that takes [0, 1], so they are refused rather than guessed at.
    let dir = tempfile::tempdir().expect("tempdir");
    let run = quantize(
        dir.path(),
        &[
            &"--input",
            &crate::harness::digits("candidate.onnx"),
            &"--output",
            &dir.path().join("q.onnx"),
            &"--mode",
            &"static",
            &"--calibration-data",
            &crate::harness::digits("test.npz"),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("test.npz")
            && run.stderr.contains("holds uint8")
            && run.stderr.contains("takes float32"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("q.onnx").exists(), "nothing written");
}

#[test]
fn a_fixed_batch_size_calibrates_in_batches_of_that_size() {
    use modelci_onnx::proto::tensor_shape_proto::dimension::Value as DimValue;
    use modelci_onnx::proto::type_proto::Value as TypeValue;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut model = modelci_onnx::read(&crate::harness::fixture("matmul_3d.onnx")).expect("reads");
    let graph = model.graph.as_mut().expect("graph");
    for info in graph.input.iter_mut().chain(graph.output.iter_mut()) {
        if let Some(TypeValue::TensorType(t)) = info.r#type.as_mut().and_then(|t| t.value.as_mut())
        {
            t.shape.as_mut().expect("shape").dim[0].value = Some(DimValue::DimValue(4));
        }
    }
    let input = dir.path().join("fixed_batch.onnx");
    std::fs::write(&input, modelci_onnx::encode(&model)).expect("write model");
    let calibrate = |calib: &std::path::Path| {
        quantize(
            &dir.path().join("report"),
            &[
                &"--input",
                &input,
                &"--output",
                &dir.path().join("q.onnx"),
                &"--mode",
                &"static",
                &"--calibration-data",
                &calib,
            ],
        )
    };
    // 32 samples: eight batches of 4.
    let run = calibrate(&crate::harness::fixture("matmul_3d_calibration.npy"));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let r = report(&dir.path().join("report"));
    assert_eq!(r["calibration"]["samples"], 32);
    assert_eq!(r["probe"]["shapes"], serde_json::json!([[4, 6, 32]]));
    assert_eq!(r["probe"]["samples"], 32);
    // 6 samples: a batch of 4 and one of 2 padded to 4 by repeating the last sample (as an
    // evaluation does); the padding is measured but not counted.
    let six = dir.path().join("six.npy");
    let values: Vec<f32> = (0..6 * 6 * 32).map(|i| (i % 17) as f32 / 17.0).collect();
    std::fs::write(&six, crate::harness::npy_f32(&[6, 6, 32], &values)).expect("write");
    let run = calibrate(&six);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let r = report(&dir.path().join("report"));
    assert_eq!(r["calibration"]["samples"], 6);
    assert_eq!(r["probe"]["samples"], 6);
}
