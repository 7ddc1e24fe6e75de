//! Finding the baseline from `--baseline SOURCE` ([`modelci_baseline`]), or `auto` inside a
//! pull/merge request, before anything is evaluated.

use anyhow::anyhow;
use modelci_baseline::{Baseline, Context, Source};
use modelci_cli::{Failure, Session};

use crate::args::Args;

/// The baseline to evaluate, verified; `None` when `auto` found no baseline yet; a [`Failure`]
/// (exit 2, or 3 when the host failed) when the source is wrong or its model is refused.
pub(crate) fn find(
    args: &Args,
    candidate: &std::path::Path,
    session: &Session,
) -> Result<Option<Baseline>, Failure> {
    let mut ctx = context(session);
    let source = match &args.baseline {
        Some(text) => text.parse::<Source>().map_err(Failure::bad_input)?,
        None if ctx.ci.change.is_some() => Source::Auto,
        None => {
            return Err(Failure::bad_input(anyhow!(
                "--baseline is required outside a pull/merge request (inside one, `auto` finds the latest release bundle or the target branch's model)"
            )));
        }
    };
    ctx.pinned_sha256.clone_from(&args.baseline_sha256);
    ctx.candidate = Some(candidate.to_owned());
    match modelci_baseline::resolve(&source, &ctx) {
        Ok(found) => Ok(found),
        Err(e) if e.is_host_failure() => Err(Failure::forge(e)),
        Err(e) => Err(Failure::bad_input(e)),
    }
}

/// The context of this run (CI, environment, cache) for baselines and for `--history`, from
/// the session's one detection.
pub(crate) fn context(session: &Session) -> Context {
    Context::new(session.ci().clone(), session.env().clone())
}
