//! What a quality gate asks of a training history, as plain functions returning what they
//! measured, so that the caller decides how to report it.
//!
//! - [`non_finite`]: every NaN or infinite value, with its epoch and metric;
//! - [`trend`]: over the last N epochs, a loss never rises more than a tolerance above the
//!   lowest value seen before it in that window;
//! - [`best_not_first`]: the loss's best epoch is not the first one (training did something);
//! - [`divergence`]: the loss at the end is at most k times its minimum;
//! - [`above_chance`]: an accuracy-like metric ends clearly above chance (1/classes), and
//!   [`loss_drop`]: a loss fell meaningfully below its first epoch — together they catch a run
//!   that did not learn (issue 15).
//!
//! Losses are lower-is-better; [`is_loss`] tells which metrics are losses by name.

use serde::Serialize;

use crate::History;

/// A NaN or infinite value in a history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NonFinite {
    /// The epoch, or `None` for a final value of a file without epochs.
    pub epoch: Option<u64>,
    /// The metric.
    pub key: String,
    /// The value (NaN, `inf` or `-inf`).
    pub value: f64,
}

/// Every non-finite value of `history`, in epoch order.
#[must_use]
pub fn non_finite(history: &History) -> Vec<NonFinite> {
    let mut found: Vec<NonFinite> = history
        .epochs
        .iter()
        .flat_map(|e| {
            e.values
                .iter()
                .filter(|(_, v)| !v.is_finite())
                .map(|(k, v)| NonFinite {
                    epoch: Some(e.index),
                    key: k.clone(),
                    value: *v,
                })
        })
        .collect();
    if history.epochs.is_empty() {
        found.extend(
            history
                .final_values
                .iter()
                .filter(|(_, v)| !v.is_finite())
                .map(|(k, v)| NonFinite {
                    epoch: None,
                    key: k.clone(),
                    value: *v,
                }),
        );
    }
    found
}

/// Whether `key` names a loss: its last component (after `.` or `/`) contains `loss`.
#[must_use]
pub fn is_loss(key: &str) -> bool {
    key.rsplit(['.', '/'])
        .next()
        .is_some_and(|last| last.to_ascii_lowercase().contains("loss"))
}

/// The loss metrics of `history` that were logged in at least two epochs.
#[must_use]
pub fn loss_keys(history: &History) -> Vec<String> {
    history
        .keys()
        .into_iter()
        .filter(|k| is_loss(k) && history.points(k).len() >= 2)
        .map(str::to_owned)
        .collect()
}

/// The result of [`trend`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The loss.
    pub key: String,
    /// The epochs of the window.
    pub epochs: Vec<u64>,
    /// The largest rise above the window's running minimum, relative to that minimum
    /// (0 when the loss never rose).
    pub worst_rise: f64,
    /// The epoch of the largest rise.
    pub worst_epoch: Option<u64>,
    /// The tolerance the rise was held to.
    pub tolerance: f64,
    /// Whether every rise stayed within the tolerance.
    pub passed: bool,
}

/// Checks that over the last `last_n` logged epochs, `key` is non-increasing within
/// `tolerance`: no value exceeds the lowest value before it in the window by more than
/// `tolerance` times that value. Measuring against the running minimum, not the previous
/// epoch, means a slow creep of small rises fails too.
///
/// `None` when fewer than two epochs logged `key`.
#[must_use]
pub fn trend(history: &History, key: &str, last_n: usize, tolerance: f64) -> Option<Trend> {
    let points = history.points(key);
    let window = &points[points.len().saturating_sub(last_n.max(2))..];
    if window.len() < 2 {
        return None;
    }
    let mut lowest = window[0].1;
    let mut worst_rise = 0.0_f64;
    let mut worst_epoch = None;
    for &(epoch, value) in &window[1..] {
        let rise = relative_rise(value, lowest);
        if rise > worst_rise || rise.is_nan() {
            worst_rise = rise;
            worst_epoch = Some(epoch);
        }
        lowest = lowest.min(value);
    }
    Some(Trend {
        key: key.to_owned(),
        epochs: window.iter().map(|p| p.0).collect(),
        worst_rise,
        worst_epoch,
        tolerance,
        passed: worst_rise <= tolerance,
    })
}

fn relative_rise(value: f64, reference: f64) -> f64 {
    let rise = value - reference;
    if reference == 0.0 {
        rise
    } else {
        rise / reference.abs()
    }
}

/// The result of [`best_not_first`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BestEpoch {
    /// The loss.
    pub key: String,
    /// The epoch with the lowest value.
    pub best_epoch: u64,
    /// The lowest value.
    pub best: f64,
    /// The first logged epoch.
    pub first_epoch: u64,
    /// Whether the best epoch is not the first.
    pub passed: bool,
}

/// Checks that the lowest value of `key` was not logged in its first epoch: a run whose best
/// loss is its first did not learn. `None` when fewer than two epochs logged `key`.
#[must_use]
pub fn best_not_first(history: &History, key: &str) -> Option<BestEpoch> {
    let points = history.points(key);
    if points.len() < 2 {
        return None;
    }
    let &(first_epoch, _) = points.first()?;
    let &(best_epoch, best) = points
        .iter()
        .filter(|p| p.1.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or(&points[0]);
    Some(BestEpoch {
        key: key.to_owned(),
        best_epoch,
        best,
        first_epoch,
        passed: best_epoch != first_epoch,
    })
}

/// The result of [`divergence`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Divergence {
    /// The loss.
    pub key: String,
    /// Its lowest value and the epoch of it.
    pub min: f64,
    /// The epoch of the lowest value.
    pub min_epoch: u64,
    /// Its last value.
    pub last: f64,
    /// The epoch of the last value.
    pub last_epoch: u64,
    /// `last / min`.
    pub ratio: f64,
    /// The largest ratio allowed.
    pub factor: f64,
    /// Whether the last value is within `factor` times the minimum.
    pub passed: bool,
}

/// Checks that the last value of `key` is at most `factor` times its minimum (for a minimum
/// of zero or below: at most `(factor - 1) * |min|` above it). A NaN or infinite last value
/// diverged. `None` when fewer than two epochs logged `key`.
#[must_use]
pub fn divergence(history: &History, key: &str, factor: f64) -> Option<Divergence> {
    let points = history.points(key);
    if points.len() < 2 {
        return None;
    }
    let &(last_epoch, last) = points.last()?;
    let &(min_epoch, min) = points
        .iter()
        .filter(|p| p.1.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    let ratio = if min > 0.0 { last / min } else { f64::NAN };
    let passed = last.is_finite() && last <= min + (factor - 1.0) * min.abs();
    Some(Divergence {
        key: key.to_owned(),
        min,
        min_epoch,
        last,
        last_epoch,
        ratio,
        factor,
        passed,
    })
}

/// Whether `key` names an accuracy-like metric: its last component contains `acc` (accuracy,
/// `val_acc`, `val.accuracy`), and it is not a top-k accuracy, whose chance level differs.
#[must_use]
pub fn is_accuracy(key: &str) -> bool {
    key.rsplit(['.', '/']).next().is_some_and(|last| {
        let last = last.to_ascii_lowercase();
        last.contains("acc") && !last.contains("top") && !last.contains("loss")
    })
}

/// The accuracy-like metrics of `history`.
#[must_use]
pub fn accuracy_keys(history: &History) -> Vec<String> {
    history
        .keys()
        .into_iter()
        .filter(|k| is_accuracy(k))
        .map(str::to_owned)
        .collect()
}

/// The result of [`above_chance`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AboveChance {
    /// The metric.
    pub key: String,
    /// Its final value.
    pub last: f64,
    /// The epoch of the final value, when the log has epochs.
    pub last_epoch: Option<u64>,
    /// Chance level (1/classes, in the metric's scale: ×100 for percentages).
    pub chance: f64,
    /// How far above chance the final value must be (same scale).
    pub margin: f64,
    /// Whether the final value is above `chance + margin`.
    pub passed: bool,
}

/// Checks that the final value of the accuracy-like `key` is more than `margin` above chance
/// (1/`classes`). Values above 1 are read as percentages (chance and margin ×100). `None` when
/// the history has no final value of `key` or `classes < 2`.
#[must_use]
pub fn above_chance(
    history: &History,
    key: &str,
    classes: usize,
    margin: f64,
) -> Option<AboveChance> {
    if classes < 2 {
        return None;
    }
    let last = *history.final_values.get(key)?;
    let percent = history
        .points(key)
        .iter()
        .map(|p| p.1)
        .chain(std::iter::once(last))
        .any(|v| v > 1.0);
    let scale = if percent { 100.0 } else { 1.0 };
    #[allow(clippy::cast_precision_loss)]
    let chance = scale / classes as f64;
    let margin = margin * scale;
    Some(AboveChance {
        key: key.to_owned(),
        last,
        last_epoch: history.points(key).last().map(|p| p.0),
        chance,
        margin,
        passed: last.is_finite() && last > chance + margin,
    })
}

/// The result of [`loss_drop`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossDrop {
    /// The loss.
    pub key: String,
    /// Its value in the first epoch that logged it.
    pub first: f64,
    /// That epoch.
    pub first_epoch: u64,
    /// Its lowest value after that epoch.
    pub best: f64,
    /// The epoch of the lowest value.
    pub best_epoch: u64,
    /// `(first - best) / first`: how far it fell, relative to the first epoch.
    pub drop: f64,
    /// The smallest relative fall that counts as learning.
    pub min_drop: f64,
    /// Whether the loss fell at least `min_drop` below its first value.
    pub passed: bool,
}

/// Checks that the loss `key` fell at least `min_drop` (relative) below its first epoch's
/// value at some later epoch. `None` when fewer than two epochs logged `key`, or the first
/// value is not a positive number (a relative fall means nothing there).
#[must_use]
pub fn loss_drop(history: &History, key: &str, min_drop: f64) -> Option<LossDrop> {
    let points = history.points(key);
    let (&(first_epoch, first), rest) = points.split_first()?;
    if !(first.is_finite() && first > 0.0) {
        return None;
    }
    let &(best_epoch, best) = rest
        .iter()
        .filter(|p| p.1.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .or_else(|| rest.first())?;
    let drop = (first - best) / first;
    Some(LossDrop {
        key: key.to_owned(),
        first,
        first_epoch,
        best,
        best_epoch,
        drop,
        min_drop,
        passed: drop.is_finite() && drop >= min_drop,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{Epoch, Format};

    fn history(losses: &[f64]) -> History {
        let epochs = losses
            .iter()
            .enumerate()
            .map(|(i, v)| Epoch {
                index: i as u64,
                values: [("val_loss".to_owned(), *v), ("acc".to_owned(), 0.5)].into(),
            })
            .collect();
        History::from_epochs(Path::new("h.csv"), Format::KerasCsv, epochs)
    }

    #[test]
    fn loss_names() {
        assert!(is_loss("val_loss") && is_loss("train/loss") && is_loss("val.loss"));
        assert!(!is_loss("loss.count") && !is_loss("accuracy"));
        assert_eq!(loss_keys(&history(&[1.0, 0.5])), ["val_loss"]);
    }

    #[test]
    fn trend_tolerates_noise_but_not_a_creep() {
        let noisy = trend(&history(&[1.0, 0.5, 0.4, 0.41, 0.39]), "val_loss", 5, 0.05).unwrap();
        assert!(noisy.passed, "{noisy:?}");
        assert!((noisy.worst_rise - 0.025).abs() < 1e-9);
        let creep = trend(
            &history(&[0.4, 0.42, 0.43, 0.44, 0.45]),
            "val_loss",
            5,
            0.05,
        )
        .unwrap();
        assert!(!creep.passed);
        assert_eq!(creep.worst_epoch, Some(4));
        // Only the window counts: an early rise is forgiven.
        let early = trend(&history(&[1.0, 2.0, 0.5, 0.4, 0.3]), "val_loss", 3, 0.0).unwrap();
        assert!(early.passed);
        assert_eq!(early.epochs, [2, 3, 4]);
        assert!(trend(&history(&[1.0]), "val_loss", 5, 0.0).is_none());
    }

    #[test]
    fn best_epoch_must_not_be_first() {
        assert!(
            best_not_first(&history(&[1.0, 0.5]), "val_loss")
                .unwrap()
                .passed
        );
        let stuck = best_not_first(&history(&[0.5, 0.6, 0.7]), "val_loss").unwrap();
        assert!(!stuck.passed && stuck.best_epoch == 0);
    }

    #[test]
    fn divergence_compares_last_with_minimum() {
        let d = divergence(&history(&[1.0, 0.2, 0.3]), "val_loss", 2.0).unwrap();
        assert!(d.passed && (d.ratio - 1.5).abs() < 1e-12 && d.min_epoch == 1);
        let d = divergence(&history(&[1.0, 0.2, 0.9]), "val_loss", 2.0).unwrap();
        assert!(!d.passed);
        let d = divergence(&history(&[1.0, 0.2, f64::NAN]), "val_loss", 2.0).unwrap();
        assert!(!d.passed);
    }

    #[test]
    fn non_finite_values_are_listed_with_epochs() {
        let h = history(&[1.0, f64::NAN, f64::INFINITY]);
        let found = non_finite(&h);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].epoch, Some(1));
        assert_eq!(found[1].key, "val_loss");
    }

    #[test]
    fn accuracy_names() {
        assert!(is_accuracy("val_accuracy"));
        assert!(is_accuracy("train.acc"));
        assert!(!is_accuracy("top5_accuracy"));
        assert!(!is_accuracy("val_loss"));
    }

    #[test]
    fn a_run_at_chance_did_not_learn() {
        let mut h = history(&[2.302, 2.301, 2.300]);
        h.final_values.insert("val_accuracy".into(), 0.098);
        let at_chance = above_chance(&h, "val_accuracy", 10, 0.05).unwrap();
        assert!(!at_chance.passed);
        assert!((at_chance.chance - 0.1).abs() < 1e-12);
        h.final_values.insert("val_accuracy".into(), 0.9);
        assert!(above_chance(&h, "val_accuracy", 10, 0.05).unwrap().passed);
        h.final_values.insert("val_accuracy".into(), 12.0);
        let percent = above_chance(&h, "val_accuracy", 10, 0.05).unwrap();
        assert!(!percent.passed && (percent.chance - 10.0).abs() < 1e-9);
        assert!(above_chance(&h, "val_accuracy", 1, 0.05).is_none());
    }

    #[test]
    fn a_flat_loss_did_not_drop() {
        let flat = loss_drop(
            &history(&[std::f64::consts::LN_10, 2.2990, 2.2950]),
            "val_loss",
            0.05,
        )
        .unwrap();
        assert!(!flat.passed && flat.drop < 0.01);
        let learned = loss_drop(&history(&[2.05, 0.8, 0.12]), "val_loss", 0.05).unwrap();
        assert!(learned.passed && learned.best_epoch == 2);
        assert!(loss_drop(&history(&[2.0]), "val_loss", 0.05).is_none());
    }
}
