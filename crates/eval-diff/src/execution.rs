//! The engine side of eval-diff (issue 17): `--engine` resolved once, the models loaded in it
//! (and the candidate in the other engine for `--cross-check`), and what the report says about
//! it: the engine rows of the Provenance table and the cross-check section.

use std::fmt::Write as _;
use std::path::Path;

use modelci_cli::Failure;
use modelci_cli::flags::ModelSettings;
use modelci_eval::{CrossCheck, Evaluation, Execution, Model};
use modelci_report::escape_markdown as esc;

/// The models to evaluate, in the engine the flags ask for.
pub(crate) struct Loaded {
    /// In the order given (baseline, candidate).
    pub models: Vec<Model>,
    /// The last model in the other engine (`--cross-check`).
    pub cross: Option<Model>,
}

/// Resolves `--engine`, loads `paths` in it and, with `cross_check`, the last of them in the
/// other engine too.
///
/// # Errors
/// A bad-input [`Failure`] (exit 2): the engine is not found or too old, a model does not load
/// (naming the engine and suggesting the other), or `--cross-check` lacks onnxruntime.
pub(crate) fn load(
    settings: &ModelSettings,
    paths: &[&Path],
    cross_check: bool,
) -> Result<Loaded, Failure> {
    let env = |name: &str| std::env::var(name).ok();
    let engine = settings.resolve_engine().map_err(Failure::bad_input)?;
    let models = paths
        .iter()
        .map(|path| Model::load_with(path, &engine))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::bad_input)?;
    let cross = match (cross_check, paths.last()) {
        (true, Some(last)) => {
            let other = engine
                .cross_check_engine(&settings.engine, &env)
                .map_err(|e| {
                    Failure::bad_input(anyhow::anyhow!(
                        "--cross-check runs the candidate in both engines: {e}"
                    ))
                })?;
            Some(Model::load_with(last, &other).map_err(Failure::bad_input)?)
        }
        _ => None,
    };
    Ok(Loaded { models, cross })
}

/// The engine rows of the Provenance table (no heading: they continue the table).
#[must_use]
pub(crate) fn provenance_rows(execution: &Execution) -> String {
    let mut md = String::new();
    let engine = &execution.engine;
    let _ = writeln!(md, "| Engine | {} |", esc(&engine.summary()));
    if let Some(library) = &engine.library {
        let _ = writeln!(
            md,
            "| Engine library | `{}` |",
            esc(&library.display().to_string())
        );
    }
    let _ = writeln!(md, "| Engine chosen by | {} |", esc(&engine.selected));
    let _ = writeln!(
        md,
        "| Workers | {} (latency: {}) |",
        execution.jobs,
        esc(&execution.latency.describe())
    );
    md
}

/// The cross-check section, when `--cross-check` ran.
#[must_use]
pub(crate) fn cross_section(evaluation: &Evaluation) -> String {
    let Some(cross) = &evaluation.cross_check else {
        return String::new();
    };
    let mut md = format!(
        "\n### Cross-check: {} vs {}\n\nThe candidate run in both engines on the same inputs.\n\n{}",
        evaluation.execution.engine.name,
        cross.engine.name,
        cross.markdown_table(&|text: &str| esc(text))
    );
    let _ = writeln!(
        md,
        "\n{} {} ({}).",
        cross.engine.name,
        esc(&cross.engine.version),
        esc(&cross.engine.selected)
    );
    md
}

/// The gate metric `cross_agreement` (the lowest top-1 agreement over the outputs with
/// classes), when `--cross-check` ran.
#[must_use]
pub(crate) fn agreement(cross: Option<&CrossCheck>) -> Option<f64> {
    cross.and_then(CrossCheck::agreement)
}
