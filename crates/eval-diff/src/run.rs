//! One eval-diff run, from arguments to exit status.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, anyhow};
use modelci_cli::{ExitStatus, Failure, Progress, Session};
use modelci_eval::evaluate::evaluate_cross;
use modelci_eval::{Dataset, EvaluationOptions};
use modelci_gate::{Gate, GateKind, evaluate_gates};
use modelci_report::envelope::{Document, Verdict};

use crate::args::Args;
use crate::charts;
use crate::comparison;
use crate::history::{self, Trend};
use crate::json::{self, DatasetInfo, ModelReport, Report};
use crate::markdown::{self, ReportInput};
use crate::trend;

/// Runs eval-diff: evaluate, judge the gates, write the report, print a summary.
///
/// # Errors
/// A [`Failure`] with exit code 2 for bad input (unreadable or incompatible models and data,
/// malformed flags, an unwritable output folder).
pub fn run(args: &Args) -> Result<ExitStatus, Failure> {
    if let Some(dir) = &args.post_from {
        let mut session = Session::detect("eval-diff", modelci_ci::Env::from_process())?;
        return crate::deliver::post_existing(dir, args, &mut session);
    }
    let (Some(candidate), Some(dataset_path)) = (&args.candidate, &args.dataset) else {
        return Err(Failure::bad_input(anyhow!(
            "--candidate and --dataset are required"
        )));
    };
    let gates = parse_gates(args).map_err(Failure::bad_input)?;
    let settings = args.running.settings().map_err(Failure::bad_input)?;
    let options = EvaluationOptions {
        top_k: args.top_k as usize,
        bootstrap: args.bootstrap as usize,
        ..settings.evaluation_options()
    };
    let dataset_options = modelci_eval::DatasetOptions {
        text: args.text.options(),
        ..settings.dataset.clone()
    };
    let mut session = Session::start("eval-diff", &args.output)?;
    let Some(found) = crate::baseline::find(args, candidate, &session)? else {
        return crate::first::run(
            args,
            &mut session,
            &crate::first::Inputs {
                candidate,
                dataset: dataset_path,
                gates: &gates,
                options: &options,
                dataset_options: &dataset_options,
                settings: &settings,
            },
        );
    };
    let baseline = &found.path;

    let crate::execution::Loaded { mut models, cross } =
        crate::execution::load(&settings, &[baseline, candidate], args.cross_check)?;
    let mut cross = cross;
    let mut dataset = Dataset::open(dataset_path, &dataset_options).map_err(Failure::bad_input)?;
    let dataset_digest = modelci_baseline::digest::dataset_digest(dataset_path)
        .with_context(|| format!("{}: cannot read the dataset", dataset_path.display()))
        .map_err(Failure::bad_input)?;
    let mut progress = Progress::new("eval-diff", Some(dataset.len() as u64), args.output.quiet);
    let evaluation = evaluate_cross(
        &mut models,
        cross.as_mut(),
        &mut dataset,
        &options,
        &mut |n| progress.advance(n as u64),
    )
    .map_err(Failure::bad_input)?;
    progress.finish();

    let rows = comparison::rows(&evaluation);
    let mut gate_results = evaluate_gates(&gates, &comparison::gate_values(&evaluation))
        .map_err(Failure::bad_input)?;
    gate_results.extend(crate::finite::gates(&evaluation));
    let ctx = crate::baseline::context(&session);
    let trend = history::fetch(args.history, &ctx, &mut |m| session.warn(m));
    let key_metrics = trend::key_metrics(evaluation.task, &gate_results);
    let mut chart_list = charts::build(&evaluation, &gate_results);
    chart_list.extend(charts::flipped_samples(&evaluation, &dataset));
    let sample_values = flipped_values(&evaluation, &mut dataset).map_err(Failure::bad_input)?;
    if let (Trend::Releases(releases), Some(candidate)) = (&trend, evaluation.models.get(1)) {
        chart_list.extend(trend::charts(releases, candidate, &key_metrics));
    }
    let charts = charts::render_all(chart_list, &args.output.output_dir)
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
    let dataset_text = dataset_path.display().to_string();
    let text_summary = dataset.text_summary();
    let input = ReportInput {
        evaluation: &evaluation,
        rows: &rows,
        gates: &gate_results,
        charts: &charts,
        dataset: &dataset_text,
        provenance: Some((&found.provenance, &dataset_digest)),
        trend: trend_md,
        text: text_summary.as_ref(),
        sample_values: &sample_values,
    };
    let verdict = markdown::verdict_text(&input);
    let failed = gate_results.iter().filter(|g| !g.passed).count();
    let report = Document {
        envelope: json::envelope(
            &session,
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
                path: dataset_path.clone(),
                kind: dataset.kind(),
                samples: evaluation.samples,
                class_names: evaluation.class_names.clone(),
                sha256: dataset_digest.sha256.clone(),
                files: dataset_digest.files,
                text: text_summary.clone(),
            },
            baseline: ModelReport {
                provenance: Some(&found.provenance),
                ..ModelReport::of(&evaluation.models[0])
            },
            candidate: ModelReport::of(&evaluation.models[1]),
            comparison: rows.clone(),
            pair: evaluation.pair.as_ref(),
            execution: &evaluation.execution,
            cross_check: evaluation.cross_check.as_ref(),
            per_class: json::class_rows(&evaluation),
            gates: &gate_results,
            history: match &trend {
                Trend::Releases(r) => Some(r.as_slice()),
                _ => None,
            },
            history_unavailable: match &trend {
                Trend::Unavailable { reason, .. } => Some(reason.as_str()),
                _ => None,
            },
        },
    };
    let json_text = serde_json::to_string_pretty(&report)
        .context("encoding report.json")
        .map_err(Failure::bad_input)?;
    let md_path = args.output.output_dir.join("report.md");
    let json_path = args.output.output_dir.join("report.json");
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
        dir: args.output.output_dir.clone(),
        markdown: markdown_text,
        passed: failed == 0,
        verdict,
        gates: crate::deliver::gate_outcomes(&gate_results),
        metrics: crate::deliver::metrics(&rows),
    };
    let status = session.finish(&delivery, &args.posting, status)?;
    match &trend {
        Trend::Unavailable {
            reason,
            host_failure: true,
        } if args.posting.strict && status == ExitStatus::Success => Err(Failure::forge(anyhow!(
            "--history: {reason} (--strict; the report was written without the trend)"
        ))),
        _ => Ok(status),
    }
}

/// The values of the flipped samples the report lists (arrays and CSV rows; pictures are
/// drawn instead).
fn flipped_values(
    evaluation: &modelci_eval::Evaluation,
    dataset: &mut Dataset,
) -> Result<std::collections::BTreeMap<String, String>, modelci_eval::EvalError> {
    let Some(pair) = &evaluation.pair else {
        return Ok(std::collections::BTreeMap::new());
    };
    let ids: Vec<&str> = [&pair.regressed_samples, &pair.improved_samples]
        .into_iter()
        .flat_map(|flips| flips.iter().take(markdown::FLIPS_SHOWN))
        .map(|f| f.id.as_str())
        .collect();
    dataset.sample_values(&ids)
}

fn parse_gates(args: &Args) -> anyhow::Result<Vec<Gate>> {
    let groups = [
        (GateKind::Tolerance, &args.tolerance),
        (GateKind::MinImprovement, &args.min_improvement),
        (GateKind::Min, &args.min),
        (GateKind::Max, &args.max),
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
