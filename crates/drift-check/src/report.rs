//! report.md, report.json and the charts of a drift check.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use modelci_drift::monitor::Test;
use modelci_drift::psi::PsiBand;
use modelci_drift::{FeatureSummary, Reference};
use modelci_report::envelope::{Document, Verdict, render_files};
use modelci_report::escape::code_span_prose;
use modelci_report::markdown::{Align, details, table};
use modelci_report::{Chart, GroupedBars, Series, ValueFormat, escape_markdown};
use serde::Serialize;

use crate::gates::{Gates, Outcome};
use crate::model::checks::ModelOutcome;

/// Features drawn in the PSI chart, largest PSI first.
const PSI_CHART_FEATURES: usize = 20;
/// Features whose distributions are drawn, largest PSI first.
const DISTRIBUTION_CHARTS: usize = 3;

/// What the report says about the data compared.
#[derive(Debug, Clone, Serialize)]
pub struct DataSummary {
    /// The reference's file (as given) and where its summary came from.
    pub reference: String,
    /// Rows of the reference.
    pub reference_rows: u64,
    /// The current data's file, as given.
    pub current: String,
    /// Rows compared (after `--window`).
    pub current_rows: u64,
    /// Rows in the current file.
    pub current_rows_in_file: u64,
    /// Malformed log lines skipped.
    pub bad_lines: u64,
    /// Where a release bundle's reference came from (`None` for a local file or dataset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_provenance: Option<crate::reference::bundle::ReferenceProvenance>,
    /// The `--endpoint` health check, when one ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_health: Option<crate::health::HealthReport>,
}

/// `report.json`'s own fields.
#[derive(Serialize)]
struct Body<'a> {
    data: &'a DataSummary,
    gates: GatesJson,
    drifted: usize,
    features: &'a [crate::gates::Assessed],
    model: &'a ModelOutcome,
}

#[derive(Serialize)]
struct GatesJson {
    max_psi: f64,
    alpha: Option<f64>,
    max_drifted: usize,
}

/// The written report.
#[derive(Debug)]
pub struct Written {
    /// report.md's path.
    pub report_md: PathBuf,
    /// The one-line verdict.
    pub verdict: String,
}

/// Writes report.md, report.json and the charts into `dir`.
///
/// # Errors
/// When a file cannot be written.
pub fn write(
    dir: &Path,
    envelope_for: impl FnOnce(Verdict) -> modelci_report::Envelope,
    reference: &Reference,
    data: &DataSummary,
    outcome: &Outcome,
    model: &ModelOutcome,
    gates: Gates,
) -> anyhow::Result<Written> {
    let total = outcome.features.len();
    let mut summary = if outcome.drifted == 0 {
        format!("no drift in {total} features")
    } else {
        format!("{} of {total} features drifted", outcome.drifted)
    };
    summary.push_str(&crate::model::report::verdict(model));
    let mut drawn = charts(outcome);
    drawn.extend(crate::model::report::charts(model));
    let charts = render_files(drawn, dir).context("drawing the charts")?;
    let model_gates = model
        .checks
        .iter()
        .filter(|c| {
            c.state != crate::model::checks::State::NotChecked
                && c.state != crate::model::checks::State::Reported
        })
        .count();
    let mut envelope = envelope_for(Verdict {
        passed: outcome.passed && model.passed,
        summary: summary.clone(),
        gates: total + model_gates,
        failed: outcome.drifted + model.failed(),
    });
    crate::model::report::metrics(model, &mut envelope.metrics);
    envelope
        .metrics
        .insert("drifted_features".into(), outcome.drifted as f64);
    if let Some(largest) = outcome
        .features
        .iter()
        .map(|f| f.drift.psi)
        .reduce(f64::max)
    {
        envelope.metrics.insert("max_psi".into(), largest);
    }
    envelope.charts = charts.clone();
    let document = Document {
        envelope,
        body: Body {
            data,
            gates: GatesJson {
                max_psi: gates.max_psi,
                alpha: gates.alpha,
                max_drifted: gates.max_drifted,
            },
            drifted: outcome.drifted,
            features: &outcome.features,
            model,
        },
    };
    let json = serde_json::to_vec_pretty(&document)?;
    modelci_report::write_atomic(&dir.join("report.json"), &json)?;
    let passed = outcome.passed && model.passed;
    let mut markdown = markdown(reference, data, (outcome, passed), gates, &summary, &charts);
    markdown.push_str(&crate::model::report::section(model, &charts));
    let report_md = dir.join("report.md");
    modelci_report::write_atomic(&report_md, markdown.as_bytes())?;
    Ok(Written {
        report_md,
        verdict: summary,
    })
}

fn charts(outcome: &Outcome) -> Vec<(String, Chart)> {
    let mut by_psi: Vec<&crate::gates::Assessed> = outcome.features.iter().collect();
    by_psi.sort_by(|a, b| b.drift.psi.total_cmp(&a.drift.psi));
    let shown: Vec<&crate::gates::Assessed> =
        by_psi.iter().copied().take(PSI_CHART_FEATURES).collect();
    let mut charts = vec![(
        "psi".to_owned(),
        Chart::from(GroupedBars {
            title: "PSI per feature (0.1 moderate, 0.25 significant)".into(),
            y_label: "PSI".into(),
            categories: shown.iter().map(|f| f.drift.name.clone()).collect(),
            series: vec![Series::new(
                "PSI",
                shown.iter().map(|f| f.drift.psi).collect(),
            )],
            y_range: None,
            value_format: ValueFormat::Decimal { places: 3 },
        }),
    )];
    for (rank, feature) in by_psi.iter().take(DISTRIBUTION_CHARTS).enumerate() {
        charts.push((
            format!("feature-{}", rank + 1),
            distribution_chart(
                format!("{}: reference vs current", feature.drift.name),
                &feature.drift.bins,
            ),
        ));
    }
    charts
}

/// Bars of the reference's and the current shares of each bin.
pub(crate) fn distribution_chart(title: String, bins: &[modelci_drift::monitor::Bin]) -> Chart {
    Chart::from(GroupedBars {
        title,
        y_label: "share of rows".into(),
        categories: bins.iter().map(|b| b.label.clone()).collect(),
        series: vec![
            Series::new("reference", bins.iter().map(|b| b.reference).collect()),
            Series::new("current", bins.iter().map(|b| b.current).collect()),
        ],
        y_range: None,
        value_format: ValueFormat::Percent { places: 0 },
    })
}

fn markdown(
    reference: &Reference,
    data: &DataSummary,
    (outcome, passed): (&Outcome, bool),
    gates: Gates,
    summary: &str,
    charts: &[modelci_report::ChartFile],
) -> String {
    let mark = if passed { "✅" } else { "❌" };
    let mut out = format!("## {mark} drift-check: {summary}\n\n");
    if outcome.drifted > 0 {
        out.push_str(&format!(
            "{} feature(s) drifted; {} tolerated (`--max-drifted`).\n\n",
            outcome.drifted, gates.max_drifted
        ));
    }
    let window = if data.current_rows == data.current_rows_in_file {
        format!("{} rows", data.current_rows)
    } else {
        format!(
            "the last {} of {} rows",
            data.current_rows, data.current_rows_in_file
        )
    };
    let skipped = if data.bad_lines > 0 {
        format!(", {} malformed line(s) skipped", data.bad_lines)
    } else {
        String::new()
    };
    out.push_str(&format!(
        "Reference: {} ({} rows, summary of {}) · current: {} ({window}{skipped}).\n\n",
        code_span_prose(&data.reference),
        data.reference_rows,
        code_span_prose(&reference.source),
        code_span_prose(&data.current),
    ));
    if let Some(p) = &data.reference_provenance {
        out.push_str(&crate::reference::bundle::describe(p));
    }
    if let Some(h) = &data.endpoint_health {
        let mark = if h.passed { "✅" } else { "❌" };
        out.push_str(&format!(
            "{mark} Endpoint health: {}.{}\n\n",
            code_span_prose(&h.summary()),
            if h.passed {
                String::new()
            } else {
                format!(" {}", escape_markdown(&h.reasons.join("; ")))
            }
        ));
    }
    let kinds = |name: &str| {
        reference
            .features
            .iter()
            .find(|f| f.name == name)
            .map_or("", |f| match f.summary {
                FeatureSummary::Continuous(_) => "continuous",
                FeatureSummary::Categorical(_) => "categorical",
            })
    };
    let rows: Vec<Vec<String>> = outcome
        .features
        .iter()
        .map(|f| {
            let d = &f.drift;
            let (test, statistic, p, note) = match d.test {
                Test::Ks {
                    statistic,
                    p_value,
                    exact,
                } => (
                    "KS",
                    format!("{statistic:.4}"),
                    p_value,
                    if exact {
                        String::new()
                    } else {
                        " (at quantiles)".to_owned()
                    },
                ),
                Test::ChiSquared {
                    statistic,
                    p_value,
                    unseen_share,
                } => (
                    "χ²",
                    format!("{statistic:.2}"),
                    p_value,
                    if unseen_share > 0.0 {
                        format!(" ({:.1}% new categories)", unseen_share * 100.0)
                    } else {
                        String::new()
                    },
                ),
            };
            vec![
                escape_markdown(&d.name),
                kinds(&d.name).to_owned(),
                format!("{:.3}", d.psi),
                band(d.band).to_owned(),
                format!("{test} {statistic}{note}"),
                fmt_p(p),
                format!(
                    "{:.1}% → {:.1}%",
                    d.reference_missing_share * 100.0,
                    d.current_missing_share * 100.0
                ),
                if f.drifted {
                    format!("❌ {}", escape_markdown(&f.reasons.join("; ")))
                } else {
                    "✅".to_owned()
                },
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "feature",
            "kind",
            "PSI",
            "reading",
            "test",
            "p-value",
            "missing (ref → now)",
            "drifted",
        ],
        &rows,
        &[
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Left,
        ],
    ));
    out.push('\n');
    // Alt texts stay fixed words: a feature name goes into the caption above its chart, as
    // escaped Markdown, never into an HTML attribute.
    for chart in charts.iter().filter(|c| !c.name.starts_with("model-")) {
        match distribution_rank(&chart.name) {
            Some(rank) => {
                let name = by_psi_name(outcome, rank);
                out.push_str(&format!(
                    "**{}**: reference vs current\n\n![feature {rank}: reference vs current]({})\n\n",
                    escape_markdown(name),
                    chart.png.display()
                ));
            }
            None => out.push_str(&format!(
                "![{}]({})\n\n",
                escape_markdown(&chart.title),
                chart.png.display()
            )),
        }
    }
    out.push_str(&details(
        "How drift is measured",
        &format!(
            "- **PSI** (population stability index): Σ (current − reference) · ln(current / reference) over the shares of \
the reference's deciles (continuous features) or categories (categorical; categories the reference never saw share \
one extra bin); an empty bin counts as 0.0001. Usual reading: below 0.1 stable, 0.1–0.25 moderate, 0.25 and above \
significant. A feature drifts when its PSI reaches {} (`--max-psi`).\n\
- **KS**: the two-sample Kolmogorov–Smirnov statistic (the largest distance between the two cumulative \
distributions), exact while the reference keeps every distinct value, and its asymptotic p-value.\n\
- **χ²**: the chi-squared goodness-of-fit test of the current category counts against the reference's shares.\n\
- p-values are {} (`--alpha`): on large windows, tiny harmless shifts are significant, so PSI is the default gate.\n",
            gates.max_psi,
            gates
                .alpha
                .map_or_else(|| "reported, not gated".to_owned(), |a| format!("gated at {a}")),
        ),
    ));
    out
}

/// The rank of a distribution chart (`feature-2` is 2).
fn distribution_rank(chart: &str) -> Option<usize> {
    chart.strip_prefix("feature-")?.parse().ok()
}

/// The name of the feature with the `rank`-th largest PSI (the order of the charts).
fn by_psi_name(outcome: &Outcome, rank: usize) -> &str {
    let mut by_psi: Vec<&crate::gates::Assessed> = outcome.features.iter().collect();
    by_psi.sort_by(|a, b| b.drift.psi.total_cmp(&a.drift.psi));
    by_psi
        .get(rank.saturating_sub(1))
        .map_or("", |f| f.drift.name.as_str())
}

/// A p-value: three decimals down to 0.001, scientific below.
fn fmt_p(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.3}")
    } else {
        format!("{p:.1e}")
    }
}

fn band(band: PsiBand) -> &'static str {
    match band {
        PsiBand::Stable => "stable",
        PsiBand::Moderate => "moderate",
        PsiBand::Significant => "significant",
    }
}
