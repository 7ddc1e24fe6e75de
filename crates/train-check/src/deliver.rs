//! Delivering the report in CI: PR/MR comment, job summary, annotations and CI report files,
//! through [`modelci_post`], exactly as eval-diff does.

use anyhow::Context as _;
use modelci_cli::{ExitStatus, Failure};
use modelci_post::{GateOutcome, Report};

use crate::args::Args;
use crate::checks::Status;
use crate::run::run;

/// Runs the checks, then delivers the report where the CI run can show it.
///
/// # Errors
/// The [`Failure`] of [`run`]; a code-host failure (exit 3) only with `--strict` or when the
/// checks passed and the host failed after retries.
pub fn run_and_deliver(args: &Args) -> Result<ExitStatus, Failure> {
    let outcome = run(args)?;
    let markdown = std::fs::read_to_string(&outcome.report_md)
        .with_context(|| {
            format!(
                "{}: cannot read the report back",
                outcome.report_md.display()
            )
        })
        .map_err(Failure::bad_input)?;
    let gates = outcome
        .checks
        .iter()
        .filter(|c| c.status != Status::Info)
        .map(|c| GateOutcome {
            name: c.name.clone(),
            passed: c.status == Status::Pass,
            measured: c.measured.clone(),
            message: if c.limit.is_empty() {
                c.measured.clone()
            } else {
                format!("{} (limit {})", c.measured, c.limit)
            },
        })
        .collect();
    let report = Report {
        tool: "train-check",
        dir: args.output.output_dir.clone(),
        markdown,
        passed: outcome.verdict.passed,
        verdict: outcome.verdict.summary.clone(),
        gates,
        metrics: Vec::new(),
    };
    let mut session = outcome.session;
    session.finish(&report, &args.posting, outcome.status)
}
