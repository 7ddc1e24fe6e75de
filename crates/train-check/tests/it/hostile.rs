//! Issue 14's hostile inputs that reach train-check: each ends with one short error line and
//! exit 2, never an abort, an unbounded allocation or a quadratic parse.

use modelci_onnx::proto::{
    GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorShapeProto, TypeProto,
    ValueInfoProto,
    tensor_shape_proto::{Dimension, dimension::Value as DimValue},
    type_proto::{Tensor, Value},
};

use crate::harness::{assert_bad_input, digits, train_check, write};

/// A float tensor declared `[N, dims...]`.
fn info(name: &str, dims: &[i64]) -> ValueInfoProto {
    let dim = std::iter::once(DimValue::DimParam("N".into()))
        .chain(dims.iter().map(|d| DimValue::DimValue(*d)))
        .map(|value| Dimension {
            value: Some(value),
            ..Dimension::default()
        })
        .collect();
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(Value::TensorType(Tensor {
                elem_type: Some(1),
                shape: Some(TensorShapeProto { dim }),
            })),
            ..TypeProto::default()
        }),
        ..ValueInfoProto::default()
    }
}

/// `x -> Relu -> y` (or no node at all) with `x` and `y` declared `[N, dims...]`.
fn model(dir: &std::path::Path, dims: &[i64], with_node: bool, opset: i64) -> std::path::PathBuf {
    let node = NodeProto {
        op_type: Some("Relu".into()),
        input: vec!["x".into()],
        output: vec!["y".into()],
        ..NodeProto::default()
    };
    let model = ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(opset),
        }],
        graph: Some(GraphProto {
            name: Some("g".into()),
            node: if with_node { vec![node] } else { Vec::new() },
            input: vec![info("x", dims)],
            output: vec![info("y", dims)],
            ..GraphProto::default()
        }),
        ..ModelProto::default()
    };
    let path = dir.join("model.onnx");
    std::fs::write(&path, modelci_onnx::encode(&model)).expect("write model");
    path
}

fn candidate() -> std::path::PathBuf {
    digits("candidate.onnx")
}

#[test]
fn a_graph_whose_output_no_node_produces_is_bad_input_not_an_abort() {
    // Issue 14 #3: exit 134, a tract panic "no entry found for key".
    let dir = tempfile::tempdir().expect("tempdir");
    let m = model(dir.path(), &[4], false, 13);
    let r = train_check(dir.path(), &[&"--model", &m]);
    assert_bad_input(&r, &["declares output `y`, but no node produces it"]);
    assert_eq!(r.stderr.lines().count(), 1, "{r:#?}");
}

#[test]
fn huge_declared_input_sizes_are_refused_before_allocating() {
    // Issue 14 #4: `[N, 10^9]` took 3.8 GB then tried 128 GB; `[N,1,1e5,1e5]` 40 GB.
    for dims in [&[1_000_000_000][..], &[1, 100_000, 100_000]] {
        let dir = tempfile::tempdir().expect("tempdir");
        let m = model(dir.path(), dims, true, 13);
        let r = train_check(dir.path(), &[&"--model", &m]);
        assert_bad_input(
            &r,
            &["elements per sample, more than the limit of 67108864"],
        );
    }
}

#[test]
fn an_unknown_opset_is_refused() {
    // Issue 14 #13: opset 99 was accepted silently.
    let dir = tempfile::tempdir().expect("tempdir");
    let m = model(dir.path(), &[4], true, 99);
    let r = train_check(dir.path(), &[&"--model", &m]);
    assert_bad_input(&r, &["ONNX opset 99, which does not exist"]);
}

#[test]
fn duplicate_columns_and_a_scalar_metrics_file_are_refused() {
    // Issue 14 #11.
    let dir = tempfile::tempdir().expect("tempdir");
    let dup = write(
        dir.path(),
        "h.csv",
        "epoch,loss,loss,val_loss\n0,1,2,3\n1,1,2,3\n",
    );
    let r = train_check(dir.path(), &[&"--model", &candidate(), &"--metrics", &dup]);
    assert_bad_input(&r, &["the column `loss` appears more than once"]);
    let scalar = write(dir.path(), "m.json", "42\n");
    let r = train_check(
        dir.path(),
        &[&"--model", &candidate(), &"--metrics", &scalar],
    );
    assert_bad_input(
        &r,
        &["the top level is neither a mapping of metrics nor a list"],
    );
}

#[test]
fn a_huge_header_gives_one_short_line() {
    // Issue 14 #12: a 100 MB header was printed whole into one stderr line.
    let dir = tempfile::tempdir().expect("tempdir");
    let header = format!("epoch,{}\n0,\"x\"\n", "n".repeat(5_000_000));
    let log = write(dir.path(), "h.csv", &header);
    let r = train_check(dir.path(), &[&"--model", &candidate(), &"--metrics", &log]);
    assert_bad_input(&r, &["…"]);
    assert!(r.stderr.len() < 3_000, "{} bytes of stderr", r.stderr.len());
}

#[test]
fn a_long_log_is_read_in_linear_time() {
    // Issue 14 #5: 10k epochs took 1.5 s, 30k 11.5 s, 100k more than 120 s.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("epoch,loss,val_loss\n");
    for epoch in 0..100_000u32 {
        let loss = 1.0 / f64::from(epoch + 1);
        text.push_str(&format!("{epoch},{loss},{loss}\n"));
    }
    let log = write(dir.path(), "h.csv", &text);
    let started = std::time::Instant::now();
    let r = train_check(dir.path(), &[&"--model", &candidate(), &"--metrics", &log]);
    assert!(r.code == 0 || r.code == 1, "{r:#?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn usage_errors_are_one_line() {
    // Issue 14 #13: usage errors from the argument parser ran to 2-5 lines.
    let dir = tempfile::tempdir().expect("tempdir");
    let r = train_check(dir.path(), &[&"--no-such-flag", &digits("history.csv")]);
    assert_bad_input(&r, &["--no-such-flag", "(see `train-check --help`)"]);
    assert_eq!(r.stderr.lines().count(), 1, "{r:#?}");
}

#[test]
fn names_from_data_cannot_inject_workflow_commands() {
    // Issue 14 #8: a file name holding a newline and `::error::` was echoed raw, so the line
    // after it became a GitHub workflow command. The check names (which quote the metrics
    // file's name) and the report path are printed sanitised.
    let dir = tempfile::tempdir().expect("tempdir");
    let metrics = dir.path().join("m\n::error::pwned.json");
    std::fs::copy(digits("metrics.json"), &metrics).expect("copy metrics.json");
    let no_injection = |r: &crate::harness::Outcome| {
        for line in r.stdout.lines().chain(r.stderr.lines()) {
            assert!(
                !line.trim_start().starts_with("::"),
                "injected {line:?}: {r:#?}"
            );
        }
    };
    let args: [&dyn AsRef<std::ffi::OsStr>; 6] = [
        &"--model",
        &candidate(),
        &"--metrics",
        &metrics,
        &"--min",
        &"test.accuracy=0.5",
    ];
    let r = train_check(&dir.path().join("out"), &args);
    assert_eq!(r.code, 0, "{r:#?}");
    no_injection(&r);
    assert!(
        r.stdout.contains("m\\n::error::pwned.json"),
        "escaped: {r:#?}"
    );
    // An output folder with the same name: the report line is escaped too (the CI outputs then
    // refuse the line break, in one line of their own).
    let r = train_check(&dir.path().join("out\n::error::pwned"), &args);
    no_injection(&r);
    assert!(r.stdout.contains("out\\n::error::pwned"), "escaped: {r:#?}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:#?}");
}
