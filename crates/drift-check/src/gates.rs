//! Which features drifted, and whether the check passes.

use modelci_drift::monitor::FeatureDrift;
use serde::Serialize;

/// The gates, from the command line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gates {
    /// A feature drifts when its PSI reaches this.
    pub max_psi: f64,
    /// A feature also drifts when its test's p-value falls below this.
    pub alpha: Option<f64>,
    /// Drifted features tolerated.
    pub max_drifted: usize,
}

/// One feature's drift and the gates' reading of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessed {
    /// The statistics.
    #[serde(flatten)]
    pub drift: FeatureDrift,
    /// Whether the feature counts as drifted.
    pub drifted: bool,
    /// Why (`PSI 0.31 ≥ 0.25`, `KS p 0.001 < 0.01`); empty when it did not drift.
    pub reasons: Vec<String>,
}

/// The check's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Every feature, drifted first, then by PSI (largest first).
    pub features: Vec<Assessed>,
    /// Features that drifted.
    pub drifted: usize,
    /// Whether the check passes (`drifted <= max_drifted`).
    pub passed: bool,
}

/// Reads every feature's drift through the gates.
pub fn assess(drifts: Vec<FeatureDrift>, gates: Gates) -> Outcome {
    let mut features: Vec<Assessed> = drifts
        .into_iter()
        .map(|drift| {
            let mut reasons = Vec::new();
            if drift.psi.is_nan() || drift.psi >= gates.max_psi {
                reasons.push(format!("PSI {:.3} ≥ {}", drift.psi, gates.max_psi));
            }
            if let Some(alpha) = gates.alpha {
                let p = drift.test.p_value();
                if p.is_nan() || p < alpha {
                    reasons.push(format!("p {p:.2e} < {alpha}"));
                }
            }
            Assessed {
                drifted: !reasons.is_empty(),
                drift,
                reasons,
            }
        })
        .collect();
    features.sort_by(|a, b| {
        b.drifted
            .cmp(&a.drifted)
            .then(b.drift.psi.total_cmp(&a.drift.psi))
            .then(a.drift.name.cmp(&b.drift.name))
    });
    let drifted = features.iter().filter(|f| f.drifted).count();
    Outcome {
        passed: drifted <= gates.max_drifted,
        drifted,
        features,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use modelci_drift::monitor::{Counts, Test, compare};
    use modelci_drift::{ContinuousReference, Feature, FeatureSummary};

    fn drift(name: &str, shift: f64) -> FeatureDrift {
        let values: Vec<f64> = (0..5000).map(|i| f64::from(i % 50)).collect();
        let feature = Feature {
            name: name.into(),
            summary: FeatureSummary::Continuous(
                ContinuousReference::from_values(values.iter().copied()).unwrap(),
            ),
        };
        let mut counts = Counts::new(&feature.summary);
        values.iter().for_each(|v| counts.add_number(v + shift));
        compare(&feature, &counts).unwrap()
    }

    #[test]
    fn drifted_features_come_first_and_fail_past_the_tolerance() {
        let gates = Gates {
            max_psi: 0.25,
            alpha: None,
            max_drifted: 0,
        };
        let outcome = assess(
            vec![
                drift("calm", 0.0),
                drift("moved", 20.0),
                drift("nudged", 2.0),
            ],
            gates,
        );
        let names: Vec<&str> = outcome
            .features
            .iter()
            .map(|f| f.drift.name.as_str())
            .collect();
        assert_eq!(names, ["moved", "nudged", "calm"]);
        assert_eq!(outcome.drifted, 1);
        assert!(!outcome.passed);
        assert!(outcome.features[0].reasons[0].starts_with("PSI "));
        let tolerant = assess(
            vec![drift("moved", 20.0)],
            Gates {
                max_drifted: 1,
                ..gates
            },
        );
        assert!(tolerant.passed);
    }

    #[test]
    fn alpha_adds_the_test_as_a_gate() {
        let small = drift("nudged", 2.0);
        assert!(matches!(small.test, Test::Ks { .. }));
        let without = assess(
            vec![small.clone()],
            Gates {
                max_psi: 0.25,
                alpha: None,
                max_drifted: 0,
            },
        );
        assert!(without.passed);
        let with = assess(
            vec![small],
            Gates {
                max_psi: 0.25,
                alpha: Some(0.05),
                max_drifted: 0,
            },
        );
        assert!(!with.passed, "{:?}", with.features[0]);
    }
}
