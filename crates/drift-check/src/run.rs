//! One drift check, from the arguments to the exit status.

use std::io::Write as _;

use modelci_cli::{ExitStatus, Failure, Session};
use modelci_drift::monitor::compare;
use modelci_post::GateOutcome;
use modelci_post::Report;
use modelci_report::ToolName;

use crate::Args;
use crate::current::{self, ReadOptions};
use crate::gates::{Gates, assess};
use crate::health::{self, HealthOptions};
use crate::issue::{self, IssueError, IssueReport};
use crate::model::{
    self, ModelRun,
    checks::{ModelGates, ModelOutcome, State},
};
use crate::notify::{self, Notice};
use crate::reference;
use crate::report::{self, DataSummary};
use modelci_forge::IssueOutcome;

/// Runs the check and delivers the report.
///
/// # Errors
/// A [`Failure`] for bad input (exit 2) or a code-host failure while delivering (exit 3).
pub fn run(args: &Args) -> Result<ExitStatus, Failure> {
    if !(args.max_psi.is_finite() && args.max_psi > 0.0) {
        return Err(Failure::bad_input(anyhow::anyhow!(
            "--max-psi must be a positive number, got {}",
            args.max_psi
        )));
    }
    if let Some(alpha) = args.alpha
        && !(alpha > 0.0 && alpha < 1.0)
    {
        return Err(Failure::bad_input(anyhow::anyhow!(
            "--alpha must be between 0 and 1, got {alpha}"
        )));
    }
    // Image folders and NumPy files go through eval-diff's preprocessing; CSV rows and request
    // logs are fed as they are.
    let dataset_current =
        crate::current::dataset::reads_as_dataset(&args.current, args.text.tokenizer.is_some());
    if !dataset_current && !crate::current::dataset::is_dataset(&args.reference) {
        model::refuse_image_flags(&args.model_args).map_err(Failure::bad_input)?;
    }
    for (flag, value) in [
        ("--max-prediction-psi", args.max_prediction_psi),
        ("--max-score-psi", args.max_score_psi),
    ] {
        if !(value.is_finite() && value > 0.0) {
            return Err(Failure::bad_input(anyhow::anyhow!(
                "{flag} must be a positive number, got {value}"
            )));
        }
    }
    for (flag, value) in [
        ("--max-accuracy-drop", Some(args.max_accuracy_drop)),
        ("--max-error-increase", Some(args.max_error_increase)),
        (
            "--max-estimated-accuracy-drop",
            args.max_estimated_accuracy_drop,
        ),
    ] {
        if let Some(value) = value
            && !(value.is_finite() && value >= 0.0)
        {
            return Err(Failure::bad_input(anyhow::anyhow!(
                "{flag} must be a number, 0 or more, got {value}"
            )));
        }
    }
    for (flag, value) in [
        ("--max-error-rate", args.max_error_rate),
        ("--max-latency-p95-ms", args.max_latency_p95_ms),
    ] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(Failure::bad_input(anyhow::anyhow!(
                "{flag} must be a number, 0 or more, got {value}"
            )));
        }
    }
    let mut settings = args.model_args.settings().map_err(Failure::bad_input)?;
    settings.dataset.text = args.text.options();
    let text = settings.dataset.text.as_ref();
    let since = args
        .since
        .as_deref()
        .map(|text| crate::since::parse(text, chrono::Utc::now()))
        .transpose()
        .map_err(Failure::bad_input)?;
    let mut session = Session::start("drift-check", &args.output)?;
    let opened = reference::open(&args.reference, &args.categorical, &args.ignore, || {
        modelci_baseline::Context::new(session.ci().clone(), session.env().clone())
    })?;
    let mut reference = opened.reference;
    // The monitored model: `--model`, else a release bundle's model when its reference carries
    // the predictions that model made on the evaluation data.
    let model_path: Option<std::path::PathBuf> = args.model.clone().or_else(|| {
        opened
            .model
            .clone()
            .filter(|_| reference.predictions.is_some())
    });
    let model_run = model_path.as_deref().map(|path| ModelRun {
        path,
        settings: &settings,
        label_column: &args.model_args.label_column,
    });
    let csv_reference = opened.provenance.is_none()
        && !args
            .reference
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if csv_reference {
        // The label column is the model's answer key, not an input feature.
        reference
            .features
            .retain(|f| f.name != args.model_args.label_column);
        if reference.features.is_empty() {
            return Err(Failure::bad_input(anyhow::anyhow!(
                "{}: no feature besides the label column {:?}",
                args.reference.display(),
                args.model_args.label_column
            )));
        }
        if let Some(run) = &model_run
            && reference.predictions.is_none()
        {
            reference.predictions = Some(
                run.on_reference(&args.reference, &reference)
                    .map_err(Failure::bad_input)?,
            );
        }
    }
    if let Some(path) = &args.write_reference {
        reference::write(&reference, path).map_err(Failure::bad_input)?;
    }
    let options = ReadOptions {
        window: args.window,
        max_bad_lines: args.max_bad_lines,
        since,
    };
    let mut warnings = Vec::new();
    let tally = current::read(&args.current, &reference, (options, text), &mut |w| {
        warnings.push(w)
    })
    .map_err(Failure::bad_input)?;
    for warning in &warnings {
        session.warn(warning);
    }
    let mut drifts = Vec::with_capacity(reference.features.len());
    for (feature, counts) in reference.features.iter().zip(&tally.counts) {
        match compare(feature, counts) {
            Ok(drift) => drifts.push(drift),
            Err(error) => {
                return Err(Failure::bad_input(anyhow::anyhow!(
                    "{}: feature {:?}: {error}",
                    args.current.display(),
                    feature.name
                )));
            }
        }
    }
    let skip = tally.rows_in_file - tally.rows;
    let mut model_warnings = Vec::new();
    let current_predictions = model::current_predictions(
        &reference,
        model_run.as_ref(),
        (&args.current, skip, tally.rows, text.is_some()),
        settings.dataset.class_names.as_deref(),
        &mut |w| model_warnings.push(w),
    )
    .map_err(Failure::bad_input)?;
    for warning in &model_warnings {
        session.warn(warning);
    }
    let model_outcome = model::checks::assess(
        reference.predictions.as_ref(),
        current_predictions
            .as_ref()
            .map(|(tally, source)| (tally, source.clone()))
            .map_err(Clone::clone),
        ModelGates {
            max_prediction_psi: args.max_prediction_psi,
            max_score_psi: args.max_score_psi,
            max_accuracy_drop: args.max_accuracy_drop,
            max_error_increase: args.max_error_increase,
            max_estimated_accuracy_drop: args.max_estimated_accuracy_drop,
            alpha: args.alpha,
            labels_from: if dataset_current {
                "an image folder's class folders, or the `y` array of a NumPy file"
            } else if crate::current::is_log(&args.current) {
                "labels joined to the log's requests by id"
            } else {
                "--label-column"
            },
        },
        model_warnings,
    );
    let gates = Gates {
        max_psi: args.max_psi,
        alpha: args.alpha,
        max_drifted: args.max_drifted,
    };
    let outcome = assess(drifts, gates);
    let health = match (&args.endpoint, &args.model_name) {
        (Some(endpoint), Some(model_name)) => {
            let samples = usize::try_from(args.samples).unwrap_or(usize::MAX);
            let bodies = health::requests(&args.current, &reference, samples, &args.input_name)
                .map_err(Failure::bad_input)?;
            let report = health::check(
                &bodies,
                &HealthOptions {
                    endpoint,
                    model_name,
                    input_name: &args.input_name,
                    max_error_rate: args.max_error_rate,
                    max_latency_p95_ms: args.max_latency_p95_ms,
                },
            );
            let mark = if report.passed { "ok" } else { "FAILED" };
            let _ = writeln!(
                std::io::stdout().lock(),
                "drift-check: {mark}: {}{}",
                modelci_cli::sanitize(&report.summary()),
                if report.passed {
                    String::new()
                } else {
                    format!(": {}", modelci_cli::sanitize(&report.reasons.join("; ")))
                }
            );
            Some(report)
        }
        _ => None,
    };
    let passed = outcome.passed && model_outcome.passed && health.as_ref().is_none_or(|h| h.passed);
    let data = DataSummary {
        reference: args.reference.display().to_string(),
        reference_rows: reference.rows,
        current: args.current.display().to_string(),
        current_rows: tally.rows,
        current_rows_in_file: tally.rows_in_file,
        bad_lines: tally.bad_lines,
        reference_provenance: opened.provenance,
        endpoint_health: health,
    };
    let version = env!("CARGO_PKG_VERSION");
    let written = report::write(
        &args.output.output_dir,
        |verdict| session.envelope(ToolName::DriftCheck, version, verdict),
        &reference,
        &data,
        &outcome,
        &model_outcome,
        gates,
    )
    .map_err(Failure::bad_input)?;
    print_summary(&written.verdict, passed, &outcome);
    let markdown = std::fs::read_to_string(&written.report_md)
        .map_err(|e| Failure::bad_input(anyhow::anyhow!("{}: {e}", written.report_md.display())))?;
    let delivered = Report {
        tool: "drift-check",
        dir: args.output.output_dir.clone(),
        markdown,
        passed,
        verdict: written.verdict,
        gates: outcome
            .features
            .iter()
            .map(|f| GateOutcome {
                name: format!("drift {}", f.drift.name),
                passed: !f.drifted,
                measured: format!("PSI {:.3}", f.drift.psi),
                message: if f.drifted {
                    f.reasons.join("; ")
                } else {
                    format!("PSI {:.3}", f.drift.psi)
                },
            })
            .chain(model_gates(&model_outcome))
            .chain(data.endpoint_health.iter().map(health_gate))
            .collect(),
        metrics: Vec::new(),
    };
    let status = if passed {
        ExitStatus::Success
    } else {
        ExitStatus::GateFailed
    };
    let mut issue_closed = false;
    let mut issue_url = None;
    if args.issue {
        let report = IssueReport {
            verdict: &delivered.verdict,
            failing: !passed,
            markdown: &delivered.markdown,
            run_url: session.ci().run_url.as_deref(),
        };
        match issue::keep(&session, &args.issue_key, &args.issue_label, &report) {
            Ok(done) => {
                match &done {
                    IssueOutcome::Closed(_) => issue_closed = true,
                    IssueOutcome::Opened(i) | IssueOutcome::Updated(i) => {
                        issue_url.clone_from(&i.url);
                    }
                    _ => {}
                }
                let _ = writeln!(
                    std::io::stdout().lock(),
                    "drift-check: {}",
                    modelci_cli::sanitize(&issue::describe(&done))
                );
            }
            // The drift stays the news (exit 1); the issue trouble is printed.
            Err(error) if status == ExitStatus::GateFailed => {
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "drift-check: error: {}",
                    modelci_cli::sanitize(&error.to_string())
                );
            }
            Err(error @ IssueError::Forge(_)) => return Err(Failure::forge(error)),
            Err(error) => return Err(Failure::bad_input(error)),
        }
    }
    if let Some(event) = notify::event(passed, issue_closed) {
        let reference_text = args.reference.display().to_string();
        let reference = data
            .reference_provenance
            .as_ref()
            .map_or(reference_text.as_str(), |p| p.bundle.resolved.as_str());
        let notice = Notice {
            event,
            verdict: &delivered.verdict,
            monitor: &args.issue_key,
            reference,
            outcome: &outcome,
            run_url: session.ci().run_url.as_deref(),
            issue_url: issue_url.as_deref(),
        };
        for problem in notify::send(&notice, &args.slack_webhook, &args.webhook) {
            session.warn(&problem);
        }
    }
    session.finish(&delivered, &args.posting, status)
}

/// The endpoint health check as a posted gate.
fn health_gate(h: &health::HealthReport) -> GateOutcome {
    GateOutcome {
        name: "endpoint health".to_owned(),
        passed: h.passed,
        measured: format!("{:.1}% errors", h.error_rate),
        message: if h.passed {
            h.summary()
        } else {
            h.reasons.join("; ")
        },
    }
}

/// The model checks that ran, as posted gates (a check not run is no gate).
fn model_gates(outcome: &ModelOutcome) -> impl Iterator<Item = GateOutcome> + '_ {
    outcome
        .checks
        .iter()
        .filter(|c| matches!(c.state, State::Ok | State::Failed))
        .map(|c| GateOutcome {
            name: c.name.to_owned(),
            passed: c.state == State::Ok,
            measured: c.measured.clone(),
            message: c.detail.clone(),
        })
}

/// One line on standard output: the verdict and the most drifted feature.
fn print_summary(verdict: &str, passed: bool, outcome: &crate::gates::Outcome) {
    let largest = outcome
        .features
        .iter()
        .max_by(|a, b| a.drift.psi.total_cmp(&b.drift.psi));
    let detail = largest.map_or_else(String::new, |f| {
        format!(
            " (largest PSI {:.3}: {})",
            f.drift.psi,
            modelci_cli::sanitize(&f.drift.name)
        )
    });
    let mark = if passed { "ok" } else { "DRIFT" };
    let _ = writeln!(
        std::io::stdout().lock(),
        "drift-check: {mark}: {verdict}{detail}"
    );
}
