//! The bad inputs, each with its exit code and message.

use crate::harness::{digits, fixture, quantize, repo};

fn run_on(input: &std::path::Path, extra: &[&str]) -> (crate::harness::Outcome, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("out.onnx");
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"--input", &input, &"--output", &output];
    for e in extra {
        args.push(e);
    }
    let run = quantize(&dir.path().join("report"), &args);
    assert!(
        !output.exists() || run.code != 2,
        "bad input must not leave an output"
    );
    (run, dir)
}

#[test]
fn not_onnx_is_refused_with_exit_2() {
    let input = repo().join("tests/fixtures/models/garbage.onnx");
    let (run, _dir) = run_on(&input, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("garbage.onnx") && run.stderr.contains("not an ONNX model"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.trim().lines().count(),
        1,
        "one-line error: {}",
        run.stderr
    );
}

#[test]
fn truncated_file_is_refused_with_exit_2() {
    let input = repo().join("tests/fixtures/models/truncated.onnx");
    let (run, _dir) = run_on(&input, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("truncated.onnx") && run.stderr.contains("not an ONNX model"),
        "{}",
        run.stderr
    );
}

#[test]
fn nothing_to_quantize_exits_0_and_writes_the_normalised_model() {
    // A scikit-learn linear classifier (LinearClassifier, ai.onnx.ml): no MatMul, Gemm or
    // Conv; the pipeline's next step still finds --output.
    let (run, dir) = run_on(&digits("baseline.onnx"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("nothing to quantize"), "{}", run.stdout);
    let written = dir.path().join("out.onnx");
    let model = modelci_onnx::read(&written).expect("the output is an ONNX model");
    let original = modelci_onnx::read(&digits("baseline.onnx")).expect("reads");
    assert_eq!(
        model.graph, original.graph,
        "the same graph (normalisation folds no Constant here)"
    );
    let r = crate::harness::report(&dir.path().join("report"));
    assert_eq!(r["output_written"], true);
    assert!(r["nothing_to_quantize"].is_string(), "{r}");
    assert!(
        r["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("nothing to quantize")
    );
}

#[test]
fn an_old_opset_that_cannot_be_raised_names_the_operator() {
    use modelci_onnx::proto::NodeProto;
    // old_opset.onnx (MatMul at opset 9) plus a Clip, whose min/max became inputs in opset 11.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut model = modelci_onnx::read(&fixture("old_opset.onnx")).expect("reads");
    let graph = model.graph.as_mut().expect("graph");
    let out = graph.output[0].name().to_owned();
    graph.node[0].output[0] = "mm".into();
    graph.node.push(NodeProto {
        op_type: Some("Clip".into()),
        name: Some("clamp".into()),
        input: vec!["mm".into()],
        output: vec![out],
        ..NodeProto::default()
    });
    let input = dir.path().join("clip9.onnx");
    std::fs::write(&input, modelci_onnx::encode(&model)).expect("write");
    let (run, _dir) = run_on(&input, &["--mode", "dynamic"]);
    assert_one_line_exit_2(&run);
    assert!(
        run.stderr.contains("opset 9")
            && run.stderr.contains("needs opset 11")
            && run.stderr.contains("`Clip`"),
        "{}",
        run.stderr
    );
}

#[test]
fn external_data_outside_the_model_folder_is_refused() {
    use modelci_onnx::proto::{StringStringEntryProto, tensor_proto::DataLocation};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut model = modelci_onnx::read(&fixture("gemm.onnx")).expect("reads");
    let w = model
        .graph
        .as_mut()
        .expect("graph")
        .initializer
        .iter_mut()
        .find(|t| t.name() == "W1")
        .expect("W1");
    std::fs::write(
        dir.path().join("secret.bin"),
        w.raw_data.take().unwrap_or_default(),
    )
    .expect("write");
    w.data_location = Some(DataLocation::External as i32);
    w.external_data = vec![StringStringEntryProto {
        key: Some("location".into()),
        value: Some("../secret.bin".into()),
    }];
    std::fs::create_dir(dir.path().join("m")).expect("mkdir");
    let input = dir.path().join("m/model.onnx");
    std::fs::write(&input, modelci_onnx::encode(&model)).expect("write");
    let (run, _out) = run_on(&input, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("../secret.bin") && run.stderr.contains("inside the model's folder"),
        "{}",
        run.stderr
    );
}

#[test]
fn output_equal_to_input_is_refused_unless_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("model.onnx");
    std::fs::copy(fixture("gemm.onnx"), &input).expect("copy");
    let before = std::fs::read(&input).expect("read");
    let report = dir.path().join("report");
    let run = quantize(&report, &[&"--input", &input, &"--output", &input]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--in-place"), "{}", run.stderr);
    assert_eq!(
        std::fs::read(&input).expect("read"),
        before,
        "the input is untouched"
    );

    let run = quantize(
        &report,
        &[&"--input", &input, &"--output", &input, &"--in-place"],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let after = std::fs::read(&input).expect("read");
    assert!(after.len() < before.len());
    let r = crate::harness::report(&report);
    assert_eq!(
        r["probe"]["verified"], true,
        "the original was compared before being replaced: {}",
        r["probe"]
    );
    let leftovers: Vec<_> = std::fs::read_dir(&report)
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".quantize"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// A weightless model (Relu → Sigmoid → Tanh): fp16 adds two Casts and saves nothing.
fn weightless_model(path: &std::path::Path) {
    use modelci_onnx::proto::{
        GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorShapeProto, TypeProto,
        ValueInfoProto,
        tensor_shape_proto::{Dimension, dimension::Value as DimValue},
        type_proto::{Tensor, Value},
    };
    let info = |name: &str| ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(Value::TensorType(Tensor {
                elem_type: Some(1),
                shape: Some(TensorShapeProto {
                    dim: vec![
                        Dimension {
                            value: Some(DimValue::DimParam("N".into())),
                            ..Dimension::default()
                        },
                        Dimension {
                            value: Some(DimValue::DimValue(8)),
                            ..Dimension::default()
                        },
                    ],
                }),
            })),
            ..TypeProto::default()
        }),
        ..ValueInfoProto::default()
    };
    let node = |op: &str, i: &str, o: &str| NodeProto {
        op_type: Some(op.into()),
        name: Some(op.to_lowercase()),
        input: vec![i.into()],
        output: vec![o.into()],
        ..NodeProto::default()
    };
    let model = ModelProto {
        ir_version: Some(7),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(13),
        }],
        graph: Some(GraphProto {
            name: Some("weightless".into()),
            node: vec![
                node("Relu", "input", "a"),
                node("Sigmoid", "a", "b"),
                node("Tanh", "b", "output"),
            ],
            input: vec![info("input")],
            output: vec![info("output")],
            ..GraphProto::default()
        }),
        ..ModelProto::default()
    };
    std::fs::write(path, modelci_onnx::encode(&model)).expect("write model");
}

#[test]
fn a_larger_output_is_not_written_unless_forced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("weightless.onnx");
    weightless_model(&input);
    let (run, out) = run_on(&input, &["--mode", "fp16"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("larger than the input") && run.stdout.contains("--force"),
        "{}",
        run.stdout
    );
    assert!(
        !out.path().join("out.onnx").exists(),
        "a larger output is not written"
    );
    let (forced, out) = run_on(&input, &["--mode", "fp16", "--force"]);
    assert_eq!(forced.code, 0, "{}\n{}", forced.stdout, forced.stderr);
    assert!(out.path().join("out.onnx").exists());
    assert!(
        forced.stdout.contains("written with --force"),
        "{}",
        forced.stdout
    );
}

#[test]
fn static_mode_without_calibration_data_is_refused() {
    let (run, _dir) = run_on(&digits("candidate.onnx"), &["--mode", "static"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("--mode static needs --calibration-data")
            && run.stderr.contains("or --dataset"),
        "{}",
        run.stderr
    );
}

/// One line on stderr, exit 2, no output (`run_on` checks the last).
fn assert_one_line_exit_2(run: &crate::harness::Outcome) {
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr.trim().lines().count(),
        1,
        "one-line error: {}",
        run.stderr
    );
}

#[test]
fn calibration_data_of_the_wrong_shape_names_the_file_and_both_shapes() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A valid .npy of shape [4, 6, 31]; matmul_3d takes [N, 6, 32].
    let bytes = crate::harness::npy_f32(&[4, 6, 31], &[0.0; 4 * 6 * 31]);
    let calib = dir.path().join("wrong_shape.npy");
    std::fs::write(&calib, bytes).expect("write");
    let (run, _out) = run_on(
        &fixture("matmul_3d.onnx"),
        &[
            "--mode",
            "static",
            "--calibration-data",
            calib.to_str().expect("utf-8 path"),
        ],
    );
    assert_one_line_exit_2(&run);
    assert!(
        run.stderr.contains("wrong_shape.npy")
            && run.stderr.contains("[4, 6, 31]")
            && run.stderr.contains("[N, 6, 32]"),
        "{}",
        run.stderr
    );
}

#[test]
fn calibration_data_that_is_not_numpy_is_refused() {
    let not_npy = fixture("matmul_3d.onnx");
    let (run, _out) = run_on(
        &fixture("matmul_3d.onnx"),
        &[
            "--mode",
            "static",
            "--calibration-data",
            not_npy.to_str().expect("utf-8 path"),
        ],
    );
    assert_one_line_exit_2(&run);
    assert!(
        run.stderr.contains("matmul_3d.onnx") && run.stderr.contains("not a NumPy"),
        "{}",
        run.stderr
    );
    // An .npz without the array `x`: the digits test set has one, so use a zip with other names.
    let dir = tempfile::tempdir().expect("tempdir");
    let npz = dir.path().join("no_x.npz");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&npz).expect("create"));
    zip.start_file("inputs.npy", zip::write::SimpleFileOptions::default())
        .expect("entry");
    zip.finish().expect("finish");
    let (run, _out) = run_on(
        &fixture("matmul_3d.onnx"),
        &[
            "--mode",
            "static",
            "--calibration-data",
            npz.to_str().expect("utf-8 path"),
        ],
    );
    assert_one_line_exit_2(&run);
    assert!(
        run.stderr.contains("no_x.npz") && run.stderr.contains("array `inputs`"),
        "{}",
        run.stderr
    );
}

#[test]
fn calibration_data_outside_static_mode_is_refused() {
    let calib = fixture("matmul_3d_calibration.npy");
    let (run, _out) = run_on(
        &fixture("matmul_3d.onnx"),
        &["--calibration-data", calib.to_str().expect("utf-8 path")],
    );
    assert_one_line_exit_2(&run);
    assert!(
        run.stderr
            .contains("--calibration-data is only used by --mode static"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_dataset_for_a_model_that_is_not_a_classifier_is_refused_before_writing() {
    let calib = fixture("matmul_3d_calibration.npy");
    let images = digits("test");
    // Images resize to the model's [6, 32] input, but its [N, 6, 16] output is no prediction.
    for extra in [
        vec!["--dataset", images.to_str().expect("utf-8 path")],
        vec![
            "--mode",
            "static",
            "--calibration-data",
            calib.to_str().expect("utf-8 path"),
            "--dataset",
            images.to_str().expect("utf-8 path"),
        ],
    ] {
        let (run, dir) = run_on(&fixture("matmul_3d.onnx"), &extra);
        assert_one_line_exit_2(&run);
        assert!(
            run.stderr.contains("matmul_3d.onnx")
                && run
                    .stderr
                    .contains("cannot read predictions from outputs `output` [32, 6, 16]"),
            "{extra:?}: {}",
            run.stderr
        );
        assert!(
            !dir.path().join("out.onnx").exists(),
            "{extra:?}: nothing written before the data is known to fit"
        );
    }
    // CSV rows of 64 features do not fit its [6, 32] samples.
    let csv = digits("test.csv");
    let (run, _dir) = run_on(
        &fixture("matmul_3d.onnx"),
        &["--dataset", csv.to_str().expect("utf-8 path")],
    );
    assert_one_line_exit_2(&run);
    assert!(
        run.stderr.contains("[64]") && run.stderr.contains("[6, 32]"),
        "{}",
        run.stderr
    );
}

#[test]
fn malformed_gates_and_calibration_settings_are_refused_before_writing() {
    let test = digits("test");
    let test = test.to_str().expect("utf-8 path");
    let cases: [(&[&str], &str); 3] = [
        (
            &["--min-size-reduction", "abc"],
            "--min-size-reduction abc: expected a factor",
        ),
        (
            &["--max-accuracy-drop", "0.5"],
            "--max-accuracy-drop needs --dataset",
        ),
        (
            &["--mode", "static", "--dataset", test, "--percentile", "150"],
            "--percentile 150: expected a value between 50 and 100",
        ),
    ];
    for (extra, expect) in cases {
        let (run, _dir) = run_on(&digits("candidate.onnx"), extra);
        assert_one_line_exit_2(&run);
        assert!(run.stderr.contains(expect), "{extra:?}: {}", run.stderr);
    }
}
