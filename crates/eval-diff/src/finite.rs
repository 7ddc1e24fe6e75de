//! NaN or infinity in a model's outputs is a result, not bad input (issue 15): the samples are
//! left out of that model's metrics, counted and named in the report, and a built-in gate
//! fails, so the run exits 1 with its report written.

use std::fmt::Write as _;

use modelci_eval::{Evaluation, ModelEvaluation};
use modelci_gate::{GateKind, GateResult};
use modelci_report::code_span_prose;

/// The metric name of the built-in gate.
pub const METRIC: &str = "non_finite_samples";

/// One failed gate per model whose outputs held NaN or infinity (none when all were finite).
#[must_use]
pub fn gates(evaluation: &Evaluation) -> Vec<GateResult> {
    let roles = role_names(evaluation);
    evaluation
        .models
        .iter()
        .zip(roles)
        .filter(|(m, _)| m.non_finite.samples > 0)
        .map(|(m, role)| {
            #[allow(clippy::cast_precision_loss)]
            let count = m.non_finite.samples as f64;
            GateResult {
                gate: format!("{role} outputs finite (built in)"),
                kind: GateKind::Max,
                metric: METRIC,
                baseline: None,
                candidate: count,
                bound: 0.0,
                comparison: "<=",
                passed: false,
            }
        })
        .collect()
}

/// A warning paragraph for `report.md`, empty when every output was finite.
#[must_use]
pub fn section(evaluation: &Evaluation) -> String {
    let mut md = String::new();
    for (m, role) in evaluation.models.iter().zip(role_names(evaluation)) {
        if m.non_finite.samples == 0 {
            continue;
        }
        let _ = writeln!(
            md,
            "\n> [!WARNING]\n> The {role} produced NaN or infinite outputs for **{} of {} samples** ({}{}). {}",
            m.non_finite.samples,
            evaluation.samples,
            examples(m),
            if m.non_finite.samples as usize > m.non_finite.examples.len() {
                ", …"
            } else {
                ""
            },
            defined(m, evaluation.samples)
        );
    }
    md
}

fn examples(m: &ModelEvaluation) -> String {
    let names: Vec<String> = m
        .non_finite
        .examples
        .iter()
        .map(|id| code_span_prose(id))
        .collect();
    names.join(", ")
}

fn defined(m: &ModelEvaluation, samples: u64) -> String {
    let rest = samples.saturating_sub(m.non_finite.samples);
    if rest == 0 {
        "No sample has a defined prediction, so its metrics are empty.".to_owned()
    } else {
        format!(
            "Its metrics are computed on the other {rest} samples; the pair statistics on the samples both models scored."
        )
    }
}

fn role_names(evaluation: &Evaluation) -> Vec<&'static str> {
    if evaluation.models.len() == 1 {
        vec!["candidate"]
    } else {
        vec!["baseline", "candidate"]
    }
}
