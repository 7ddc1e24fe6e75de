//! Issue 18 item 4 (and issue 14's escaping policy): the model card publish puts in every
//! bundle (`README.md`), rendered as GitHub renders it (CommonMark + GFM, by comrak), shows
//! hostile names (tensor names, file paths, the dataset path, metric names, the branch)
//! literally, with no stray backslash, no injected markup and no live mention.

use std::collections::BTreeMap;

use modelci_bundle::card;
use modelci_bundle::manifest::{
    DatasetInfo, FileEntry, Manifest, ModelEntry, ReportInfo, Source, TensorEntry, Tool,
};
use modelci_report::check::problems;

const INPUT: &str = "input_`x`|<img src=x onerror=alert(1)>";
const OUTPUT: &str = "[click](javascript:alert(1))_@everyone";
const FILE: &str = "models/model_`v2`|x.onnx";
const DATASET: &str = "data/test_*set*|~~x~~ <b>";
const METRIC: &str = "accuracy_`top`|@team";
const BRANCH: &str = "feature/_x_|`y`";

fn tensor(name: &str) -> TensorEntry {
    TensorEntry {
        name: name.into(),
        elem_type: "float32".into(),
        shape: Some(vec![serde_json::json!("N"), serde_json::json!(64)]),
    }
}

#[test]
fn hostile_names_render_literally_in_the_model_card() {
    let manifest = Manifest {
        schema: "https://modelci.dev/schemas/bundle/v1".into(),
        name: "digits".into(),
        version: "1.0.0".into(),
        created: None,
        source: Source {
            commit: Some("0123abc".into()),
            branch: Some(BRANCH.into()),
            tag: None,
            repository: Some("o/r".into()),
        },
        files: vec![FileEntry {
            path: FILE.into(),
            sha256: "ab".repeat(32),
            size: 10,
            kind: "model".into(),
        }],
        models: vec![ModelEntry {
            path: FILE.into(),
            inputs: vec![tensor(INPUT)],
            outputs: vec![tensor(OUTPUT)],
            opset: 13,
            parameters: 650,
            producer: "pytorch_`x`".into(),
        }],
        metrics: BTreeMap::from([(METRIC.to_owned(), 0.97)]),
        report: Some(ReportInfo {
            schema: None,
            tool: Some("eval-diff".into()),
            tool_version: None,
            passed: Some(true),
            task: Some("classification".into()),
            dataset: Some(DatasetInfo {
                path: DATASET.into(),
                kind: Some("image-folder".into()),
                samples: Some(10),
            }),
            sha256: "cd".repeat(32),
        }),
        tool: Tool {
            name: "publish".into(),
            version: "0.1.0".into(),
        },
    };
    let md = card::render(&manifest);
    let found = problems(
        &md,
        &[INPUT, OUTPUT, FILE, DATASET, METRIC, BRANCH, "pytorch_`x`"],
    );
    assert!(found.is_empty(), "{found:#?}\n\n{md}");
}
