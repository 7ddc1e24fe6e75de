//! Issue 18 item 4 and issue 14 #6: quantize's `report.md` rendered as GitHub renders it
//! (CommonMark + GFM, by comrak) shows hostile node, weight, op, class and file names
//! literally, with no stray backslash, no injected markup and no live mention, inside and
//! outside code spans and tables.

use std::collections::BTreeMap;
use std::path::PathBuf;

use modelci_quantize::{Change, Skip};
use modelci_report::check::problems;
use quantize::report::{
    CalibrationInfo, ClassDelta, DatasetComparison, FileInfo, Gate, Report, markdown,
};

const NODE: &str = "conv_1|<img src=x onerror=alert(1)>";
const WEIGHT: &str = "w_`x`|[click](javascript:alert(1))";
const OP: &str = "Gemm`|`";
const REASON: &str = "shared with @everyone_*x*";
const CLASS: &str = "cat|`dog` <b>";
const DATA: &str = "data/test_set `x`|~~y~~";
const OUTPUT: &str = "out_`q`|<b>x</b>.onnx";

#[test]
fn hostile_names_render_literally_in_report_md() {
    let report = Report {
        passed: true,
        verified: true,
        summary: "ok".into(),
        mode: "dynamic",
        per_channel: false,
        input: FileInfo {
            path: PathBuf::from("in_x.onnx"),
            size: 100,
        },
        output: FileInfo {
            path: PathBuf::from(OUTPUT),
            size: 40,
        },
        output_written: true,
        nothing_to_quantize: None,
        size_reduction: 2.5,
        constants_folded: 0,
        opsets_deduplicated: 0,
        opset_upgrade: None,
        quantized: vec![Change {
            node: NODE.into(),
            op: "MatMul".into(),
            weight: WEIGHT.into(),
            bytes_before: 80,
            bytes_after: 20,
        }],
        skipped: vec![Skip {
            node: NODE.into(),
            op: OP.into(),
            reason: REASON.into(),
        }],
        calibration: Some(CalibrationInfo {
            path: PathBuf::from(DATA),
            source: "dataset",
            samples: 8,
            method: "minmax".into(),
        }),
        probe: None,
        cross_check: None,
        dataset: Some(DatasetComparison {
            path: PathBuf::from(DATA),
            samples: 10,
            batch_size: 1,
            accuracy_quantized_batch1: None,
            accuracy_original: Some(0.9),
            accuracy_quantized: Some(0.8),
            accuracy_delta_pt: Some(-10.0),
            macro_f1: Some((0.9, 0.8)),
            agreement: Some(0.9),
            latency_p50_ms: None,
            latency_ratio: None,
            per_class: vec![ClassDelta {
                class: CLASS.into(),
                f1_original: 0.9,
                f1_quantized: 0.8,
            }],
            mae: None,
        }),
        gates: vec![Gate {
            name: "max-accuracy-drop".into(),
            passed: true,
            measured: "-10 pt".into(),
        }],
        notes: Vec::new(),
        warnings: Vec::new(),
        charts: Vec::new(),
        metrics: BTreeMap::new(),
    };
    let md = markdown(&report);
    // Class names reach only the per-class chart, not report.md.
    let found = problems(&md, &[NODE, WEIGHT, OP, REASON, DATA, OUTPUT]);
    assert!(found.is_empty(), "{found:#?}\n\n{md}");
}
