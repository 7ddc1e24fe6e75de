//! Classification metrics: accuracy, top-k accuracy, per-class precision/recall/F1, confusion
//! matrix, macro and weighted F1.

use serde::{Deserialize, Serialize};

/// Collects a confusion matrix and top-k hits, one sample at a time.
#[derive(Debug, Clone)]
pub struct ClassificationAccumulator {
    classes: usize,
    top_k: usize,
    /// Row-major `classes x classes`; row = true class, column = predicted class.
    confusion: Vec<u64>,
    top_k_hits: u64,
    top_k_seen: u64,
}

impl ClassificationAccumulator {
    /// A new accumulator for `classes` classes, counting top-`top_k` hits (`top_k >= 1`).
    #[must_use]
    pub fn new(classes: usize, top_k: usize) -> Self {
        Self {
            classes,
            top_k: top_k.max(1),
            confusion: vec![0; classes * classes],
            top_k_hits: 0,
            top_k_seen: 0,
        }
    }

    /// The number of classes.
    #[must_use]
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Records one sample: its true class, the predicted class and, when the model gives them,
    /// the per-class scores (used for top-k accuracy).
    ///
    /// Classes outside `0..classes` are ignored; callers validate labels before.
    pub fn add(&mut self, truth: usize, predicted: usize, scores: Option<&[f32]>) {
        self.add_ranked(truth, predicted, scores.map(|s| truth_rank(s, truth)));
    }

    /// Records one sample as [`ClassificationAccumulator::add`] does, given the true class's
    /// [`truth_rank`] instead of the scores (`None` when the model gives no scores).
    pub fn add_ranked(&mut self, truth: usize, predicted: usize, rank: Option<u32>) {
        if truth >= self.classes || predicted >= self.classes {
            return;
        }
        self.confusion[truth * self.classes + predicted] += 1;
        if let Some(rank) = rank {
            self.top_k_seen += 1;
            if usize::try_from(rank).is_ok_and(|r| r < self.top_k) {
                self.top_k_hits += 1;
            }
        }
    }

    /// Computes the metrics of everything added so far.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn finish(&self) -> ClassificationMetrics {
        let n = self.classes;
        let row = |t: usize| &self.confusion[t * n..(t + 1) * n];
        let total: u64 = self.confusion.iter().sum();
        let correct: u64 = (0..n).map(|c| row(c)[c]).sum();
        let per_class: Vec<ClassMetrics> = (0..n)
            .map(|c| {
                let tp = row(c)[c];
                let support: u64 = row(c).iter().sum();
                let predicted: u64 = (0..n).map(|t| row(t)[c]).sum();
                let false_pos = predicted - tp;
                let false_neg = support - tp;
                ClassMetrics {
                    precision: ratio(tp, tp + false_pos),
                    recall: ratio(tp, tp + false_neg),
                    f1: ratio(2 * tp, 2 * tp + false_pos + false_neg),
                    support,
                    predicted,
                }
            })
            .collect();
        // scikit-learn's macro average: over the labels present in the data or the
        // predictions only; the model's other classes say nothing about this test set.
        let present: Vec<&ClassMetrics> = per_class.iter().filter(|m| m.is_present()).collect();
        let mean = |f: fn(&ClassMetrics) -> f64| {
            if present.is_empty() {
                0.0
            } else {
                present.iter().map(|m| f(m)).sum::<f64>() / present.len() as f64
            }
        };
        let weighted_f1 = if total == 0 {
            0.0
        } else {
            per_class
                .iter()
                .map(|m| m.f1 * m.support as f64)
                .sum::<f64>()
                / total as f64
        };
        ClassificationMetrics {
            samples: total,
            accuracy: ratio(correct, total),
            // With k >= classes every sample is a hit: the figure would say nothing.
            top_k: (self.top_k_seen > 0 && self.top_k < n).then(|| TopK {
                k: self.top_k,
                accuracy: ratio(self.top_k_hits, self.top_k_seen),
            }),
            macro_precision: mean(|m| m.precision),
            macro_recall: mean(|m| m.recall),
            macro_f1: mean(|m| m.f1),
            weighted_f1,
            absent: (0..n).filter(|&c| !per_class[c].is_present()).collect(),
            per_class,
            confusion: (0..n).map(|t| row(t).to_vec()).collect(),
        }
    }
}

/// Whether `truth` is among the `k` highest scores. A tie with the k-th score counts as a hit
/// only if fewer than `k` classes score strictly higher than `truth`.
/// How many classes score strictly higher than the true class: the sample is a top-k hit when
/// this is below k. [`u32::MAX`] (never a hit) when the true class has no score or a NaN one.
#[must_use]
pub fn truth_rank(scores: &[f32], truth: usize) -> u32 {
    let Some(&own) = scores.get(truth) else {
        return u32::MAX;
    };
    if own.is_nan() {
        return u32::MAX;
    }
    let strictly_higher = scores.iter().filter(|&&s| s > own).count();
    u32::try_from(strictly_higher).unwrap_or(u32::MAX)
}

#[allow(clippy::cast_precision_loss)]
fn ratio(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// Top-k accuracy and its k.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TopK {
    /// How many of the highest scores count as a hit.
    pub k: usize,
    /// The share of samples whose true class is among the `k` highest scores.
    pub accuracy: f64,
}

/// Precision, recall, F1 and support of one class (scikit-learn definitions, `zero_division=0`).
///
/// A ratio whose denominator is zero is stored as 0 (as scikit-learn averages it) but is
/// undefined: [`precision_defined`](Self::precision_defined) and friends tell a report to
/// show `n/a` instead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    /// True positives over predicted positives.
    pub precision: f64,
    /// True positives over actual positives.
    pub recall: f64,
    /// Harmonic mean of precision and recall, computed as `2tp / (2tp + fp + fn)`.
    pub f1: f64,
    /// Number of samples whose true class is this one.
    pub support: u64,
    /// Number of samples predicted as this class.
    #[serde(default)]
    pub predicted: u64,
}

impl ClassMetrics {
    /// Whether the class occurs in the labels or the predictions (scikit-learn's
    /// `unique_labels(y_true, y_pred)`): only such classes count in macro averages.
    #[must_use]
    pub fn is_present(&self) -> bool {
        self.support > 0 || self.predicted > 0
    }

    /// Whether precision is defined (the class was predicted at least once).
    #[must_use]
    pub fn precision_defined(&self) -> bool {
        self.predicted > 0
    }

    /// Whether recall is defined (the class has support).
    #[must_use]
    pub fn recall_defined(&self) -> bool {
        self.support > 0
    }

    /// Whether F1 is defined (the class is present at all).
    #[must_use]
    pub fn f1_defined(&self) -> bool {
        self.is_present()
    }
}

/// All classification metrics of one model on one dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationMetrics {
    /// Number of samples evaluated.
    pub samples: u64,
    /// Share of samples predicted correctly.
    pub accuracy: f64,
    /// Top-k accuracy, when the model gives per-class scores and k is below the number of
    /// classes (with k at least the number of classes every sample would be a hit).
    pub top_k: Option<TopK>,
    /// Unweighted mean of the precisions of the present classes (see
    /// [`ClassMetrics::is_present`]), as scikit-learn's `average="macro"`.
    pub macro_precision: f64,
    /// Unweighted mean of the recalls of the present classes.
    pub macro_recall: f64,
    /// Unweighted mean of the F1 scores of the present classes.
    pub macro_f1: f64,
    /// Mean of the per-class F1 scores weighted by support.
    pub weighted_f1: f64,
    /// The model's classes that occur in neither the labels nor the predictions, left out of
    /// the macro averages.
    #[serde(default)]
    pub absent: Vec<usize>,
    /// Metrics of each class, indexed by class.
    pub per_class: Vec<ClassMetrics>,
    /// Confusion matrix: `confusion[true][predicted]`.
    pub confusion: Vec<Vec<u64>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computed_binary_case() {
        // truth:     0 0 0 1 1
        // predicted: 0 1 0 1 0
        let mut acc = ClassificationAccumulator::new(2, 1);
        for (t, p) in [(0, 0), (0, 1), (0, 0), (1, 1), (1, 0)] {
            acc.add(t, p, None);
        }
        let m = acc.finish();
        assert_eq!(m.samples, 5);
        assert!((m.accuracy - 0.6).abs() < 1e-12);
        assert_eq!(m.confusion, vec![vec![2, 1], vec![1, 1]]);
        // class 0: tp 2, fp 1, fn 1 → p = r = f1 = 2/3
        assert!((m.per_class[0].precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.per_class[0].f1 - 2.0 / 3.0).abs() < 1e-12);
        // class 1: tp 1, fp 1, fn 1 → 0.5
        assert!((m.per_class[1].recall - 0.5).abs() < 1e-12);
        assert!((m.macro_f1 - (2.0 / 3.0 + 0.5) / 2.0).abs() < 1e-12);
        assert!((m.weighted_f1 - (2.0 / 3.0 * 3.0 + 0.5 * 2.0) / 5.0).abs() < 1e-12);
        assert!(m.top_k.is_none());
    }

    #[test]
    fn class_never_predicted_has_zero_precision_not_nan() {
        let mut acc = ClassificationAccumulator::new(3, 1);
        acc.add(2, 0, None);
        let m = acc.finish();
        assert_eq!(m.per_class[2].precision, 0.0);
        assert_eq!(m.per_class[1].f1, 0.0);
        assert_eq!(m.per_class[2].support, 1);
    }

    #[test]
    fn top_k_counts_true_class_among_highest_scores() {
        let mut acc = ClassificationAccumulator::new(3, 2);
        acc.add(1, 0, Some(&[0.5, 0.3, 0.2])); // second highest: hit
        acc.add(2, 0, Some(&[0.5, 0.3, 0.2])); // third: miss
        let m = acc.finish();
        let top = m.top_k.expect("scores were given");
        assert_eq!(top.k, 2);
        assert!((top.accuracy - 0.5).abs() < 1e-12);
    }

    #[test]
    fn top_k_is_left_out_when_k_covers_every_class() {
        // Issue 18: top-2 accuracy of a 2-class model is always 100%.
        let mut acc = ClassificationAccumulator::new(2, 2);
        acc.add(1, 0, Some(&[0.6, 0.4]));
        assert!(acc.finish().top_k.is_none());
    }

    #[test]
    fn empty_accumulator_gives_zeros() {
        let m = ClassificationAccumulator::new(2, 1).finish();
        assert_eq!(m.accuracy, 0.0);
        assert_eq!(m.samples, 0);
    }
}
