//! `report.md`: what a reviewer reads, in the order they need it.
//!
//! 1. one verdict line;
//! 2. the comparison table;
//! 3. what the accuracy change means (flips, McNemar, bootstrap interval);
//! 4. the gates;
//! 5. the main chart (Mermaid inline, so it renders in a PR/MR comment with no image host, and
//!    the PNG for the files);
//! 6. the trend over releases (`--history`, [`crate::trend`]);
//! 7. collapsible details: per-class table, confusion matrices, flipped samples, the models.
//!
//! Every piece of user data (class names, file names, paths) goes through
//! [`modelci_report::escape_markdown`].

use std::fmt::Write as _;

use modelci_eval::{Evaluation, ModelEvaluation, Task};
use modelci_gate::{GateResult, Unit};
use modelci_metrics::pair::Flip;
use modelci_report::markdown::{
    Align, details, fmt_bytes, fmt_delta, fmt_delta_pp, fmt_pct, table,
};
use modelci_report::{Chart, escape_markdown as esc, mermaid};

use crate::charts::ChartFile;
use crate::comparison::MetricRow;

/// Under the main chart: what its bars and line are (Mermaid has no legend).
const MAIN_CHART_CAPTION: &str = "*Bars: candidate minus baseline (below zero: the candidate is lower); absolute values are in the table above.*\n";
/// Added to the caption when gates are drawn.
const GATE_LINE_CAPTION: &str = "*Purple line: each gate's limit, which a bar must not cross (at zero for a metric without a gate).*\n";

/// Flipped samples listed by name in the report, per kind.
pub const FLIPS_SHOWN: usize = 20;

/// Everything the Markdown report is written from.
#[derive(Debug)]
pub struct ReportInput<'a> {
    /// The evaluation.
    pub evaluation: &'a Evaluation,
    /// The comparison rows.
    pub rows: &'a [MetricRow],
    /// The judged gates.
    pub gates: &'a [GateResult],
    /// The rendered charts.
    pub charts: &'a [ChartFile],
    /// The dataset path as given.
    pub dataset: &'a str,
    /// Where the baseline came from and the dataset's content hash.
    pub provenance: Option<(
        &'a modelci_baseline::Provenance,
        &'a modelci_baseline::digest::DatasetDigest,
    )>,
    /// The trend over releases (`--history`), already written ([`crate::trend::section`]);
    /// empty when off.
    pub trend: String,
    /// How the texts were tokenized (text datasets only).
    pub text: Option<&'a modelci_eval::TextSummary>,
    /// The values of listed flipped samples, by sample id (arrays and CSV rows).
    pub sample_values: &'a std::collections::BTreeMap<String, String>,
}

/// The verdict line without Markdown decoration, for `report.json` and standard output.
#[must_use]
pub fn verdict_text(input: &ReportInput<'_>) -> String {
    let failed: Vec<&GateResult> = input.gates.iter().filter(|g| !g.passed).collect();
    let headline = headline(input.rows);
    if input.gates.is_empty() {
        format!("no gates configured (informational): {headline}")
    } else if failed.is_empty() {
        format!("passed: all {} gate(s) hold: {headline}", input.gates.len())
    } else {
        let names: Vec<&str> = failed.iter().map(|g| g.gate.as_str()).collect();
        format!(
            "failed: {} of {} gate(s) failed ({}): {headline}",
            failed.len(),
            input.gates.len(),
            names.join(", ")
        )
    }
}

/// The primary metric's change, e.g. `accuracy 96.67% → 99.72% (+3.06 pp)`.
fn headline(rows: &[MetricRow]) -> String {
    let primary = rows
        .iter()
        .find(|r| r.name == "accuracy")
        .or_else(|| rows.iter().find(|r| r.name == "rmse"));
    match primary {
        Some(r) => format!(
            "{} {} → {} ({})",
            r.label.to_lowercase(),
            value(r.unit, r.baseline),
            value(r.unit, r.candidate),
            delta(r.unit, r.delta)
        ),
        None => "no comparable metric".to_owned(),
    }
}

/// Writes the whole report.
#[must_use]
pub fn render(input: &ReportInput<'_>) -> String {
    let mut md = String::new();
    let failed = input.gates.iter().any(|g| !g.passed);
    let icon = match (input.gates.is_empty(), failed) {
        (true, _) => "ℹ️",
        (false, false) => "✅",
        (false, true) => "❌",
    };
    let _ = writeln!(md, "## {icon} eval-diff {}\n", esc(&verdict_text(input)));
    md.push_str(&comparison_table(input.rows));
    md.push_str(&absent_classes(input.evaluation));
    md.push_str(&crate::finite::section(input.evaluation));
    md.push_str(&crate::texts::section(input.text, input.evaluation.samples));
    if let Some(significance) = significance(input.evaluation) {
        let _ = writeln!(md, "\n{significance}");
    }
    if !input.gates.is_empty() {
        let _ = writeln!(md, "\n### Gates\n\n{}", gates_table(input.gates));
    }
    md.push_str(&crate::execution::cross_section(input.evaluation));
    if let Some(main) = input.charts.iter().find(|c| c.name == "metrics") {
        if let Some(chart) = mermaid::xychart(&main.chart) {
            let _ = writeln!(md, "\n{}", mermaid::fenced(&chart));
            md.push_str(MAIN_CHART_CAPTION);
            let gated =
                matches!(&main.chart, Chart::DeltaBars(d) if d.limits.iter().any(Option::is_some));
            if gated {
                md.push_str(GATE_LINE_CAPTION);
            }
        }
        let _ = writeln!(md, "\n![{}]({})", esc(&main.title), main.png.display());
    }
    md.push_str(&input.trend);
    md.push('\n');
    md.push_str(&per_class(input));
    md.push_str(&confusion(input));
    md.push_str(&flips(input.evaluation, input.charts, input.sample_values));
    md.push_str(&models(input));
    match input.provenance {
        Some((baseline, dataset)) => md.push_str(&crate::provenance::section(baseline, dataset)),
        None => md.push_str("\n### Provenance\n\n| | |\n|---|---|\n"),
    }
    md.push_str(&crate::execution::provenance_rows(
        &input.evaluation.execution,
    ));
    let _ = writeln!(
        md,
        "\n<sub>eval-diff {} · dataset {} ({} samples) · report.json holds every figure</sub>",
        env!("CARGO_PKG_VERSION"),
        esc(input.dataset),
        input.evaluation.samples
    );
    md
}

fn comparison_table(rows: &[MetricRow]) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mark = match r.better {
                Some(true) => "✅ better",
                Some(false) => "⚠️ worse",
                None => "= same",
            };
            vec![
                r.label.clone(),
                value(r.unit, r.baseline),
                value(r.unit, r.candidate),
                delta(r.unit, r.delta),
                r.delta_pct
                    .map_or_else(|| "n/a".to_owned(), |p| format!("{}%", fmt_delta(p, 1))),
                mark.to_owned(),
            ]
        })
        .collect();
    table(
        &["Metric", "Baseline", "Candidate", "Δ", "Δ %", ""],
        &body,
        &[
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
        ],
    )
}

/// A value in its unit, for tables.
#[must_use]
pub fn value(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Fraction => fmt_pct(v, 2),
        Unit::Millis => format!("{v:.3} ms"),
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Unit::Bytes => fmt_bytes(v.max(0.0) as u64),
        Unit::Count => group_thousands(v),
        Unit::PerSecond => format!("{}/s", group_thousands(v)),
        Unit::Value => format!("{v:.4}"),
    }
}

/// A change in its unit, with an explicit sign.
#[must_use]
pub fn delta(unit: Unit, d: f64) -> String {
    match unit {
        Unit::Fraction => fmt_delta_pp(d, 2),
        Unit::Millis => format!("{} ms", fmt_delta(d, 3)),
        Unit::Bytes => {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let magnitude = fmt_bytes(d.abs() as u64);
            match d.partial_cmp(&0.0) {
                Some(std::cmp::Ordering::Greater) => format!("+{magnitude}"),
                Some(std::cmp::Ordering::Less) => format!("-{magnitude}"),
                _ => "±0 B".to_owned(),
            }
        }
        Unit::Count | Unit::PerSecond => {
            let sign = if d > 0.0 {
                "+"
            } else if d < 0.0 {
                "-"
            } else {
                "±"
            };
            let per = if unit == Unit::PerSecond { "/s" } else { "" };
            format!("{sign}{}{per}", group_thousands(d.abs()))
        }
        Unit::Value => fmt_delta(d, 4),
    }
}

fn group_thousands(v: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let rounded = v.round() as i64;
    let digits = rounded.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if rounded < 0 { format!("-{out}") } else { out }
}

fn significance(evaluation: &Evaluation) -> Option<String> {
    let pair = evaluation.pair.as_ref()?;
    let mut text = format!(
        "**What changed:** of {} samples, the candidate fixed **{}** and broke **{}**; the two models agree on {}.",
        pair.samples,
        pair.improved,
        pair.regressed,
        fmt_pct(pair.agreement, 1)
    );
    let _ = write!(
        text,
        " {}",
        modelci_metrics::significance::sentence(
            pair.mcnemar_p,
            pair.delta_ci,
            pair.improved + pair.regressed,
            format_p,
            |d| fmt_delta_pp(d, 2),
        )
    );
    Some(text)
}

fn format_p(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.3}")
    } else {
        format!("{p:.2e}")
    }
}

pub(crate) fn gates_table(gates: &[GateResult]) -> String {
    let rows: Vec<Vec<String>> = gates
        .iter()
        .map(|g| {
            let unit = modelci_gate::metric::find(g.metric).map_or(Unit::Value, |m| m.unit);
            vec![
                esc(&g.gate),
                g.baseline
                    .map_or_else(|| "n/a".to_owned(), |b| value(unit, b)),
                value(unit, g.candidate),
                format!(
                    "{} {}",
                    g.comparison.replace('>', "&gt;").replace('<', "&lt;"),
                    value(unit, g.bound)
                ),
                if g.passed {
                    "✅ pass".to_owned()
                } else {
                    "❌ **fail**".to_owned()
                },
            ]
        })
        .collect();
    table(
        &["Gate", "Baseline", "Candidate", "Required", "Result"],
        &rows,
        &[
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
        ],
    )
}

fn per_class(input: &ReportInput<'_>) -> String {
    let rows = crate::json::class_rows(input.evaluation);
    if rows.is_empty() {
        return String::new();
    }
    let [baseline, candidate, ..] = input.evaluation.models.as_slice() else {
        return String::new();
    };
    let (Some(b), Some(c)) = (&baseline.classification, &candidate.classification) else {
        return String::new();
    };
    let body: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (bm, cm) = (&b.per_class[i], &c.per_class[i]);
            let pct = |v: f64, defined: bool| defined_or_na(v, defined, |v| fmt_pct(v, 1));
            let f1 = |v: f64, defined: bool| defined_or_na(v, defined, |v| format!("{v:.3}"));
            vec![
                esc(&r.class),
                r.support.to_string(),
                format!(
                    "{} → {}",
                    pct(bm.precision, bm.precision_defined()),
                    pct(cm.precision, cm.precision_defined())
                ),
                format!(
                    "{} → {}",
                    pct(bm.recall, bm.recall_defined()),
                    pct(cm.recall, cm.recall_defined())
                ),
                f1(r.baseline_f1, bm.f1_defined()),
                f1(r.candidate_f1, cm.f1_defined()),
                if bm.f1_defined() && cm.f1_defined() {
                    fmt_delta(r.delta, 3)
                } else {
                    "n/a".to_owned()
                },
            ]
        })
        .collect();
    let mut section = table(
        &[
            "Class",
            "Support",
            "Precision",
            "Recall",
            "F1 baseline",
            "F1 candidate",
            "Δ F1",
        ],
        &body,
        &[
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
    );
    if let Some(chart) = input.charts.iter().find(|c| c.name == "per_class_f1") {
        let _ = write!(
            section,
            "\n![{}]({})",
            esc(&chart.title),
            chart.png.display()
        );
    }
    details(
        &format!("Per-class metrics ({} classes)", rows.len()),
        &section,
    )
}

/// `v` written by `write`, or `n/a` when the figure is undefined (a ratio over nothing).
fn defined_or_na(v: f64, defined: bool, write: impl Fn(f64) -> String) -> String {
    if defined { write(v) } else { "n/a".to_owned() }
}

/// A note naming the model's classes that have no sample in the test set, and how macro
/// averages treat them (as scikit-learn: over the classes labelled or predicted only).
fn absent_classes(evaluation: &Evaluation) -> String {
    let Some(c) = evaluation
        .models
        .last()
        .and_then(|m| m.classification.as_ref())
    else {
        return String::new();
    };
    let names: Vec<String> = c
        .per_class
        .iter()
        .enumerate()
        .filter(|(_, m)| m.support == 0)
        .map(|(i, _)| esc(evaluation.class_names.get(i).map_or("?", String::as_str)))
        .collect();
    if names.is_empty() {
        return String::new();
    }
    format!(
        "\n**Classes absent from the test set** ({} of {}): {}. Macro averages are taken over the classes present in the labels or a model's predictions, as scikit-learn does; figures undefined for a class with no sample are shown as n/a.\n",
        names.len(),
        c.per_class.len(),
        names.join(", ")
    )
}

fn confusion(input: &ReportInput<'_>) -> String {
    let names = &input.evaluation.class_names;
    let mut body = String::new();
    for (who, model) in ["Baseline", "Candidate"]
        .iter()
        .zip(&input.evaluation.models)
    {
        let Some(c) = &model.classification else {
            continue;
        };
        let mut headers = vec!["actual \\ predicted".to_owned()];
        headers.extend(names.iter().map(|n| esc(n)));
        let rows: Vec<Vec<String>> = c
            .confusion
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let mut cells = vec![format!(
                    "**{}**",
                    esc(names.get(i).map_or("?", String::as_str))
                )];
                cells.extend(row.iter().enumerate().map(|(j, v)| {
                    if i == j {
                        format!("**{v}**")
                    } else {
                        v.to_string()
                    }
                }));
                cells
            })
            .collect();
        let align: Vec<Align> = std::iter::once(Align::Left)
            .chain(std::iter::repeat(Align::Right))
            .take(headers.len())
            .collect();
        let _ = writeln!(body, "**{who}**\n\n{}", table(&headers, &rows, &align));
    }
    for chart in input
        .charts
        .iter()
        .filter(|c| c.name.starts_with("confusion_"))
    {
        let _ = writeln!(body, "![{}]({})", esc(&chart.title), chart.png.display());
    }
    if body.is_empty() {
        body
    } else {
        details(
            "Confusion matrices (rows: actual class, columns: predicted)",
            &body,
        )
    }
}

fn flips(
    evaluation: &Evaluation,
    charts: &[ChartFile],
    values: &std::collections::BTreeMap<String, String>,
) -> String {
    let Some(pair) = &evaluation.pair else {
        return String::new();
    };
    if pair.regressed + pair.improved == 0 {
        return String::new();
    }
    let name = |class: usize| {
        esc(evaluation
            .class_names
            .get(class)
            .map_or("?", String::as_str))
    };
    let list = |title: &str, total: u64, flips: &[Flip]| -> String {
        if total == 0 {
            return String::new();
        }
        let rows: Vec<Vec<String>> = flips
            .iter()
            .take(FLIPS_SHOWN)
            .map(|f| {
                let mut row = vec![
                    esc(&f.id),
                    name(f.truth),
                    name(f.baseline),
                    name(f.candidate),
                ];
                if !values.is_empty() {
                    row.push(values.get(&f.id).map_or_else(String::new, |v| esc(v)));
                }
                row
            })
            .collect();
        let more = if total as usize > rows.len() {
            format!(" (first {} of {total})", rows.len())
        } else {
            String::new()
        };
        format!(
            "**{title}**{more}\n\n{}\n",
            table(
                &["Sample", "Actual", "Baseline", "Candidate", "Values"]
                    [..if values.is_empty() { 4 } else { 5 }],
                &rows,
                &[Align::Left; 5]
            )
        )
    };
    let sheet = charts
        .iter()
        .find(|c| c.name == "flipped_samples")
        .map(|c| format!("\n![{}]({})\n\n", esc(&c.title), c.png.display()))
        .unwrap_or_default();
    let body = format!(
        "{}{}",
        list(
            "Broken by the candidate (baseline right, candidate wrong)",
            pair.regressed,
            &pair.regressed_samples
        ),
        list(
            "Fixed by the candidate (baseline wrong, candidate right)",
            pair.improved,
            &pair.improved_samples
        )
    );
    let folded = details(
        &format!(
            "Prediction flips: {} fixed, {} broken",
            pair.improved, pair.regressed
        ),
        &body,
    );
    format!("{sheet}{folded}")
}

fn models(input: &ReportInput<'_>) -> String {
    let describe = |who: &str, m: &ModelEvaluation| -> Vec<String> {
        let inputs: Vec<String> = m
            .signature
            .inputs
            .iter()
            .map(|t| esc(&t.to_string()))
            .collect();
        let outputs: Vec<String> = m
            .signature
            .outputs
            .iter()
            .map(|t| esc(&t.to_string()))
            .collect();
        vec![
            who.to_owned(),
            esc(&m.path.display().to_string()),
            fmt_bytes(m.file_size),
            #[allow(clippy::cast_precision_loss)]
            group_thousands(m.signature.parameters as f64),
            m.signature.opset.to_string(),
            inputs.join("<br>"),
            esc(&fed_with(m)),
            outputs.join("<br>"),
            esc(&m.signature.producer),
        ]
    };
    let rows: Vec<Vec<String>> = ["Baseline", "Candidate"]
        .iter()
        .zip(&input.evaluation.models)
        .map(|(who, m)| describe(who, m))
        .collect();
    let kind = match input.evaluation.task {
        Task::Classification => "classification",
        Task::Regression => "regression",
    };
    let body = table(
        &[
            "",
            "File",
            "Size",
            "Parameters",
            "Opset",
            "Inputs",
            "Fed with",
            "Outputs",
            "Exported by",
        ],
        &rows,
        &[
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
            Align::Left,
            Align::Left,
            Align::Left,
        ],
    );
    details(&format!("Models ({kind})"), &body)
}

/// The preprocessing a model got, in one cell: `nchw 8x8 (stretch), x0.003922, mean 0.5,
/// std 0.25`, or how inputs fed by name went in.
fn fed_with(m: &ModelEvaluation) -> String {
    let Some(p) = &m.preprocessing else {
        return "arrays by name, cast losslessly".to_owned();
    };
    let mut text = p.layout.clone();
    if let Some((w, h)) = p.size {
        let _ = write!(text, " {w}x{h} ({})", p.resize.describe());
    }
    if (p.scale - 1.0 / 255.0).abs() < f32::EPSILON {
        text.push_str(", x1/255");
    } else if (p.scale - 1.0).abs() > f32::EPSILON {
        let _ = write!(text, ", x{}", p.scale);
    }
    let list = |v: &[f32]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("/")
    };
    if !p.mean.is_empty() {
        let _ = write!(text, ", mean {}", list(&p.mean));
    }
    if !p.std.is_empty() {
        let _ = write!(text, ", std {}", list(&p.std));
    }
    if let Some(batch) = m.fixed_batch {
        let _ = write!(text, "; batch fixed to {batch}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_formatted_for_reading() {
        assert_eq!(value(Unit::Fraction, 0.96667), "96.67%");
        assert_eq!(delta(Unit::Fraction, 0.0306), "+3.06 pp");
        assert_eq!(value(Unit::Count, 1_234_567.0), "1,234,567");
        assert_eq!(delta(Unit::Bytes, -2048.0), "-2.00 KiB");
        assert_eq!(delta(Unit::Count, 0.0), "±0");
        assert_eq!(format_p(0.000_976_5), "9.77e-4");
        assert_eq!(format_p(0.5), "0.500");
    }
}
