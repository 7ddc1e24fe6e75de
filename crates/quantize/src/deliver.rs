//! Handing the finished report to [`modelci_post`].

use modelci_cli::{ExitStatus, Failure};
use modelci_post::{Env, GateOutcome, Metric, Mode, Options, PostSwitch};

use crate::args::Args;
use crate::report::Report;

/// Delivers the report; the gates' status stays the exit status unless delivery fails.
pub(crate) fn deliver(
    report: &Report,
    markdown: String,
    args: &Args,
    status: ExitStatus,
) -> Result<ExitStatus, Failure> {
    let mut metrics = vec![
        Metric {
            name: "size_original".into(),
            #[allow(clippy::cast_precision_loss)]
            value: report.input.size as f64,
        },
        Metric {
            name: "size_quantized".into(),
            #[allow(clippy::cast_precision_loss)]
            value: report.output.size as f64,
        },
        Metric {
            name: "size_reduction".into(),
            value: report.size_reduction,
        },
    ];
    if let Some(d) = &report.dataset {
        for (name, value) in [
            ("accuracy_original", d.accuracy_original),
            ("accuracy_quantized", d.accuracy_quantized),
            ("accuracy_delta_pt", d.accuracy_delta_pt),
            ("agreement", d.agreement),
            ("latency_ratio", d.latency_ratio),
        ] {
            if let Some(value) = value {
                metrics.push(Metric {
                    name: name.into(),
                    value,
                });
            }
        }
    }
    let post = modelci_post::Report {
        tool: "quantize",
        dir: args.output_dir.clone(),
        markdown,
        passed: report.passed,
        verdict: report.summary.clone(),
        gates: report
            .gates
            .iter()
            .map(|g| GateOutcome {
                name: g.name.clone(),
                passed: g.passed,
                measured: g.measured.clone(),
                message: format!(
                    "{}: {} (measured {})",
                    if g.passed { "passed" } else { "failed" },
                    g.name,
                    g.measured
                ),
            })
            .collect(),
        metrics,
    };
    let options = Options {
        post: if args.no_post {
            PostSwitch::Never
        } else if args.post {
            PostSwitch::Always
        } else {
            PostSwitch::Auto
        },
        mode: match args.comment_mode.as_str() {
            "recreate" => Mode::Recreate,
            "append" => Mode::Append,
            "off" => Mode::Off,
            _ => Mode::Update,
        },
        key: args.comment_key.clone(),
        strict: args.strict,
        image_branch: None,
    };
    match modelci_post::deliver(&post, &options, &Env::from_process()) {
        Ok(done) => {
            if let Some(url) = done.comment_url {
                use std::io::Write as _;
                let _ = writeln!(std::io::stdout().lock(), "comment: {url}");
            }
            Ok(status)
        }
        Err(error) if status == ExitStatus::GateFailed => {
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr().lock(), "quantize: error: {error}");
            Ok(status)
        }
        Err(error) if error.is_forge() => Err(Failure::forge(error)),
        Err(error) => Err(Failure::bad_input(error)),
    }
}
