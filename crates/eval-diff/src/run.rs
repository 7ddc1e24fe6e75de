//! One eval-diff run, from arguments to exit status.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use modelci_cli::{ExitStatus, Failure, Progress};
use modelci_eval::dataset::DatasetOptions;
use modelci_eval::evaluate::evaluate;
use modelci_eval::layout::LayoutKind;
use modelci_eval::{Dataset, EvaluationOptions, LayoutOverride, Model, Preprocess};
use modelci_gate::{Gate, GateKind, evaluate_gates};

use crate::args::Args;
use crate::charts;
use crate::comparison;
use crate::history::{self, Trend};
use crate::json::{self, DatasetInfo, ModelReport, Report, Tool, Verdict};
use crate::markdown::{self, ReportInput};
use crate::trend;

/// Runs eval-diff: evaluate, judge the gates, write the report, print a summary.
///
/// # Errors
/// A [`Failure`] with exit code 2 for bad input (unreadable or incompatible models and data,
/// malformed flags, an unwritable output folder).
pub fn run(args: &Args) -> Result<ExitStatus, Failure> {
    if let Some(dir) = &args.post_from {
        return crate::deliver::post_existing(dir, args);
    }
    let (Some(candidate), Some(dataset_path)) = (&args.candidate, &args.dataset) else {
        return Err(Failure::bad_input(anyhow!(
            "--candidate and --dataset are required"
        )));
    };
    let gates = parse_gates(args).map_err(Failure::bad_input)?;
    let options = evaluation_options(args).map_err(Failure::bad_input)?;
    let dataset_options = DatasetOptions {
        label_column: Some(args.label_column.clone()),
        class_names: args
            .class_names
            .as_deref()
            .map(read_class_names)
            .transpose()
            .map_err(Failure::bad_input)?,
    };
    prepare_output_dir(&args.output_dir).map_err(Failure::bad_input)?;
    let Some(found) = crate::baseline::find(args, candidate)? else {
        return crate::first::run(
            args,
            &crate::first::Inputs {
                candidate,
                dataset: dataset_path,
                gates: &gates,
                options: &options,
                dataset_options: &dataset_options,
            },
        );
    };
    let baseline = &found.path;

    let mut models = vec![
        Model::load(baseline).map_err(Failure::bad_input)?,
        Model::load(candidate).map_err(Failure::bad_input)?,
    ];
    let mut dataset = Dataset::open(dataset_path, &dataset_options).map_err(Failure::bad_input)?;
    let dataset_digest = modelci_baseline::digest::dataset_digest(dataset_path)
        .with_context(|| format!("{}: cannot read the dataset", dataset_path.display()))
        .map_err(Failure::bad_input)?;
    let mut progress = Progress::new("eval-diff", Some(dataset.len() as u64), args.quiet);
    let evaluation = evaluate(&mut models, &mut dataset, &options, &mut |n| {
        progress.advance(n as u64)
    })
    .map_err(Failure::bad_input)?;
    progress.finish();

    let rows = comparison::rows(&evaluation);
    let gate_results = evaluate_gates(&gates, &comparison::gate_values(&evaluation))
        .map_err(Failure::bad_input)?;
    let ctx = crate::baseline::context();
    let github = ctx.ci.provider == modelci_ci::Provider::GitHubActions;
    let trend = history::fetch(args.history, &ctx, &mut |m| warn(github, m));
    let key_metrics = trend::key_metrics(evaluation.task, &gate_results);
    let mut chart_list = charts::build(&evaluation);
    if let (Trend::Releases(releases), Some(candidate)) = (&trend, evaluation.models.get(1)) {
        chart_list.extend(trend::charts(releases, candidate, &key_metrics));
    }
    let charts = charts::render_all(chart_list, &args.output_dir)
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
    let input = ReportInput {
        evaluation: &evaluation,
        rows: &rows,
        gates: &gate_results,
        charts: &charts,
        dataset: &dataset_text,
        provenance: Some((&found.provenance, &dataset_digest)),
        trend: trend_md,
    };
    let verdict = markdown::verdict_text(&input);
    let failed = gate_results.iter().filter(|g| !g.passed).count();
    let report = Report {
        schema: json::SCHEMA,
        schema_version: 1,
        tool: Tool {
            name: "eval-diff",
            version: env!("CARGO_PKG_VERSION"),
        },
        verdict: Verdict {
            passed: failed == 0,
            gates: gate_results.len(),
            failed,
            summary: verdict.clone(),
        },
        task: evaluation.task,
        dataset: DatasetInfo {
            path: dataset_path.clone(),
            kind: dataset.kind(),
            samples: evaluation.samples,
            class_names: evaluation.class_names.clone(),
            sha256: dataset_digest.sha256.clone(),
            files: dataset_digest.files,
        },
        baseline: ModelReport {
            provenance: Some(&found.provenance),
            ..ModelReport::of(&evaluation.models[0])
        },
        candidate: ModelReport::of(&evaluation.models[1]),
        comparison: rows.clone(),
        pair: evaluation.pair.as_ref(),
        per_class: json::class_rows(&evaluation),
        gates: &gate_results,
        charts: &charts,
        history: match &trend {
            Trend::Releases(r) => Some(r.as_slice()),
            _ => None,
        },
        history_unavailable: match &trend {
            Trend::Unavailable { reason, .. } => Some(reason.as_str()),
            _ => None,
        },
    };
    let json_text = serde_json::to_string_pretty(&report)
        .context("encoding report.json")
        .map_err(Failure::bad_input)?;
    let md_path = args.output_dir.join("report.md");
    let json_path = args.output_dir.join("report.json");
    modelci_report::write_atomic(&json_path, json_text.as_bytes()).map_err(Failure::bad_input)?;
    let markdown_text = markdown::render(&input);
    modelci_report::write_atomic(&md_path, markdown_text.as_bytes()).map_err(Failure::bad_input)?;

    print_summary(&verdict, &rows, &md_path).map_err(Failure::bad_input)?;
    let status = if failed == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::GateFailed
    };
    let delivery = crate::deliver::Delivery {
        dir: args.output_dir.clone(),
        markdown: markdown_text,
        passed: failed == 0,
        verdict,
        gates: crate::deliver::gate_outcomes(&gate_results),
        metrics: crate::deliver::metrics(&rows),
    };
    let status = crate::deliver::deliver(delivery, args, status)?;
    match &trend {
        Trend::Unavailable {
            reason,
            host_failure: true,
        } if args.strict && status == ExitStatus::Success => Err(Failure::forge(anyhow!(
            "--history: {reason} (--strict; the report was written without the trend)"
        ))),
        _ => Ok(status),
    }
}

/// Prints a warning on standard error, and as an annotation in GitHub Actions.
fn warn(github: bool, message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "warning: {message}");
    if github {
        let _ = writeln!(
            std::io::stdout().lock(),
            "::warning::{}",
            modelci_ci::output::workflow_command::escape_data(message)
        );
    }
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

fn evaluation_options(args: &Args) -> anyhow::Result<EvaluationOptions> {
    let kind = args
        .layout
        .as_deref()
        .map(str::parse::<LayoutKind>)
        .transpose()
        .map_err(|e| anyhow!("--layout: {e}"))?;
    let image_size = args.image_size.as_deref().map(parse_size).transpose()?;
    if args.scale.is_some_and(|s| !s.is_finite()) {
        return Err(anyhow!("--scale must be a finite number"));
    }
    Ok(EvaluationOptions {
        batch_size: args.batch_size as usize,
        top_k: args.top_k as usize,
        layout: LayoutOverride { kind, image_size },
        preprocess: Preprocess {
            scale: args.scale,
            mean: args.mean.clone(),
            std: args.std.clone(),
        },
        bootstrap: args.bootstrap as usize,
        ..EvaluationOptions::default()
    })
}

fn parse_size(text: &str) -> anyhow::Result<(u32, u32)> {
    let bad = || anyhow!("--image-size {text}: expected WIDTHxHEIGHT, e.g. 224x224");
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    if w == 0 || h == 0 {
        return Err(bad());
    }
    Ok((w, h))
}

fn read_class_names(path: &Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the class names", path.display()))?;
    let names: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if names.is_empty() {
        return Err(anyhow!(
            "{}: no class names (expected one per line)",
            path.display()
        ));
    }
    Ok(names)
}

/// Creates the output folder and proves it is writable, before any long work.
fn prepare_output_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the output folder", dir.display()))?;
    let probe: PathBuf = dir.join(format!(".eval-diff-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .with_context(|| format!("{}: the output folder is not writable", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
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
