//! Per-sample outcomes and their reduction to the figures of a report.
//!
//! Every eval-diff report is computed here from the samples' outcomes, one at a time in dataset
//! order: a single run feeds them as the models produce them, `eval-diff merge` feeds them from
//! shard files. The same additions in the same order give the same metrics, flip lists,
//! McNemar p-value and bootstrap interval (its seed is fixed and its draws follow the merged
//! outcomes), so a merged report is the single run's.

use modelci_eval::output::Prediction;
use modelci_eval::{Evaluation, NonFinite, SampleOutcome, Task, Timings};
use modelci_metrics::classification::truth_rank;
use modelci_metrics::{ClassificationAccumulator, PairAccumulator, RegressionAccumulator};
use serde::{Deserialize, Serialize};

/// One sample's outcome: a line of a shard file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The sample's name (a file relative to the dataset folder, or a row index).
    pub id: String,
    /// Its label: the true class index, or the regression target (as text, so that it reads
    /// back to the same bits).
    #[serde(with = "exact")]
    pub y: f64,
    /// One prediction per model (baseline, candidate); `null` when the model's outputs held
    /// NaN or infinity.
    pub p: Vec<Option<Predicted>>,
}

/// What one model predicted for one sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Predicted {
    /// The predicted class (classifiers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c: Option<usize>,
    /// How many classes scored strictly higher than the true class (top-k accuracy), when
    /// the model gives scores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r: Option<u32>,
    /// The predicted value (regressors; as text, so that it reads back to the same bits).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "exact::option"
    )]
    pub v: Option<f64>,
}

impl Outcome {
    /// The outcome of a sample as the evaluation loop hands it over.
    #[must_use]
    pub fn of(sample: &SampleOutcome<'_>) -> Self {
        let truth = class_index(sample.label);
        let p = sample
            .predictions
            .iter()
            .map(|prediction| {
                prediction.map(|prediction| match prediction {
                    Prediction::Class { class, scores } => Predicted {
                        c: Some(*class),
                        r: scores
                            .as_deref()
                            .map(|s| truth.map_or(u32::MAX, |t| truth_rank(s, t))),
                        v: None,
                    },
                    Prediction::Value(value) => Predicted {
                        c: None,
                        r: None,
                        v: Some(*value),
                    },
                })
            })
            .collect();
        Self {
            id: sample.id.to_owned(),
            y: sample.label,
            p,
        }
    }
}

/// Numbers that must read back to the same bits: written as Rust's shortest round-trip text
/// (`0.1`, `3`) inside a JSON string and read with Rust's correctly rounded parser, since
/// `serde_json` (without its `float_roundtrip` feature) may read a number one unit in the last
/// place off.
mod exact {
    use serde::{Deserialize as _, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }

    pub(super) mod option {
        use serde::{Deserialize as _, Deserializer, Serializer};

        #[allow(clippy::ref_option)]
        pub(in super::super) fn serialize<S: Serializer>(
            value: &Option<f64>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => serializer.collect_str(v),
                None => serializer.serialize_none(),
            }
        }

        pub(in super::super) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<f64>, D::Error> {
            Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)?
                .map(|t| t.parse().map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

/// The class index a label stands for, when it is a whole non-negative number.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn class_index(label: f64) -> Option<usize> {
    (label.fract() == 0.0 && label >= 0.0 && label <= f64::from(u32::MAX)).then_some(label as usize)
}

/// What the reduction needs to know before the first outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shape {
    /// Classification or regression.
    pub task: Task,
    /// The number of classes the models score (0 for regression).
    pub classes: usize,
    /// How many models (2: baseline and candidate).
    pub models: usize,
}

/// One model's running figures.
#[derive(Debug, Clone)]
struct Tally {
    classification: Option<ClassificationAccumulator>,
    regression: RegressionAccumulator,
    non_finite: NonFinite,
}

/// Metrics, flips and statistics accumulated over outcomes in dataset order.
#[derive(Debug, Clone)]
pub struct Reducer {
    shape: Shape,
    tallies: Vec<Tally>,
    pair: PairAccumulator,
    samples: u64,
}

impl Reducer {
    /// A reducer for outcomes of `shape`, counting top-`top_k` hits and keeping `keep_flips`
    /// flipped samples of each kind by name.
    #[must_use]
    pub fn new(shape: Shape, top_k: usize, keep_flips: usize) -> Self {
        let tally = Tally {
            classification: (shape.task == Task::Classification)
                .then(|| ClassificationAccumulator::new(shape.classes, top_k)),
            regression: RegressionAccumulator::default(),
            non_finite: NonFinite::default(),
        };
        Self {
            shape,
            tallies: vec![tally; shape.models],
            pair: PairAccumulator::new(keep_flips),
            samples: 0,
        }
    }

    /// What this reducer was made for.
    #[must_use]
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Adds the next sample.
    pub fn add(&mut self, outcome: &Outcome) {
        let truth = class_index(outcome.y).unwrap_or(usize::MAX);
        let mut classes = Vec::with_capacity(self.tallies.len());
        for (tally, predicted) in self.tallies.iter_mut().zip(&outcome.p) {
            let Some(predicted) = predicted else {
                tally.non_finite.add(&outcome.id);
                classes.push(None);
                continue;
            };
            match (self.shape.task, predicted.c, predicted.v) {
                (Task::Classification, Some(class), _) => {
                    if let Some(acc) = tally.classification.as_mut() {
                        acc.add_ranked(truth, class, predicted.r);
                    }
                    classes.push(Some(class));
                }
                (Task::Regression, _, Some(value)) => {
                    tally.regression.add(outcome.y, value);
                    classes.push(None);
                }
                _ => classes.push(None),
            }
        }
        if let [Some(baseline), Some(candidate), ..] = classes[..] {
            self.pair
                .add(truth, baseline, candidate, || outcome.id.clone());
        }
        self.samples += 1;
    }

    /// The evaluation with its figures from the outcomes added: `base` gives what the outcomes
    /// do not hold (models, engine, cross-check); `timings` (one per model) the latency;
    /// `bootstrap` the resamples of the accuracy-delta interval.
    #[must_use]
    pub fn finish(
        &self,
        mut base: Evaluation,
        timings: &[Timings],
        bootstrap: usize,
    ) -> Evaluation {
        base.task = self.shape.task;
        base.samples = self.samples;
        for ((model, tally), timings) in base.models.iter_mut().zip(&self.tallies).zip(timings) {
            model.classification = tally
                .classification
                .as_ref()
                .map(ClassificationAccumulator::finish);
            model.regression =
                (self.shape.task == Task::Regression).then(|| tally.regression.finish());
            model.non_finite = tally.non_finite.clone();
            model.latency = timings.summary();
            model.timings = timings.clone();
        }
        base.pair = (self.shape.task == Task::Classification && base.models.len() >= 2)
            .then(|| self.pair.finish(bootstrap));
        base
    }
}

/// Adds each outcome of an evaluation to the reducer, creating it on the first one.
pub(crate) fn observe(
    reducer: &mut Option<Reducer>,
    sample: &SampleOutcome<'_>,
    top_k: usize,
    keep_flips: usize,
) -> Outcome {
    let outcome = Outcome::of(sample);
    reducer
        .get_or_insert_with(|| {
            Reducer::new(
                Shape {
                    task: sample.task,
                    classes: sample.classes,
                    models: sample.predictions.len(),
                },
                top_k,
                keep_flips,
            )
        })
        .add(&outcome);
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip_compactly() {
        let outcome = Outcome {
            id: "3/a.png".into(),
            y: 3.0,
            p: vec![
                Some(Predicted {
                    c: Some(3),
                    r: Some(0),
                    v: None,
                }),
                None,
            ],
        };
        let line = serde_json::to_string(&outcome).expect("encodes");
        assert_eq!(line, r#"{"id":"3/a.png","y":"3","p":[{"c":3,"r":0},null]}"#);
        let back: Outcome = serde_json::from_str(&line).expect("decodes");
        assert_eq!(back, outcome);
        // Values come back to the bit, including ones a fast float parser may miss.
        for value in [
            0.1,
            1.0 / 3.0,
            2.225_073_858_507_201e-308,
            -7.5e300,
            123_456.789,
        ] {
            let regression = Outcome {
                id: "7".into(),
                y: value,
                p: vec![Some(Predicted {
                    c: None,
                    r: None,
                    v: Some(-value / 7.0),
                })],
            };
            let line = serde_json::to_string(&regression).expect("encodes");
            let back: Outcome = serde_json::from_str(&line).expect("decodes");
            assert_eq!(back.y.to_bits(), value.to_bits(), "{line}");
            let v = back.p[0].and_then(|p| p.v).expect("value");
            assert_eq!(v.to_bits(), (-value / 7.0).to_bits(), "{line}");
        }
    }

    #[test]
    fn reduction_counts_flips_and_non_finite() {
        let shape = Shape {
            task: Task::Classification,
            classes: 2,
            models: 2,
        };
        let mut reducer = Reducer::new(shape, 1, 10);
        let class = |c| {
            Some(Predicted {
                c: Some(c),
                r: None,
                v: None,
            })
        };
        reducer.add(&Outcome {
            id: "a".into(),
            y: 1.0,
            p: vec![class(1), class(0)],
        });
        reducer.add(&Outcome {
            id: "b".into(),
            y: 0.0,
            p: vec![None, class(0)],
        });
        assert_eq!(reducer.samples, 2);
        assert_eq!(reducer.pair.finish(0).regressed, 1);
        assert_eq!(reducer.tallies[0].non_finite.samples, 1);
        assert_eq!(reducer.tallies[1].non_finite.samples, 0);
    }
}
