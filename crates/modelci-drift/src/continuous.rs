//! Continuous features: the reference's empirical distribution and current counts shaped by it.

use serde::{Deserialize, Serialize};

use crate::DriftError;

/// The most support points a reference keeps. A reference with at most this many distinct
/// values keeps them all (and the statistics are exact); a larger one keeps this many quantile
/// points.
pub const MAX_POINTS: usize = 4096;

/// A reference feature's empirical distribution, as stored in a release bundle.
///
/// `points` are increasing values; for each, `below[i]` counts the reference values strictly
/// smaller and `at_or_below[i]` those smaller or equal. That pair is all the Kolmogorov–Smirnov
/// statistic and the decile bins of the PSI need, at every point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContinuousReference {
    /// Support points, strictly increasing.
    pub points: Vec<f64>,
    /// Reference values strictly below each point.
    pub below: Vec<u64>,
    /// Reference values at or below each point.
    pub at_or_below: Vec<u64>,
    /// Finite reference values in all.
    pub total: u64,
    /// Reference values that were missing or not finite (NaN, ±inf).
    pub missing: u64,
    /// Whether `points` hold every distinct value (the statistics are then exact).
    pub exact: bool,
}

impl ContinuousReference {
    /// Summarises reference values; NaN and infinities count as missing.
    pub fn from_values(values: impl IntoIterator<Item = f64>) -> Result<Self, DriftError> {
        let mut missing = 0u64;
        let mut finite: Vec<f64> = Vec::new();
        for value in values {
            if value.is_finite() {
                finite.push(value);
            } else {
                missing += 1;
            }
        }
        if finite.is_empty() {
            return Err(DriftError::EmptyReference);
        }
        // Unstable is faster, and the order of equal finite values is the same either way.
        finite.sort_unstable_by(f64::total_cmp);
        let mut distinct: Vec<(f64, u64, u64)> = Vec::new();
        for (index, &value) in finite.iter().enumerate() {
            let index = index as u64;
            match distinct.last_mut() {
                Some(last) if last.0 == value => last.2 = index + 1,
                _ => distinct.push((value, index, index + 1)),
            }
        }
        let exact = distinct.len() <= MAX_POINTS;
        let kept: Vec<(f64, u64, u64)> = if exact {
            distinct
        } else {
            let last = distinct.len() - 1;
            let mut kept: Vec<(f64, u64, u64)> = (0..MAX_POINTS)
                .map(|slot| distinct[slot * last / (MAX_POINTS - 1)])
                .collect();
            kept.dedup_by(|a, b| a.0 == b.0);
            kept
        };
        Ok(Self {
            points: kept.iter().map(|p| p.0).collect(),
            below: kept.iter().map(|p| p.1).collect(),
            at_or_below: kept.iter().map(|p| p.2).collect(),
            total: finite.len() as u64,
            missing,
            exact,
        })
    }

    /// Checks a stored reference before use (it comes from a file a user can edit).
    pub fn validate(&self) -> Result<(), DriftError> {
        let n = self.points.len();
        if n == 0 || self.total == 0 {
            return Err(DriftError::EmptyReference);
        }
        if self.below.len() != n || self.at_or_below.len() != n {
            return Err(DriftError::Inconsistent(
                "points and counts differ in length",
            ));
        }
        if self.points.iter().any(|p| !p.is_finite()) {
            return Err(DriftError::Inconsistent("a point is not finite"));
        }
        if self.points.windows(2).any(|w| w[0] >= w[1]) {
            return Err(DriftError::Inconsistent(
                "points are not strictly increasing",
            ));
        }
        let mut previous = 0u64;
        for (&below, &at) in self.below.iter().zip(&self.at_or_below) {
            if below < previous || at < below || at > self.total {
                return Err(DriftError::Inconsistent("counts are not cumulative"));
            }
            previous = at;
        }
        Ok(())
    }

    /// The reference's empirical CDF at each point (`F(p)`) and just below it (`F(p-)`).
    pub(crate) fn cdf(&self) -> (Vec<f64>, Vec<f64>) {
        let n = self.total as f64;
        (
            self.at_or_below.iter().map(|&c| c as f64 / n).collect(),
            self.below.iter().map(|&c| c as f64 / n).collect(),
        )
    }
}

/// Current values of one feature, counted against a reference's points.
///
/// Memory is two counters per reference point, whatever the number of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuousCounts {
    points: Vec<f64>,
    /// Where to look for a value: see [`Lookup`].
    lookup: Lookup,
    /// `equal[i]`: values equal to point `i`.
    equal: Vec<u64>,
    /// `between[j]`: values in the open gap before point `j` (`j == points.len()`: above all).
    between: Vec<u64>,
    missing: u64,
}

impl ContinuousCounts {
    /// Empty counters for a reference.
    pub fn new(reference: &ContinuousReference) -> Self {
        let n = reference.points.len();
        Self {
            lookup: Lookup::new(&reference.points),
            points: reference.points.clone(),
            equal: vec![0; n],
            between: vec![0; n + 1],
            missing: 0,
        }
    }

    /// Counts one current value; NaN and infinities count as missing.
    pub fn add(&mut self, value: f64) {
        self.add_many(value, 1);
    }

    /// Counts `n` current values equal to `value` at once (a histogram's bin, e.g. the pixels
    /// of one intensity); NaN and infinities count as missing.
    #[inline]
    pub fn add_many(&mut self, value: f64, n: u64) {
        if n == 0 {
            return;
        }
        if !value.is_finite() {
            self.missing += n;
            return;
        }
        let gap = self.lookup.points_below(&self.points, value);
        if self.points.get(gap) == Some(&value) {
            self.equal[gap] += n;
        } else {
            self.between[gap] += n;
        }
    }

    /// Counts many current values of this feature, as [`Self::add`] does one by one.
    ///
    /// Counting a column's values together keeps this feature's points, lookup table and
    /// counters in the cache, instead of visiting every feature's tables for each row (what a
    /// million rows of thirty features spent most of their time waiting on).
    pub fn add_all(&mut self, values: &[f64]) {
        for &value in values {
            self.add(value);
        }
    }

    /// Finite values counted.
    pub fn total(&self) -> u64 {
        self.equal.iter().sum::<u64>() + self.between.iter().sum::<u64>()
    }

    /// Missing or non-finite values counted.
    pub fn missing(&self) -> u64 {
        self.missing
    }

    /// Adds another counter of the same reference (the counts of another part of the data).
    pub fn merge(&mut self, other: &Self) {
        for (mine, theirs) in self.equal.iter_mut().zip(&other.equal) {
            *mine += theirs;
        }
        for (mine, theirs) in self.between.iter_mut().zip(&other.between) {
            *mine += theirs;
        }
        self.missing += other.missing;
    }

    /// Current values at or below each point, and strictly below it.
    pub(crate) fn cumulative(&self) -> (Vec<u64>, Vec<u64>) {
        let mut at_or_below = Vec::with_capacity(self.points.len());
        let mut below = Vec::with_capacity(self.points.len());
        let mut running = 0u64;
        for (i, &equal) in self.equal.iter().enumerate() {
            running += self.between[i];
            below.push(running);
            running += equal;
            at_or_below.push(running);
        }
        (at_or_below, below)
    }
}

/// A bucket index over the points, so counting a value costs a short search instead of a
/// binary search over up to [`MAX_POINTS`] points (what a million rows times thirty features
/// spent most of their time in).
///
/// The points' range is cut into equal buckets; `below[b]` is the number of points below the
/// start of bucket `b`. A value's answer lies between the counts one bucket either side of its
/// own, whatever the rounding of the bucket arithmetic (a value's bucket is found with the
/// reciprocal of the width, which may round differently from the edges: the neighbours cover
/// it).
#[derive(Debug, Clone, PartialEq)]
struct Lookup {
    start: f64,
    /// Buckets per unit of value (the reciprocal of the bucket width).
    scale: f64,
    /// 32 bits a bucket keeps the table small enough to stay in the cache.
    below: Vec<u32>,
}

impl Lookup {
    fn new(points: &[f64]) -> Self {
        let none = |start| Self {
            start,
            scale: 0.0,
            below: Vec::new(),
        };
        let (Some(&first), Some(&last)) = (points.first(), points.last()) else {
            return none(0.0);
        };
        let buckets = points.len() * 2;
        let width = (last - first) / buckets as f64;
        let scale = 1.0 / width;
        if !(width.is_finite() && width > 0.0 && scale.is_finite()) {
            return none(first);
        }
        let below: Option<Vec<u32>> = (0..=buckets)
            .map(|b| {
                let edge = first + b as f64 * width;
                u32::try_from(points.partition_point(|&p| p < edge)).ok()
            })
            .collect();
        match below {
            Some(below) => Self {
                start: first,
                scale,
                below,
            },
            // More points than 32 bits count (never from `from_values`): binary search.
            None => none(first),
        }
    }

    /// The number of points strictly below `value` (finite).
    fn points_below(&self, points: &[f64], value: f64) -> usize {
        if self.below.is_empty() {
            return points.partition_point(|&p| p < value);
        }
        let below = |b: usize| self.below[b] as usize;
        let last = self.below.len() - 1;
        let position = (value - self.start) * self.scale;
        if position < 1.0 {
            return points[..below(last.min(2))].partition_point(|&p| p < value);
        }
        if position >= (last - 1) as f64 {
            let lo = below(last - 2);
            return lo + points[lo..].partition_point(|&p| p < value);
        }
        // 1 <= position < last - 1, so the bucket and its neighbours exist.
        let bucket = position as usize;
        let (lo, hi) = (below(bucket - 1), below((bucket + 2).min(last)));
        if lo == hi {
            return lo;
        }
        lo + points[lo..hi].partition_point(|&p| p < value)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn adding_many_equals_adding_one_by_one() {
        let reference = ContinuousReference::from_values([1.0, 2.0, 4.0]).unwrap();
        let (mut many, mut one) = (
            ContinuousCounts::new(&reference),
            ContinuousCounts::new(&reference),
        );
        for (value, n) in [(2.0, 3u64), (3.0, 2), (9.0, 1), (f64::NAN, 2), (1.0, 0)] {
            many.add_many(value, n);
            for _ in 0..n {
                one.add(value);
            }
        }
        assert_eq!(many, one);
        assert_eq!((many.total(), many.missing()), (6, 2));
    }

    #[test]
    fn the_lookup_agrees_with_a_binary_search() {
        let mut seed = 11u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let skewed: Vec<f64> = (0..20_000).map(|_| (next() * 8.0).exp()).collect();
        let tiny: Vec<f64> = vec![5.0, 5.0 + 1e-12, 7.0];
        for values in [skewed, tiny, vec![3.0], vec![1.0, 2.0]] {
            let reference = ContinuousReference::from_values(values.iter().copied()).unwrap();
            let lookup = Lookup::new(&reference.points);
            let probes = values
                .iter()
                .copied()
                .chain((0..5_000).map(|_| next() * 4000.0 - 100.0));
            for x in probes.chain([f64::MIN, -1e300, 1e300, f64::MAX]) {
                let want = reference.points.partition_point(|&p| p < x);
                assert_eq!(lookup.points_below(&reference.points, x), want, "{x}");
            }
        }
    }

    #[test]
    fn small_references_keep_every_distinct_value() {
        let reference =
            ContinuousReference::from_values([3.0, 1.0, 2.0, 2.0, f64::NAN, 5.0]).unwrap();
        assert!(reference.exact);
        assert_eq!(reference.points, vec![1.0, 2.0, 3.0, 5.0]);
        assert_eq!(reference.below, vec![0, 1, 3, 4]);
        assert_eq!(reference.at_or_below, vec![1, 3, 4, 5]);
        assert_eq!((reference.total, reference.missing), (5, 1));
        reference.validate().unwrap();
    }

    #[test]
    fn large_references_keep_quantile_points_with_true_counts() {
        let values: Vec<f64> = (0..20_000).map(|i| f64::from(i) * 0.5).collect();
        let reference = ContinuousReference::from_values(values).unwrap();
        assert!(!reference.exact);
        assert!(reference.points.len() <= MAX_POINTS);
        assert_eq!(reference.points.first(), Some(&0.0));
        assert_eq!(reference.points.last(), Some(&9_999.5));
        for (point, below) in reference.points.iter().zip(&reference.below) {
            assert_eq!(*below, (point * 2.0) as u64);
        }
        reference.validate().unwrap();
    }

    #[test]
    fn an_all_missing_reference_is_refused() {
        assert_eq!(
            ContinuousReference::from_values([f64::NAN, f64::INFINITY]),
            Err(DriftError::EmptyReference)
        );
    }

    #[test]
    fn edited_references_are_refused() {
        let mut reference = ContinuousReference::from_values([1.0, 2.0, 3.0]).unwrap();
        reference.points[1] = 5.0;
        assert!(reference.validate().is_err());
        let mut reference = ContinuousReference::from_values([1.0, 2.0, 3.0]).unwrap();
        reference.at_or_below[2] = 9;
        assert!(reference.validate().is_err());
    }

    #[test]
    fn current_values_fall_on_points_or_between_them() {
        let reference = ContinuousReference::from_values([1.0, 2.0, 3.0]).unwrap();
        let mut counts = ContinuousCounts::new(&reference);
        for value in [0.5, 1.0, 1.5, 1.5, 3.0, 7.0, f64::NAN] {
            counts.add(value);
        }
        assert_eq!(counts.equal, vec![1, 0, 1]);
        assert_eq!(counts.between, vec![1, 2, 0, 1]);
        assert_eq!((counts.total(), counts.missing()), (6, 1));
        let (at_or_below, below) = counts.cumulative();
        assert_eq!(at_or_below, vec![2, 4, 5]);
        assert_eq!(below, vec![1, 4, 4]);
        let mut twice = counts.clone();
        twice.merge(&counts);
        assert_eq!(twice.total(), 12);
        assert_eq!(twice.missing(), 2);
    }
}
