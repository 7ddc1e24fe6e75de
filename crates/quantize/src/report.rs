//! The quantize report: `report.json` (the shared [`modelci_report::Envelope`] and this
//! tool's fields; schema `schemas/quantize.v1.json`), `report.md` and the charts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use modelci_eval::Evaluation;
use modelci_quantize::{Change, Skip};
use modelci_report::escape::escape_markdown;
use modelci_report::markdown::{fmt_bytes, table};
use modelci_report::{Chart, DeltaBars, GroupedBars, Series, ValueFormat};
use serde::Serialize;

use crate::verify::Verification;

/// One gate and how it went.
#[derive(Debug, Clone, Serialize)]
pub struct Gate {
    /// Short name, e.g. `accuracy drop <= 0.5 pt`.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// What was measured, for people.
    pub measured: String,
}

/// Original vs quantized on the dataset.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetComparison {
    /// The dataset path.
    pub path: PathBuf,
    /// Samples evaluated.
    pub samples: u64,
    /// Accuracy of the original model (classifiers).
    pub accuracy_original: Option<f64>,
    /// Accuracy of the quantized model (classifiers).
    pub accuracy_quantized: Option<f64>,
    /// quantized - original, in percentage points.
    pub accuracy_delta_pt: Option<f64>,
    /// Macro F1 of both models.
    pub macro_f1: Option<(f64, f64)>,
    /// Share of samples on which both models predict the same class.
    pub agreement: Option<f64>,
    /// Median batch latency of both models, in milliseconds.
    pub latency_p50_ms: Option<(f64, f64)>,
    /// Quantized latency / original latency (below 1: faster).
    pub latency_ratio: Option<f64>,
    /// Per class: name, F1 of the original, F1 of the quantized model.
    pub per_class: Vec<ClassDelta>,
    /// Regression: MAE of both models.
    pub mae: Option<(f64, f64)>,
    /// The batch size both models were evaluated at.
    pub batch_size: usize,
    /// Dynamic int8 evaluated at another batch size: the quantized model's accuracy at
    /// batch 1 too.
    pub accuracy_quantized_batch1: Option<f64>,
}

/// What static mode calibrated the activation ranges on.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationInfo {
    /// The file or folder.
    pub path: PathBuf,
    /// `calibration-data` (raw model inputs) or `dataset`.
    pub source: &'static str,
    /// Samples run through the model.
    pub samples: u64,
    /// `minmax` or `percentile`.
    pub method: String,
}

/// The F1 of one class before and after.
#[derive(Debug, Clone, Serialize)]
pub struct ClassDelta {
    /// The class name.
    pub class: String,
    /// F1 of the original model.
    pub f1_original: f64,
    /// F1 of the quantized model.
    pub f1_quantized: f64,
}

impl DatasetComparison {
    /// The comparison from an evaluation of `[original, quantized]`.
    #[must_use]
    pub fn of(evaluation: &Evaluation, path: &Path) -> Self {
        let [o, q, ..] = evaluation.models.as_slice() else {
            return Self::empty(path);
        };
        let oc = o.classification.as_ref();
        let qc = q.classification.as_ref();
        let latency = o
            .latency
            .as_ref()
            .zip(q.latency.as_ref())
            .map(|(a, b)| (a.p50_ms, b.p50_ms));
        Self {
            path: path.to_owned(),
            samples: evaluation.samples,
            accuracy_original: oc.map(|c| c.accuracy),
            accuracy_quantized: qc.map(|c| c.accuracy),
            accuracy_delta_pt: oc.zip(qc).map(|(a, b)| (b.accuracy - a.accuracy) * 100.0),
            macro_f1: oc.zip(qc).map(|(a, b)| (a.macro_f1, b.macro_f1)),
            agreement: evaluation.pair.as_ref().map(|p| p.agreement),
            latency_p50_ms: latency,
            latency_ratio: latency.filter(|(a, _)| *a > 0.0).map(|(a, b)| b / a),
            per_class: oc
                .zip(qc)
                .map(|(a, b)| {
                    a.per_class
                        .iter()
                        .zip(&b.per_class)
                        .enumerate()
                        .map(|(i, (x, y))| ClassDelta {
                            class: evaluation
                                .class_names
                                .get(i)
                                .cloned()
                                .unwrap_or_else(|| i.to_string()),
                            f1_original: x.f1,
                            f1_quantized: y.f1,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            mae: o
                .regression
                .as_ref()
                .zip(q.regression.as_ref())
                .map(|(a, b)| (a.mae, b.mae)),
            batch_size: 0,
            accuracy_quantized_batch1: None,
        }
    }

    fn empty(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            samples: 0,
            accuracy_original: None,
            accuracy_quantized: None,
            accuracy_delta_pt: None,
            macro_f1: None,
            agreement: None,
            latency_p50_ms: None,
            latency_ratio: None,
            per_class: Vec::new(),
            mae: None,
            batch_size: 0,
            accuracy_quantized_batch1: None,
        }
    }
}

/// A model file in the report.
#[derive(Debug, Clone, Serialize)]
pub struct FileInfo {
    /// The path as given.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
}

pub use modelci_report::ChartFile;

/// Everything the report says.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Whether every gate passed (also `verdict.passed` of the envelope).
    pub passed: bool,
    /// Whether the output ran in the engine and its outputs were compared with the
    /// original's (see `probe`).
    pub verified: bool,
    /// The one-line verdict (also `verdict.summary` of the envelope).
    pub summary: String,
    /// The mode.
    pub mode: &'static str,
    /// Whether scales are per channel.
    pub per_channel: bool,
    /// The input model.
    pub input: FileInfo,
    /// The output model (size of what was or would have been written).
    pub output: FileInfo,
    /// Whether the output file was written.
    pub output_written: bool,
    /// Nothing was rewritten, and why (the normalised model was written).
    pub nothing_to_quantize: Option<String>,
    /// Input size / output size (3.0: three times smaller).
    pub size_reduction: f64,
    /// `Constant` nodes folded into initializers before quantizing.
    pub constants_folded: usize,
    /// Repeated opset imports merged.
    pub opsets_deduplicated: usize,
    /// The default-domain opset import raised for the mode, if it was.
    pub opset_upgrade: Option<modelci_quantize::opset::Upgrade>,
    /// Nodes rewritten.
    pub quantized: Vec<Change>,
    /// Candidates left alone, with the reason.
    pub skipped: Vec<Skip>,
    /// Static mode: the calibration data.
    pub calibration: Option<CalibrationInfo>,
    /// The verification: both models on the same inputs in the engine.
    pub probe: Option<Verification>,
    /// `--cross-check`: the quantized model in both engines on the verification inputs.
    pub cross_check: Option<modelci_eval::CrossCheck>,
    /// The dataset comparison.
    pub dataset: Option<DatasetComparison>,
    /// The gates.
    pub gates: Vec<Gate>,
    /// What a reader needs to read the numbers right (batch size rule, latency).
    pub notes: Vec<String>,
    /// Warnings of the run.
    pub warnings: Vec<String>,
    /// The charts (written as the envelope's `charts`).
    #[serde(skip)]
    pub charts: Vec<ChartFile>,
    /// The quantized model's numbers under eval-diff's metric names (`size`, `accuracy`,
    /// `macro_f1`, `latency_p50_ms`, `agreement`), so that `publish --report` can carry them into
    /// a release manifest. Filled in when the report is finished; written as the envelope's
    /// `metrics`.
    #[serde(skip)]
    pub metrics: BTreeMap<String, f64>,
}

impl Report {
    /// The quantized model's metrics (see [`Report::metrics`]).
    #[must_use]
    pub fn quantized_metrics(&self) -> BTreeMap<String, f64> {
        let mut m = BTreeMap::new();
        if self.output.size > 0 {
            #[allow(clippy::cast_precision_loss)]
            m.insert("size".to_owned(), self.output.size as f64);
        }
        if let Some(d) = &self.dataset {
            let mut put = |k: &str, v: Option<f64>| {
                if let Some(v) = v.filter(|v| v.is_finite()) {
                    m.insert(k.to_owned(), v);
                }
            };
            put("accuracy", d.accuracy_quantized);
            put("macro_f1", d.macro_f1.map(|(_, q)| q));
            put("latency_p50_ms", d.latency_p50_ms.map(|(_, q)| q));
            put("agreement", d.agreement);
            put("mae", d.mae.map(|(_, q)| q));
        }
        m
    }
}

/// The charts of a report, not rendered yet.
#[must_use]
pub fn charts(report: &Report) -> Vec<(&'static str, Chart)> {
    let mut charts = Vec::new();
    #[allow(clippy::cast_precision_loss)]
    let kib = |b: u64| b as f64 / 1024.0;
    charts.push((
        "size",
        Chart::from(GroupedBars {
            title: "Model size (KiB)".into(),
            y_label: "KiB".into(),
            categories: vec!["file size".into()],
            series: vec![
                Series::new("original", vec![kib(report.input.size)]),
                Series::new("quantized", vec![kib(report.output.size)]),
            ],
            y_range: None,
            value_format: ValueFormat::Decimal { places: 1 },
        }),
    ));
    if let Some(d) = &report.dataset {
        if let (Some(a), Some(b), Some((fa, fb))) =
            (d.accuracy_original, d.accuracy_quantized, d.macro_f1)
        {
            charts.push((
                "metrics",
                Chart::from(GroupedBars {
                    title: "Original vs quantized".into(),
                    y_label: "score".into(),
                    categories: vec!["Accuracy".into(), "Macro F1".into()],
                    series: vec![
                        Series::new("original", vec![a, fa]),
                        Series::new("quantized", vec![b, fb]),
                    ],
                    y_range: Some((0.0, 1.0)),
                    value_format: ValueFormat::Percent { places: 1 },
                }),
            ));
        }
        if !d.per_class.is_empty() {
            charts.push((
                "per_class_f1",
                Chart::from(DeltaBars {
                    title: "Change in F1 per class (quantized - original)".into(),
                    y_label: "Δ F1".into(),
                    categories: d.per_class.iter().map(|c| c.class.clone()).collect(),
                    values: d
                        .per_class
                        .iter()
                        .map(|c| c.f1_quantized - c.f1_original)
                        .collect(),
                    value_format: ValueFormat::Decimal { places: 3 },
                    limits: Vec::new(),
                }),
            ));
        }
    }
    charts
}

/// Renders `charts` into `dir`.
///
/// # Errors
/// When a chart cannot be drawn or written.
pub fn render(
    charts: Vec<(&'static str, Chart)>,
    dir: &Path,
) -> Result<Vec<ChartFile>, modelci_report::ReportError> {
    modelci_report::envelope::render_files(charts, dir)
}

fn pct(v: f64) -> String {
    format!("{:.2}%", v * 100.0)
}

/// Names from the model (nodes, ops, weights) and paths, as code spans that cannot split a
/// table cell (the one escaping policy of `modelci_report::escape`).
fn code(text: &str) -> String {
    modelci_report::escape::code_span(text)
}

/// A code span in prose (outside a table, `|` needs no escape and would show one).
fn code_prose(text: &str) -> String {
    modelci_report::escape::code_span_prose(text)
}

/// The verification section: what ran on what, and per output the differences.
fn verification(md: &mut String, v: &Verification) {
    md.push_str(&format!("### Verification in {}\n\n", v.engine));
    if let Some(reason) = &v.not_verified {
        md.push_str(&format!(
            "**Not verified**: {}. Nothing was compared, so nothing is claimed about the output's values.\n\n",
            escape_markdown(reason)
        ));
        return;
    }
    if let Some(error) = &v.error {
        md.push_str(&format!("❌ {}\n\n", escape_markdown(error)));
        return;
    }
    let on = match &v.path {
        Some(p) => format!(
            "{} sample(s) of {} (`--{}`)",
            v.samples,
            code_prose(&p.display().to_string()),
            v.source
        ),
        None => format!(
            "generated inputs (dynamic sizes from `--input-shape`, else {})",
            crate::feed::DEFAULT_DIM
        ),
    };
    let shapes: Vec<String> = v.shapes.iter().map(|s| format!("{s:?}")).collect();
    md.push_str(&format!(
        "{} {} on {on}, input shape(s) {}: largest difference {:.4}% of the largest original output (tolerance {}){}.\n\n",
        if v.passed { "✅" } else { "❌" },
        if v.passed { "Verified" } else { "Failed" },
        shapes.join(", "),
        v.max_relative_error.unwrap_or(0.0) * 100.0,
        v.tolerance,
        if v.non_finite > 0 {
            format!(
                "; **{} value(s) NaN or infinite** where the original's are finite",
                v.non_finite
            )
        } else {
            String::new()
        }
    ));
    let rows: Vec<Vec<String>> = v
        .outputs
        .iter()
        .map(|o| {
            vec![
                code(&o.name),
                o.values.to_string(),
                format!("{:.6}", o.max_abs_diff),
                format!("{:.6}", o.mean_abs_diff),
                o.non_finite.to_string(),
                o.top1_agreement.map_or(String::new(), pct),
            ]
        })
        .collect();
    md.push_str(&table(
        &[
            "output",
            "values",
            "max abs diff",
            "mean abs diff",
            "NaN/inf",
            "top-1 agreement",
        ],
        &rows,
        &[],
    ));
    md.push('\n');
}

/// The Markdown report.
#[must_use]
pub fn markdown(r: &Report) -> String {
    let mut md = String::new();
    let icon = match (r.passed, r.verified) {
        (false, _) => "❌",
        (true, true) => "✅",
        (true, false) => "⚠️",
    };
    md.push_str(&format!(
        "## {icon} quantize: {}\n\n",
        escape_markdown(&r.summary)
    ));
    md.push_str(&format!(
        "Mode **{}**{}; input {} ({}), output {} ({}{}).\n\n",
        r.mode,
        if r.per_channel {
            ", per-channel scales"
        } else {
            ""
        },
        code_prose(&r.input.path.display().to_string()),
        fmt_bytes(r.input.size),
        code_prose(&r.output.path.display().to_string()),
        fmt_bytes(r.output.size),
        if r.output_written {
            ""
        } else {
            ", not written"
        },
    ));
    let mut rows: Vec<Vec<String>> = vec![vec![
        "size".into(),
        fmt_bytes(r.input.size),
        fmt_bytes(r.output.size),
        format!("{:.2}x smaller", r.size_reduction),
    ]];
    if let Some(d) = &r.dataset {
        if let (Some(a), Some(b), Some(delta)) = (
            d.accuracy_original,
            d.accuracy_quantized,
            d.accuracy_delta_pt,
        ) {
            rows.push(vec![
                "accuracy".into(),
                pct(a),
                pct(b),
                format!("{delta:+.2} pt"),
            ]);
        }
        if let Some((a, b)) = d.macro_f1 {
            rows.push(vec![
                "macro F1".into(),
                format!("{a:.4}"),
                format!("{b:.4}"),
                format!("{:+.4}", b - a),
            ]);
        }
        if let Some((a, b)) = d.mae {
            rows.push(vec![
                "MAE".into(),
                format!("{a:.4}"),
                format!("{b:.4}"),
                format!("{:+.4}", b - a),
            ]);
        }
        if let (Some((a, b)), Some(ratio)) = (d.latency_p50_ms, d.latency_ratio) {
            rows.push(vec![
                "latency p50 / batch".into(),
                format!("{a:.3} ms"),
                format!("{b:.3} ms"),
                format!("{ratio:.2}x"),
            ]);
        }
        if let Some(agreement) = d.agreement {
            rows.push(vec![
                "agreement".into(),
                String::new(),
                pct(agreement),
                String::new(),
            ]);
        }
    }
    md.push_str(&table(&["", "original", "quantized", "change"], &rows, &[]));
    md.push('\n');
    if let Some(c) = &r.calibration {
        md.push_str(&format!(
            "Activation ranges calibrated ({}) on {} ({} samples{}).\n\n",
            c.method,
            code_prose(&c.path.display().to_string()),
            c.samples,
            if c.source == "dataset" {
                ", the dataset"
            } else {
                ", raw model inputs"
            }
        ));
    }
    if let Some(d) = &r.dataset {
        md.push_str(&format!(
            "Dataset: {} ({} samples, batch size {}{}).\n\n",
            code_prose(&d.path.display().to_string()),
            d.samples,
            d.batch_size,
            d.accuracy_quantized_batch1
                .map_or(String::new(), |a| format!(
                    "; the quantized model at batch size 1: accuracy {}",
                    pct(a)
                ))
        ));
    } else if r.output_written {
        md.push_str("No `--dataset`: accuracy was not compared (verification below).\n\n");
    }
    if !r.gates.is_empty() {
        let rows: Vec<Vec<String>> = r
            .gates
            .iter()
            .map(|g| {
                vec![
                    if g.passed { "✅".into() } else { "❌".into() },
                    escape_markdown(&g.name),
                    escape_markdown(&g.measured),
                ]
            })
            .collect();
        md.push_str("### Gates\n\n");
        md.push_str(&table(&["", "gate", "measured"], &rows, &[]));
        md.push('\n');
    }
    for c in &r.charts {
        md.push_str(&format!(
            "![{}]({})\n\n",
            escape_markdown(&c.title),
            c.png.display()
        ));
    }
    if let Some(v) = &r.probe {
        verification(&mut md, v);
    }
    if let (Some(cross), Some(v)) = (&r.cross_check, &r.probe) {
        md.push_str(&format!(
            "### Cross-check: {} vs {}\n\nThe quantized model run in both engines on the verification inputs.\n\n{}\n{} {} ({}).\n\n",
            v.engine,
            cross.engine.name,
            cross.markdown_table(&|text: &str| escape_markdown(text)),
            cross.engine.name,
            escape_markdown(&cross.engine.version),
            escape_markdown(&cross.engine.selected)
        ));
    }
    for note in &r.notes {
        md.push_str(&format!("{}\n\n", escape_markdown(note)));
    }
    for warning in &r.warnings {
        md.push_str(&format!("> ⚠️ {}\n\n", escape_markdown(warning)));
    }
    if let Some(u) = &r.opset_upgrade {
        md.push_str(&format!(
            "Opset import raised from {} to {} for this mode: no operator of the model changed meaning in between (checked against the ONNX operator changelog).\n\n",
            u.from, u.to
        ));
    }
    if let Some(reason) = &r.nothing_to_quantize {
        md.push_str(&format!(
            "Nothing to quantize: {}. The normalised model was written to {}, so the next step finds its file.\n\n",
            escape_markdown(reason),
            code(&r.output.path.display().to_string())
        ));
    }
    if r.constants_folded > 0 || r.opsets_deduplicated > 0 {
        md.push_str(&format!(
            "Normalised first: {} `Constant` node(s) folded into initializers, {} repeated opset import(s) merged.\n\n",
            r.constants_folded, r.opsets_deduplicated
        ));
    }
    let done: Vec<Vec<String>> = r
        .quantized
        .iter()
        .map(|c| {
            vec![
                code(&c.node),
                code(&c.op),
                if c.weight.is_empty() {
                    String::new()
                } else {
                    code(&c.weight)
                },
                if c.bytes_before == 0 {
                    String::new()
                } else {
                    format!(
                        "{} → {}",
                        fmt_bytes(c.bytes_before as u64),
                        fmt_bytes(c.bytes_after as u64)
                    )
                },
            ]
        })
        .collect();
    let skipped: Vec<Vec<String>> = r
        .skipped
        .iter()
        .map(|s| vec![code(&s.node), code(&s.op), escape_markdown(&s.reason)])
        .collect();
    let mut body = String::new();
    if !done.is_empty() {
        body.push_str(&table(&["node", "op", "weight", "bytes"], &done, &[]));
        body.push('\n');
    }
    if !skipped.is_empty() {
        body.push_str("Left as they were:\n\n");
        body.push_str(&table(&["node", "op", "why"], &skipped, &[]));
        body.push('\n');
    }
    if !body.is_empty() {
        md.push_str(&modelci_report::markdown::details(
            &format!(
                "{} node(s) rewritten, {} left as they were",
                done.len(),
                skipped.len()
            ),
            &body,
        ));
        md.push('\n');
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cells of a GFM table row: split on every `|` not escaped by a backslash.
    fn cells(row: &str) -> usize {
        let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
        let mut count = 1;
        let mut escaped = false;
        for c in inner.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => count += 1,
                _ => escaped = false,
            }
        }
        count
    }

    #[test]
    fn hostile_node_and_weight_names_stay_inside_their_cells() {
        // Issue 14 #6: `|` was not escaped in quantize's tables, so a node name split its cell
        // and GitHub rendered a raw `<img onerror>`, a `javascript:` link and `@everyone`.
        let evil = "a|<img src=x onerror=alert(1)>|[x](javascript:alert(1))|@everyone";
        let report = Report {
            passed: true,
            verified: true,
            summary: "ok".into(),
            mode: "dynamic",
            per_channel: false,
            input: FileInfo {
                path: PathBuf::from("in.onnx"),
                size: 10,
            },
            output: FileInfo {
                path: PathBuf::from("out|<b>x</b>.onnx"),
                size: 5,
            },
            output_written: true,
            nothing_to_quantize: None,
            size_reduction: 2.0,
            constants_folded: 0,
            opsets_deduplicated: 0,
            opset_upgrade: None,
            quantized: vec![Change {
                node: evil.into(),
                op: "MatMul".into(),
                weight: format!("w{evil}"),
                bytes_before: 8,
                bytes_after: 2,
            }],
            skipped: vec![Skip {
                node: evil.into(),
                op: "Gemm`|`".into(),
                reason: evil.into(),
            }],
            calibration: None,
            probe: None,
            cross_check: None,
            dataset: None,
            gates: Vec::new(),
            notes: Vec::new(),
            warnings: Vec::new(),
            charts: Vec::new(),
            metrics: BTreeMap::new(),
        };
        let md = markdown(&report);
        let mut header_cells = None;
        for line in md.lines() {
            if line.starts_with('|') {
                if line.contains("---") {
                    continue;
                }
                let n = cells(line);
                if line.contains("node") && line.contains("op") {
                    header_cells = Some(n);
                } else if let Some(h) = header_cells {
                    assert_eq!(n, h, "a row with {n} cells under a header of {h}: {line}");
                }
            } else {
                header_cells = None;
            }
        }
        for row in md.lines().filter(|l| l.contains("alert")) {
            // Outside code spans nothing may be live: no tag, no link, no mention.
            let outside: String = row
                .split('`')
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(_, part)| part)
                .collect();
            assert!(!outside.contains("<img"), "{row}");
            assert!(
                !outside.replace("\\](", "").contains("](javascript"),
                "{row}"
            );
            assert!(!outside.contains("@everyone"), "{row}");
        }
    }
}
