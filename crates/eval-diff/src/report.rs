//! From an evaluation to the delivered report: gates, trend, charts, `report.md`,
//! `report.json`, the summary on standard output and the delivery in CI. A single run and
//! `eval-diff merge` both end here, with the figures [`crate::outcome`] reduced.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, anyhow};
use modelci_baseline::Provenance;
use modelci_baseline::digest::DatasetDigest;
use modelci_cli::{ExitStatus, Failure, OutputArgs, PostArgs, Session};
use modelci_eval::dataset::DatasetKind;
use modelci_eval::{Evaluation, TextSummary};
use modelci_gate::{Gate, GateKind, evaluate_gates};
use modelci_report::envelope::{Document, Verdict};

use crate::args::GateArgs;
use crate::charts;
use crate::comparison;
use crate::history::{self, Trend};
use crate::json::{self, DatasetInfo, ModelReport, Report};
use crate::markdown::{self, ReportInput};
use crate::trend;

/// The flags a report is made with: the same for a run and a merge.
pub(crate) struct Flags<'a> {
    pub output: &'a OutputArgs,
    pub gates: &'a GateArgs,
    pub posting: &'a PostArgs,
    pub history: Option<u32>,
}

impl<'a> Flags<'a> {
    /// The report flags of a run or a merge.
    pub(crate) fn new(
        output: &'a OutputArgs,
        gates: &'a GateArgs,
        posting: &'a PostArgs,
        history: Option<u32>,
    ) -> Self {
        Self {
            output,
            gates,
            posting,
            history,
        }
    }
}

/// What the report says about the data besides the evaluation.
pub(crate) struct Data<'a> {
    /// Where the baseline came from.
    pub provenance: &'a Provenance,
    /// The dataset's content hash.
    pub digest: &'a DatasetDigest,
    /// The dataset path as given.
    pub path: &'a Path,
    /// Its format.
    pub kind: DatasetKind,
    /// How texts were tokenized (text datasets).
    pub text: Option<TextSummary>,
    /// The values of the flipped samples the report lists, by id.
    pub sample_values: &'a BTreeMap<String, String>,
    /// The picture of a sample, by id (image folders).
    pub picture: &'a charts::Pictures<'a>,
    /// The drift reference written (`--reference-stats`).
    pub reference_stats: Option<&'a crate::reference_stats::Written>,
}

/// Judges the gates, writes the report and delivers it; the exit status.
///
/// # Errors
/// A bad-input [`Failure`] when a gate does not parse or a file cannot be written; a forge
/// failure as the delivery decides.
pub(crate) fn publish(
    flags: &Flags<'_>,
    session: &mut Session,
    evaluation: &Evaluation,
    data: &Data<'_>,
) -> Result<ExitStatus, Failure> {
    let gates = parse_gates(flags.gates).map_err(Failure::bad_input)?;
    let output_dir = &flags.output.output_dir;
    let rows = comparison::rows(evaluation);
    let mut gate_results =
        evaluate_gates(&gates, &comparison::gate_values(evaluation)).map_err(Failure::bad_input)?;
    gate_results.extend(crate::finite::gates(evaluation));
    let ctx = crate::baseline::context(session);
    let trend = history::fetch(flags.history, &ctx, &mut |m| session.warn(m));
    let key_metrics = trend::key_metrics(evaluation.task, &gate_results);
    let mut chart_list = charts::build(evaluation, &gate_results);
    chart_list.extend(charts::flipped_samples(evaluation, data.picture));
    if let (Trend::Releases(releases), Some(candidate)) = (&trend, evaluation.models.get(1)) {
        chart_list.extend(trend::charts(releases, candidate, &key_metrics));
    }
    let charts = charts::render_all(chart_list, output_dir)
        .context("rendering the charts")
        .map_err(Failure::bad_input)?;
    let trend_md = evaluation
        .models
        .get(1)
        .map(|candidate| {
            trend::section(&trend::Section {
                trend: &trend,
                metrics: &key_metrics,
                candidate,
                charts: &charts,
            })
        })
        .unwrap_or_default();
    let dataset_text = data.path.display().to_string();
    let input = ReportInput {
        evaluation,
        rows: &rows,
        gates: &gate_results,
        charts: &charts,
        dataset: &dataset_text,
        provenance: Some((data.provenance, data.digest)),
        trend: trend_md,
        text: data.text.as_ref(),
        sample_values: data.sample_values,
    };
    let verdict = markdown::verdict_text(&input);
    let failed = gate_results.iter().filter(|g| !g.passed).count();
    let report = Document {
        envelope: json::envelope(
            session,
            Verdict {
                passed: failed == 0,
                gates: gate_results.len(),
                failed,
                summary: verdict.clone(),
            },
            &evaluation.models[1],
            &charts,
        ),
        body: Report {
            task: evaluation.task,
            dataset: DatasetInfo {
                path: data.path.to_owned(),
                kind: data.kind,
                samples: evaluation.samples,
                class_names: evaluation.class_names.clone(),
                sha256: data.digest.sha256.clone(),
                files: data.digest.files,
                text: data.text.clone(),
            },
            baseline: ModelReport {
                provenance: Some(data.provenance),
                ..ModelReport::of(&evaluation.models[0])
            },
            candidate: ModelReport::of(&evaluation.models[1]),
            comparison: rows.clone(),
            pair: evaluation.pair.as_ref(),
            execution: &evaluation.execution,
            cross_check: evaluation.cross_check.as_ref(),
            per_class: json::class_rows(evaluation),
            gates: &gate_results,
            history: match &trend {
                Trend::Releases(r) => Some(r.as_slice()),
                _ => None,
            },
            history_unavailable: match &trend {
                Trend::Unavailable { reason, .. } => Some(reason.as_str()),
                _ => None,
            },
            reference_stats: data.reference_stats,
        },
    };
    let json_text = serde_json::to_string_pretty(&report)
        .context("encoding report.json")
        .map_err(Failure::bad_input)?;
    let md_path = output_dir.join("report.md");
    let json_path = output_dir.join("report.json");
    modelci_report::write_atomic(&json_path, json_text.as_bytes()).map_err(Failure::bad_input)?;
    let markdown_text = markdown::render(&input);
    modelci_report::write_atomic(&md_path, markdown_text.as_bytes()).map_err(Failure::bad_input)?;

    print_summary(&verdict, &rows, &md_path).map_err(Failure::bad_input)?;
    let status = if failed == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::GateFailed
    };
    let delivery = modelci_post::Report {
        tool: "eval-diff",
        dir: output_dir.clone(),
        markdown: markdown_text,
        passed: failed == 0,
        verdict,
        gates: crate::deliver::gate_outcomes(&gate_results),
        metrics: crate::deliver::metrics(&rows),
    };
    let status = session.finish(&delivery, flags.posting, status)?;
    match &trend {
        Trend::Unavailable {
            reason,
            host_failure: true,
        } if flags.posting.strict && status == ExitStatus::Success => Err(Failure::forge(anyhow!(
            "--history: {reason} (--strict; the report was written without the trend)"
        ))),
        _ => Ok(status),
    }
}

/// The gates of the flags.
///
/// # Errors
/// The first gate that does not parse.
pub(crate) fn parse_gates(flags: &GateArgs) -> anyhow::Result<Vec<Gate>> {
    let groups = [
        (GateKind::Tolerance, &flags.tolerance),
        (GateKind::MinImprovement, &flags.min_improvement),
        (GateKind::Min, &flags.min),
        (GateKind::Max, &flags.max),
    ];
    let mut gates = Vec::new();
    for (kind, texts) in groups {
        for text in texts {
            gates.push(Gate::parse(kind, text)?);
        }
    }
    Ok(gates)
}

fn print_summary(
    verdict: &str,
    rows: &[comparison::MetricRow],
    report: &Path,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "eval-diff {verdict}")?;
    for r in rows {
        writeln!(
            out,
            "  {:<24} {:>14} → {:<14} {}",
            r.label,
            markdown::value(r.unit, r.baseline),
            markdown::value(r.unit, r.candidate),
            markdown::delta(r.unit, r.delta)
        )?;
    }
    writeln!(out, "report: {}", report.display())?;
    Ok(())
}
