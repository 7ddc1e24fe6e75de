//! The model card (`README.md` in the bundle), in the Hugging Face format: YAML front matter
//! with `model-index` results, then Markdown for people.
//!
//! Every string from user data (names, paths, tensor names, metric names) is written as a
//! double-quoted YAML scalar (JSON string syntax, which YAML accepts) and escaped with
//! [`modelci_report::escape_markdown`] in the Markdown part.

use std::fmt::Write as _;

use modelci_report::escape_markdown;

use crate::manifest::{Manifest, TensorEntry};

/// Metrics that describe quality (the ones a model card's `model-index` lists); speed and size
/// stay in the manifest.
const QUALITY: &[&str] = &[
    "accuracy",
    "top_k_accuracy",
    "macro_f1",
    "weighted_f1",
    "macro_precision",
    "macro_recall",
    "mae",
    "rmse",
    "r2",
];

/// Renders the model card for `manifest`.
#[must_use]
pub fn render(manifest: &Manifest) -> String {
    let mut out = String::from("---\n");
    out.push_str("library_name: onnx\ntags:\n- onnx\n- modelci\n");
    let quality: Vec<(&String, f64)> = manifest
        .metrics
        .iter()
        .filter(|(k, v)| QUALITY.contains(&k.as_str()) && v.is_finite())
        .map(|(k, v)| (k, *v))
        .collect();
    if let Some(report) = &manifest.report
        && !quality.is_empty()
    {
        let dataset = report.dataset.as_ref();
        let dataset_name = dataset.map_or("unknown", |d| d.path.as_str());
        let dataset_type = dataset.and_then(|d| d.kind.as_deref()).unwrap_or("unknown");
        let _ = writeln!(out, "model-index:\n- name: {}", yaml(&manifest.name));
        out.push_str("  results:\n  - task:\n");
        let _ = writeln!(out, "      type: {}", yaml(task_type(manifest)));
        out.push_str("    dataset:\n");
        let _ = writeln!(out, "      name: {}", yaml(dataset_name));
        let _ = writeln!(out, "      type: {}", yaml(dataset_type));
        out.push_str("    metrics:\n");
        for (name, value) in &quality {
            let _ = writeln!(
                out,
                "    - type: {}\n      value: {}\n      name: {}",
                yaml(name),
                number(*value),
                yaml(name)
            );
        }
    }
    out.push_str("---\n\n");

    let _ = writeln!(
        out,
        "# {} {}\n",
        escape_markdown(&manifest.name),
        escape_markdown(&manifest.version)
    );
    let _ = writeln!(
        out,
        "Bundled by {} {}. Verify with `publish verify {}`.\n",
        escape_markdown(&manifest.tool.name),
        escape_markdown(&manifest.tool.version),
        manifest.zip_name()
    );
    out.push_str("## Provenance\n\n");
    let rows = [
        ("repository", manifest.source.repository.as_deref()),
        ("commit", manifest.source.commit.as_deref()),
        ("branch", manifest.source.branch.as_deref()),
        ("tag", manifest.source.tag.as_deref()),
        ("created", manifest.created.as_deref()),
    ];
    for (label, value) in rows {
        let _ = writeln!(
            out,
            "- {label}: {}",
            value.map_or_else(|| "unknown".to_owned(), escape_markdown)
        );
    }
    out.push('\n');
    for model in &manifest.models {
        let _ = writeln!(out, "## Model `{}`\n", code(&model.path));
        let _ = writeln!(
            out,
            "Opset {}, {} parameters, exported by {}.\n",
            model.opset,
            model.parameters,
            if model.producer.trim().is_empty() {
                "an unknown tool".to_owned()
            } else {
                escape_markdown(&model.producer)
            }
        );
        out.push_str("| | name | type | shape |\n|---|---|---|---|\n");
        for (kind, list) in [("input", &model.inputs), ("output", &model.outputs)] {
            for t in list {
                let _ = writeln!(
                    out,
                    "| {kind} | {} | {} | {} |",
                    escape_markdown(&t.name),
                    escape_markdown(&t.elem_type),
                    shape(t)
                );
            }
        }
        out.push('\n');
    }
    if !manifest.metrics.is_empty() {
        out.push_str("## Metrics\n\n");
        if let Some(d) = manifest.report.as_ref().and_then(|r| r.dataset.as_ref()) {
            let _ = writeln!(out, "Measured on {}.\n", escape_markdown(&d.path));
        }
        out.push_str("| metric | value |\n|---|---|\n");
        for (name, value) in &manifest.metrics {
            let _ = writeln!(out, "| {} | {} |", escape_markdown(name), number(*value));
        }
        out.push('\n');
    }
    if manifest
        .files
        .iter()
        .any(|f| f.kind == crate::drift::DRIFT_REFERENCE_KIND)
    {
        let _ = writeln!(
            out,
            "Monitoring statistics of the evaluation data and the model's predictions are included (`{}`): `drift-check --reference` compares production data with them.\n",
            crate::drift::DRIFT_REFERENCE
        );
    }
    out.push_str("## Files\n\n| file | size | sha256 |\n|---|---|---|\n");
    for f in &manifest.files {
        let _ = writeln!(
            out,
            "| {} | {} | `{}` |",
            escape_markdown(&f.path),
            f.size,
            f.sha256
        );
    }
    out
}

/// The Hugging Face task type, from the report's task and the first model's input rank.
fn task_type(manifest: &Manifest) -> &'static str {
    let task = manifest.report.as_ref().and_then(|r| r.task.as_deref());
    let image = manifest
        .report
        .as_ref()
        .and_then(|r| r.dataset.as_ref())
        .and_then(|d| d.kind.as_deref())
        == Some("image-folder")
        || manifest
            .models
            .first()
            .and_then(|m| m.inputs.first())
            .and_then(|t| t.shape.as_ref())
            .is_some_and(|s| s.len() >= 3);
    match (task, image) {
        (Some("regression"), _) => "tabular-regression",
        (_, true) => "image-classification",
        _ => "tabular-classification",
    }
}

/// A double-quoted YAML scalar (JSON string syntax is valid YAML).
fn yaml(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// A number in its shortest round-trip form (`null` if not finite).
fn number(v: f64) -> String {
    serde_json::Value::from(v).to_string()
}

/// Text for inside a Markdown code span: backticks and line breaks removed.
fn code(text: &str) -> String {
    text.chars()
        .map(|c| if c == '`' || c.is_control() { '_' } else { c })
        .collect()
}

/// `[N, 1, 8, 8]` with dynamic dimensions by name or `?`.
fn shape(t: &TensorEntry) -> String {
    match &t.shape {
        None => "?".to_owned(),
        Some(dims) => {
            let parts: Vec<String> = dims
                .iter()
                .map(|d| match d {
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::String(s) => escape_markdown(s),
                    _ => "?".to_owned(),
                })
                .collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{DatasetInfo, ReportInfo, Source, Tool};

    fn manifest() -> Manifest {
        Manifest {
            schema: crate::manifest::SCHEMA.into(),
            name: "digits".into(),
            version: "1.0.0".into(),
            created: None,
            source: Source::default(),
            files: Vec::new(),
            models: Vec::new(),
            metrics: [
                ("accuracy".to_owned(), 0.5),
                ("latency_p50_ms".to_owned(), 3.0),
            ]
            .into_iter()
            .collect(),
            report: Some(ReportInfo {
                schema: None,
                tool: Some("eval-diff".into()),
                tool_version: None,
                passed: Some(true),
                task: Some("classification".into()),
                dataset: Some(DatasetInfo {
                    path: "data/<b>\"x\"\ny".into(),
                    kind: Some("image-folder".into()),
                    samples: Some(3),
                }),
                sha256: String::new(),
            }),
            tool: Tool {
                name: "publish".into(),
                version: "0".into(),
            },
        }
    }

    #[test]
    fn front_matter_has_model_index_and_escapes_user_text() {
        let card = render(&manifest());
        let front = card.split("---\n").nth(1).unwrap_or_default();
        assert!(front.contains("model-index:\n- name: \"digits\""), "{card}");
        assert!(front.contains("type: \"image-classification\""), "{card}");
        assert!(
            front.contains("name: \"data/<b>\\\"x\\\"\\ny\""),
            "quoted YAML: {card}"
        );
        assert!(
            front.contains("- type: \"accuracy\"\n      value: 0.5"),
            "{card}"
        );
        assert!(!front.contains("latency"), "speed is not a quality result");
        assert!(!card.contains("<b>\"x\""), "escaped in Markdown: {card}");
    }
}
