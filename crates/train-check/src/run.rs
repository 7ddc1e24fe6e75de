//! One train-check run, from arguments to exit status.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use modelci_cli::{ExitStatus, Failure, Session, sanitize};
use modelci_eval::Model;
use modelci_report::ToolName;
use modelci_report::envelope::{self, Document};

use crate::args::Args;
use crate::checks::logs::{self, LogOptions};
use crate::checks::model::{self, ModelOptions};
use crate::checks::{Check, budget, signature};
use crate::report::{self, Report, ReportInput, Verdict};

/// What a finished run produced: the exit status, the verdict and the files written. CI
/// integrations (sticky comment, job summary, annotations) start from here.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// 0 when every check held, 1 when one failed.
    pub status: ExitStatus,
    /// Pass/fail, counts and the one-line summary.
    pub verdict: Verdict,
    /// Every check, in report order.
    pub checks: Vec<Check>,
    /// The run's session (CI context, warnings), to deliver the report.
    pub session: Session,
    /// `report.md`.
    pub report_md: PathBuf,
    /// `report.json`.
    pub report_json: PathBuf,
    /// The charts' PNG and SVG files.
    pub charts: Vec<PathBuf>,
}

/// Runs train-check: read the logs, check the model and the logs, write the report, print a
/// summary.
///
/// # Errors
/// A [`Failure`] with exit code 2 for bad input: malformed flags or budgets, unreadable or
/// malformed logs, a threshold naming an unknown metric, a signature file naming a missing
/// tensor, a model that does not load, an unwritable output folder. A model that produces
/// NaN fails a check (exit 1), with the report written.
pub fn run(args: &Args) -> Result<RunOutcome, Failure> {
    let budgets = budget::budgets(args).map_err(Failure::bad_input)?;
    let log_options = log_options(args).map_err(Failure::bad_input)?;
    let histories = args
        .metrics
        .iter()
        .map(|p| modelci_history::load(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::bad_input)?;
    let expected = args
        .signature
        .as_deref()
        .map(signature::read)
        .transpose()
        .map_err(Failure::bad_input)?;
    let log_checks = logs::check(&histories, &log_options).map_err(Failure::bad_input)?;
    let settings = args.running.settings().map_err(Failure::bad_input)?;
    let session = Session::start("train-check", &args.output)?;

    let engine = settings.resolve_engine().map_err(Failure::bad_input)?;
    let mut model = Model::load_with(&args.model, &engine).map_err(Failure::bad_input)?;
    let mut checks = Vec::new();
    if let (Some(expected), Some(file)) = (&expected, &args.signature) {
        checks.extend(
            signature::compare(expected, file, &args.model, model.signature())
                .map_err(Failure::bad_input)?,
        );
    }
    let options = ModelOptions {
        budgets: &budgets,
        batch_size: settings.batch_size,
        latency_runs: args.latency_runs as usize,
        dataset: args.dataset.as_deref(),
        settings: &settings,
        quiet: args.output.quiet,
    };
    let (model_checks, facts) = model::check(&mut model, &options).map_err(Failure::bad_input)?;
    let (model_rows, budget_rows): (Vec<Check>, Vec<Check>) = model_checks
        .into_iter()
        .partition(|c| c.group == crate::checks::Group::Model);
    checks.extend(model_rows);
    checks.extend(log_checks);
    checks.extend(logs::learning(&histories, facts.classes, &log_options));
    checks.extend(budget_rows);

    let charts = report::render_charts(report::build_charts(&histories), &args.output.output_dir)
        .context("rendering the training curves")
        .map_err(Failure::bad_input)?;
    let verdict = Verdict::of(&checks);
    let mut envelope = session.envelope(
        ToolName::TrainCheck,
        env!("CARGO_PKG_VERSION"),
        envelope::Verdict {
            passed: verdict.passed,
            summary: verdict.summary.clone(),
            gates: verdict.checks,
            failed: verdict.failed,
        },
    );
    envelope.metrics = report::metrics(&facts);
    envelope.charts.clone_from(&charts);
    let json = Document {
        envelope,
        body: Report {
            checks: &checks,
            model: &facts,
            logs: &histories,
        },
    };
    let json_text = serde_json::to_string_pretty(&json)
        .context("encoding report.json")
        .map_err(Failure::bad_input)?;
    let md = report::markdown(&ReportInput {
        checks: &checks,
        model: &facts,
        histories: &histories,
        charts: &charts,
    });
    let md_path = args.output.output_dir.join("report.md");
    let json_path = args.output.output_dir.join("report.json");
    modelci_report::write_atomic(&json_path, json_text.as_bytes()).map_err(Failure::bad_input)?;
    modelci_report::write_atomic(&md_path, md.as_bytes()).map_err(Failure::bad_input)?;

    print_summary(&verdict, &checks, &md_path).map_err(Failure::bad_input)?;
    Ok(RunOutcome {
        status: if verdict.passed {
            ExitStatus::Success
        } else {
            ExitStatus::GateFailed
        },
        verdict,
        checks,
        session,
        report_md: md_path,
        report_json: json_path,
        charts: charts
            .iter()
            .flat_map(|c| {
                [
                    args.output.output_dir.join(&c.png),
                    args.output.output_dir.join(&c.svg),
                ]
            })
            .collect(),
    })
}

fn log_options(args: &Args) -> anyhow::Result<LogOptions> {
    if !(args.trend_tolerance.is_finite() && args.trend_tolerance >= 0.0) {
        bail!(
            "--trend-tolerance {}: give a fraction of 0 or more, e.g. 0.1 for 10%",
            args.trend_tolerance
        );
    }
    if !(args.divergence_factor.is_finite() && args.divergence_factor >= 1.0) {
        bail!(
            "--divergence-factor {}: give a factor of 1 or more, e.g. 2",
            args.divergence_factor
        );
    }
    if !(args.chance_margin.is_finite() && (0.0..1.0).contains(&args.chance_margin)) {
        bail!(
            "--chance-margin {}: give a fraction from 0 to below 1, e.g. 0.05",
            args.chance_margin
        );
    }
    if !(args.min_loss_drop.is_finite() && (0.0..1.0).contains(&args.min_loss_drop)) {
        bail!(
            "--min-loss-drop {}: give a fraction from 0 to below 1, e.g. 0.05 for 5%",
            args.min_loss_drop
        );
    }
    Ok(LogOptions {
        chance_margin: args.chance_margin,
        min_loss_drop: args.min_loss_drop,
        thresholds: budget::thresholds(args)?,
        losses: args.loss.clone(),
        trend_epochs: args.trend_epochs as usize,
        trend_tolerance: args.trend_tolerance,
        divergence_factor: args.divergence_factor,
    })
}

/// Standard output: the verdict, one line per check, where the report is. Check names, measured
/// values and paths come from data (metric names, file names): each line is sanitised.
fn print_summary(verdict: &Verdict, checks: &[Check], report: &Path) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "train-check {}", sanitize(&verdict.summary))?;
    for c in checks {
        let limit = if c.limit.is_empty() {
            String::new()
        } else {
            format!("  [{}]", sanitize(&c.limit))
        };
        writeln!(
            out,
            "  {:<4}  {:<48} {}{limit}",
            c.status.word(),
            sanitize(&c.name),
            sanitize(&c.measured)
        )?;
    }
    writeln!(out, "report: {}", sanitize(&report.display().to_string()))?;
    Ok(())
}
