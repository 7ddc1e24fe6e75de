//! Statistics between two models evaluated on the same samples: agreement, flips, McNemar and
//! a bootstrap interval of the accuracy delta.

use serde::{Deserialize, Serialize};

use crate::stats::{Interval, bootstrap_delta_ci, mcnemar_exact_p};

/// How many flipped samples of each kind are kept by name for the report.
pub const DEFAULT_FLIPS_KEPT: usize = 50;

/// Seed of the bootstrap resampling, fixed so that reports are reproducible.
pub const BOOTSTRAP_SEED: u64 = 0x006d_6f64_656c_6369; // "modelci" in ASCII

/// Collects paired outcomes of a baseline and a candidate, one sample at a time.
#[derive(Debug, Clone)]
pub struct PairAccumulator {
    samples: u64,
    agree: u64,
    /// One byte per sample: bit 0 baseline right, bit 1 candidate right.
    outcomes: Vec<u8>,
    regressed: u64,
    improved: u64,
    regressed_ids: Vec<Flip>,
    improved_ids: Vec<Flip>,
    keep: usize,
}

impl Default for PairAccumulator {
    fn default() -> Self {
        Self::new(DEFAULT_FLIPS_KEPT)
    }
}

impl PairAccumulator {
    /// A new accumulator keeping at most `keep` flipped samples of each kind by name.
    #[must_use]
    pub fn new(keep: usize) -> Self {
        Self {
            samples: 0,
            agree: 0,
            outcomes: Vec::new(),
            regressed: 0,
            improved: 0,
            regressed_ids: Vec::new(),
            improved_ids: Vec::new(),
            keep,
        }
    }

    /// Records one sample. `id` names it in the report (a file name or an index); it is only
    /// built when the sample flipped and there is room to keep it.
    pub fn add(
        &mut self,
        truth: usize,
        baseline: usize,
        candidate: usize,
        id: impl FnOnce() -> String,
    ) {
        self.samples += 1;
        if baseline == candidate {
            self.agree += 1;
        }
        let b_right = baseline == truth;
        let c_right = candidate == truth;
        self.outcomes
            .push(u8::from(b_right) | (u8::from(c_right) << 1));
        let flip = |id: String| Flip {
            id,
            truth,
            baseline,
            candidate,
        };
        match (b_right, c_right) {
            (true, false) => {
                self.regressed += 1;
                if self.regressed_ids.len() < self.keep {
                    self.regressed_ids.push(flip(id()));
                }
            }
            (false, true) => {
                self.improved += 1;
                if self.improved_ids.len() < self.keep {
                    self.improved_ids.push(flip(id()));
                }
            }
            _ => {}
        }
    }

    /// Computes the pair statistics, with a bootstrap of `resamples` resamples.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn finish(&self, resamples: usize) -> PairMetrics {
        let correct = |bit: u8| self.outcomes.iter().filter(|&&o| o & bit != 0).count() as f64;
        let n = self.samples as f64;
        let delta = if self.samples == 0 {
            0.0
        } else {
            (correct(2) - correct(1)) / n
        };
        PairMetrics {
            samples: self.samples,
            agreement: if self.samples == 0 {
                0.0
            } else {
                self.agree as f64 / n
            },
            accuracy_delta: delta,
            regressed: self.regressed,
            improved: self.improved,
            regressed_samples: self.regressed_ids.clone(),
            improved_samples: self.improved_ids.clone(),
            mcnemar_p: mcnemar_exact_p(self.regressed, self.improved),
            delta_ci: bootstrap_delta_ci(&self.outcomes, resamples, 0.95, BOOTSTRAP_SEED),
        }
    }
}

/// One sample whose correctness changed between the two models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flip {
    /// File name (image folders) or row index (arrays, CSV) of the sample.
    pub id: String,
    /// True class.
    pub truth: usize,
    /// The baseline's prediction.
    pub baseline: usize,
    /// The candidate's prediction.
    pub candidate: usize,
}

/// Statistics between two models on the same samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairMetrics {
    /// Number of samples both models saw.
    pub samples: u64,
    /// Share of samples where both models predict the same class.
    pub agreement: f64,
    /// Candidate accuracy minus baseline accuracy.
    pub accuracy_delta: f64,
    /// Samples the baseline got right and the candidate wrong.
    pub regressed: u64,
    /// Samples the baseline got wrong and the candidate right.
    pub improved: u64,
    /// The first regressed samples, by name.
    pub regressed_samples: Vec<Flip>,
    /// The first improved samples, by name.
    pub improved_samples: Vec<Flip>,
    /// Two-sided p-value of the exact McNemar test.
    pub mcnemar_p: f64,
    /// 95% bootstrap interval of the accuracy delta.
    pub delta_ci: Option<Interval>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_flips_and_agreement() {
        let mut acc = PairAccumulator::new(1);
        // truth, baseline, candidate
        for (i, (t, b, c)) in [(0, 0, 0), (1, 1, 0), (1, 0, 1), (2, 0, 2), (2, 1, 1)]
            .into_iter()
            .enumerate()
        {
            acc.add(t, b, c, || format!("s{i}"));
        }
        let m = acc.finish(100);
        assert_eq!(m.samples, 5);
        assert_eq!((m.regressed, m.improved), (1, 2));
        assert!((m.agreement - 0.4).abs() < 1e-12);
        assert!((m.accuracy_delta - 0.2).abs() < 1e-12);
        assert_eq!(
            m.regressed_samples,
            vec![Flip {
                id: "s1".into(),
                truth: 1,
                baseline: 1,
                candidate: 0
            }]
        );
        assert_eq!(
            m.improved_samples.len(),
            1,
            "only `keep` flips are kept by name"
        );
        assert!((m.mcnemar_p - 1.0).abs() < 1e-12);
    }
}
