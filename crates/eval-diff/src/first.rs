//! No baseline yet (issue 8): inside a pull/merge request where `auto` finds neither a release
//! bundle built from the target branch nor the candidate's file on it, the candidate is
//! evaluated alone and reported with exit 0, because the first model of a repository must not
//! fail its pull request. Only absolute gates (`--min`, `--max`) can be judged without a
//! baseline; the relative ones are listed as not judged.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use modelci_cli::{ExitStatus, Failure, Progress, Session};
use modelci_eval::dataset::DatasetOptions;
use modelci_eval::evaluate::evaluate_observed;
use modelci_eval::{CrossCheck, Dataset, EvaluationOptions, Execution};
use modelci_gate::metric::METRICS;
use modelci_gate::{Gate, GateKind, GateResult, MetricValues, evaluate_gates};
use modelci_post::Metric;
use modelci_report::envelope::{Document, Verdict};
use modelci_report::{code_span, code_span_prose, escape_markdown as esc};
use serde::Serialize;

use crate::args::Args;
use crate::comparison::model_values;
use crate::json::{self, DatasetInfo, ModelReport};
use crate::markdown;

/// Why there is no baseline, shown in the report and on standard output.
pub(crate) const NO_BASELINE: &str = "no baseline yet: no published release bundle was built from the target branch and the candidate's file is not on it, so the candidate is reported alone";

/// `report.json` without a baseline: `baseline` is `null` and `no_baseline` says why.
#[derive(Debug, Serialize)]
struct FirstReport<'a> {
    task: modelci_eval::Task,
    dataset: DatasetInfo,
    baseline: Option<()>,
    no_baseline: &'static str,
    candidate: ModelReport<'a>,
    execution: &'a Execution,
    #[serde(skip_serializing_if = "Option::is_none")]
    cross_check: Option<&'a CrossCheck>,
    gates: &'a [GateResult],
    gates_not_judged: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference_stats: Option<crate::reference_stats::Written>,
}

/// Everything the run needs that `run` already parsed.
pub(crate) struct Inputs<'a> {
    pub candidate: &'a Path,
    pub dataset: &'a Path,
    pub gates: &'a [Gate],
    pub options: &'a EvaluationOptions,
    pub dataset_options: &'a DatasetOptions,
    pub settings: &'a modelci_cli::flags::ModelSettings,
    /// Where `--reference-stats` goes, if asked for.
    pub reference_stats: Option<&'a Path>,
}

/// Evaluates the candidate alone, writes the report, delivers it.
pub(crate) fn run(
    args: &Args,
    session: &mut Session,
    inputs: &Inputs<'_>,
) -> Result<ExitStatus, Failure> {
    let crate::execution::Loaded { mut models, cross } =
        crate::execution::load(inputs.settings, &[inputs.candidate], args.cross_check)?;
    let mut cross = cross;
    let mut dataset =
        Dataset::open(inputs.dataset, inputs.dataset_options).map_err(Failure::bad_input)?;
    let digest = modelci_baseline::digest::dataset_digest(inputs.dataset)
        .with_context(|| format!("{}: cannot read the dataset", inputs.dataset.display()))
        .map_err(Failure::bad_input)?;
    let mut progress = Progress::new("eval-diff", Some(dataset.len() as u64), args.output.quiet);
    let mut predictions = crate::reference_stats::Predictions::new(0);
    let evaluation = evaluate_observed(
        &mut models,
        cross.as_mut(),
        &mut dataset,
        inputs.options,
        &mut |n| progress.advance(n as u64),
        &mut |sample| {
            if inputs.reference_stats.is_some() {
                predictions.observe(&sample);
            }
        },
    )
    .map_err(Failure::bad_input)?;
    progress.finish();
    let reference_stats = inputs
        .reference_stats
        .map(|path| {
            crate::reference_stats::write(
                &crate::reference_stats::Inputs {
                    path,
                    output_dir: &args.output.output_dir,
                    candidate: inputs.candidate,
                    evaluation: &evaluation,
                    model: 0,
                },
                &mut dataset,
                predictions,
            )
        })
        .transpose()
        .map_err(Failure::bad_input)?;
    let model = &evaluation.models[0];
    let measured = model_values(model);
    let mut values: MetricValues = measured
        .iter()
        .map(|(n, v)| (*n, (None, Some(*v))))
        .collect();
    if let Some(agreement) = crate::execution::agreement(evaluation.cross_check.as_ref()) {
        values.insert("cross_agreement", (None, Some(agreement)));
    }
    let (absolute, relative): (Vec<Gate>, Vec<Gate>) = inputs
        .gates
        .iter()
        .cloned()
        .partition(|g| matches!(g.kind, GateKind::Min | GateKind::Max));
    let mut results = evaluate_gates(&absolute, &values).map_err(Failure::bad_input)?;
    results.extend(crate::finite::gates(&evaluation));
    let failed = results.iter().filter(|g| !g.passed).count();
    let not_judged: Vec<String> = relative
        .iter()
        .map(|g| format!("{} {}", g.kind.flag(), g.text))
        .collect();
    let verdict = if failed == 0 {
        format!(
            "first model (no baseline yet), {} samples",
            evaluation.samples
        )
    } else {
        format!("first model (no baseline yet): {failed} gate(s) failed")
    };

    let mut md = format!(
        "## ℹ️ eval-diff {}\n\n{}.\n\n",
        esc(&verdict),
        esc(NO_BASELINE)
    );
    md.push_str("| Metric | Candidate |\n|---|---:|\n");
    for def in METRICS {
        if let Some((_, v)) = measured.iter().find(|(n, _)| *n == def.name) {
            let _ = writeln!(md, "| {} | {} |", def.label, markdown::value(def.unit, *v));
        }
    }
    md.push_str(&crate::finite::section(&evaluation));
    md.push_str(&crate::execution::cross_section(&evaluation));
    md.push_str(&crate::texts::section(
        dataset.text_summary().as_ref(),
        evaluation.samples,
    ));
    if !results.is_empty() {
        let _ = writeln!(md, "\n### Gates\n\n{}", markdown::gates_table(&results));
    }
    if !not_judged.is_empty() {
        let _ = writeln!(
            md,
            "\nNot judged without a baseline: {}.",
            not_judged
                .iter()
                .map(|g| code_span_prose(g))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = write!(
        md,
        "\n### Provenance\n\n| | |\n|---|---|\n| Baseline | none yet |\n| Dataset | {} |\n| Dataset sha256 | {} ({} file(s)) |\n",
        code_span(&digest.path),
        code_span(&digest.sha256),
        digest.files
    );
    md.push_str(&crate::execution::provenance_rows(&evaluation.execution));

    let body = FirstReport {
        task: evaluation.task,
        dataset: DatasetInfo {
            path: inputs.dataset.to_owned(),
            kind: dataset.kind(),
            samples: evaluation.samples,
            class_names: evaluation.class_names.clone(),
            sha256: digest.sha256.clone(),
            files: digest.files,
            text: dataset.text_summary(),
        },
        baseline: None,
        no_baseline: NO_BASELINE,
        candidate: ModelReport::of(model),
        execution: &evaluation.execution,
        cross_check: evaluation.cross_check.as_ref(),
        gates: &results,
        gates_not_judged: not_judged,
        reference_stats,
    };
    let report = Document {
        envelope: json::envelope(
            session,
            Verdict {
                passed: failed == 0,
                gates: results.len(),
                failed,
                summary: verdict.clone(),
            },
            model,
            &[],
        ),
        body,
    };
    let json_text = serde_json::to_string_pretty(&report)
        .context("encoding report.json")
        .map_err(Failure::bad_input)?;
    let md_path = args.output.output_dir.join("report.md");
    modelci_report::write_atomic(
        &args.output.output_dir.join("report.json"),
        json_text.as_bytes(),
    )
    .map_err(Failure::bad_input)?;
    modelci_report::write_atomic(&md_path, md.as_bytes()).map_err(Failure::bad_input)?;
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "eval-diff {verdict}\n  {NO_BASELINE}");
        let _ = writeln!(out, "report: {}", md_path.display());
    }
    let status = if failed == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::GateFailed
    };
    let delivery = modelci_post::Report {
        tool: "eval-diff",
        dir: args.output.output_dir.clone(),
        markdown: md,
        passed: failed == 0,
        verdict,
        gates: crate::deliver::gate_outcomes(&results),
        metrics: measured
            .iter()
            .map(|(n, v)| Metric {
                name: format!("candidate_{n}"),
                value: *v,
            })
            .collect(),
    };
    session.finish(&delivery, &args.posting, status)
}
