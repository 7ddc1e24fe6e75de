//! The engine side of eval-diff (issue 17): `--engine` resolved once, the models loaded in it
//! (and the candidate in the other engine for `--cross-check`), and what the report says about
//! it: the engine rows of the Provenance table and the cross-check section.

use std::fmt::Write as _;
use std::path::Path;

use modelci_cli::Failure;
use modelci_cli::flags::ModelSettings;
use modelci_eval::{
    CrossCheck, Engine, EngineChoice, EngineKind, EngineOptions, Evaluation, Execution, Model,
};
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
            let other = match engine.kind() {
                EngineKind::OnnxRuntime => Engine::tract(),
                EngineKind::Tract => Engine::resolve(
                    &EngineOptions {
                        choice: EngineChoice::OnnxRuntime,
                        ..settings.engine
                    },
                    &env,
                )
                .map_err(|e| {
                    Failure::bad_input(anyhow::anyhow!(
                        "--cross-check runs the candidate in both engines: {e}"
                    ))
                })?,
            };
            let other = other.chosen_by("--cross-check (the other engine)");
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
        "\n### Cross-check: {} vs {}\n\nThe candidate run in both engines on the same inputs.\n\n| Output | Samples | Max abs difference | Top-1 agreement |\n|---|---:|---:|---:|\n",
        evaluation.execution.engine.name, cross.engine.name
    );
    for output in &cross.outputs {
        let agreement = output.agreement().map_or_else(
            || "n/a (no classes)".to_owned(),
            |a| {
                format!(
                    "{:.2}% ({}/{})",
                    a * 100.0,
                    output.top1_agree,
                    output.top1_samples
                )
            },
        );
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {agreement} |",
            esc(&output.name),
            output.samples,
            difference(output.max_abs_diff)
        );
    }
    let _ = writeln!(
        md,
        "\n{} {} ({}).",
        cross.engine.name,
        esc(&cross.engine.version),
        esc(&cross.engine.selected)
    );
    md
}

/// A difference for the report: scientific notation, `∞` for a mismatch.
fn difference(value: f64) -> String {
    if value.is_infinite() {
        "∞ (shapes, types or NaN differ)".to_owned()
    } else {
        format!("{value:.3e}")
    }
}

/// The gate metric `cross_agreement` (the lowest top-1 agreement over the outputs with
/// classes), when `--cross-check` ran.
#[must_use]
pub(crate) fn agreement(cross: Option<&CrossCheck>) -> Option<f64> {
    cross.and_then(CrossCheck::agreement)
}
