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
        // Given a `Vec`, the keys and then the sorted values reuse its memory (the standard
        // library collects a vector's own iterator in place): a reference of a million values
        // touches no more memory than it holds.
        let mut keys: Vec<u64> = values
            .into_iter()
            .filter(|value| {
                missing += u64::from(!value.is_finite());
                value.is_finite()
            })
            .map(order_key)
            .collect();
        if keys.is_empty() {
            return Err(DriftError::EmptyReference);
        }
        // Sorting the integers is a third faster than sorting the floats by `total_cmp`, for
        // the same order.
        keys.sort_unstable();
        let sorted: Vec<f64> = keys.into_iter().map(from_order_key).collect();
        let runs = || Runs {
            sorted: &sorted,
            at: 0,
        };
        let distinct = runs().count();
        let exact = distinct <= MAX_POINTS;
        let kept: Vec<(f64, u64, u64)> = if exact {
            runs().collect()
        } else {
            // MAX_POINTS distinct values evenly spaced in rank, the first and the last included.
            let last = distinct - 1;
            let mut wanted = (0..MAX_POINTS)
                .map(|slot| slot * last / (MAX_POINTS - 1))
                .peekable();
            runs()
                .enumerate()
                .filter_map(|(rank, run)| {
                    let mut keep = false;
                    while wanted.next_if_eq(&rank).is_some() {
                        keep = true;
                    }
                    keep.then_some(run)
                })
                .collect()
        };
        Ok(Self {
            points: kept.iter().map(|p| p.0).collect(),
            below: kept.iter().map(|p| p.1).collect(),
            at_or_below: kept.iter().map(|p| p.2).collect(),
            total: sorted.len() as u64,
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

/// An integer whose order is `value`'s total order (`f64::total_cmp`): the sign bit flipped
/// for positive values, every bit for negative ones.
fn order_key(value: f64) -> u64 {
    let bits = value.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// The value of an [`order_key`].
fn from_order_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// The runs of equal values of a sorted slice (`==`: -0 and 0 are one run), each as its value
/// and the number of values before it and up to its end.
struct Runs<'a> {
    sorted: &'a [f64],
    at: usize,
}

impl Iterator for Runs<'_> {
    type Item = (f64, u64, u64);

    fn next(&mut self) -> Option<Self::Item> {
        let &value = self.sorted.get(self.at)?;
        let start = self.at;
        self.at += self.sorted[start..]
            .iter()
            .take_while(|&&v| v == value)
            .count();
        Some((value, start as u64, self.at as u64))
    }
}

/// Current values of one feature, counted against a reference's points.
///
/// Memory is two counters per reference point, whatever the number of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuousCounts {
    /// The reference's points, followed by [`Lookup::padding`] copies of +inf (so a lookup
    /// may read a fixed number of points past any position).
    points: Vec<f64>,
    /// Where to look for a value: see [`Lookup`].
    lookup: Lookup,
    /// Values in the open gap before point `i` at `2 * i` (`i == len`: above all points), and
    /// values equal to point `i` at `2 * i + 1`: a value's counter is `2 * gap + equal`, one
    /// increment without a branch.
    tally: Vec<u64>,
    missing: u64,
}

impl ContinuousCounts {
    /// Empty counters for a reference.
    pub fn new(reference: &ContinuousReference) -> Self {
        let len = reference.points.len();
        let lookup = Lookup::new(&reference.points);
        let mut points = reference.points.clone();
        points.resize(len + lookup.padding(), f64::INFINITY);
        Self {
            points,
            lookup,
            tally: vec![0; 2 * len + 1],
            missing: 0,
        }
    }

    /// Counts one current value; NaN and infinities count as missing.
    pub fn add(&mut self, value: f64) {
        self.add_many(value, 1);
    }

    /// Counts `n` current values equal to `value` at once (a histogram's bin, e.g. the pixels
    /// of one intensity); NaN and infinities count as missing.
    pub fn add_many(&mut self, value: f64, n: u64) {
        if value.is_finite() {
            self.tally[counter(&self.lookup, &self.points, value)] += n;
        } else {
            self.missing += n;
        }
    }

    /// Counts many current values of this feature, as [`Self::add`] does one by one.
    ///
    /// Counting a column's values together keeps this feature's points, lookup table and
    /// counters in the cache, instead of visiting every feature's tables for each row (what a
    /// million rows of thirty features spent most of their time waiting on).
    pub fn add_all(&mut self, values: &[f64]) {
        let Self {
            points,
            lookup,
            tally,
            missing,
            ..
        } = self;
        for &value in values {
            if value.is_finite() {
                tally[counter(lookup, points, value)] += 1;
            } else {
                *missing += 1;
            }
        }
    }

    /// Finite values counted.
    pub fn total(&self) -> u64 {
        self.tally.iter().sum()
    }

    /// Missing or non-finite values counted.
    pub fn missing(&self) -> u64 {
        self.missing
    }

    /// Adds another counter of the same reference (the counts of another part of the data).
    pub fn merge(&mut self, other: &Self) {
        for (mine, theirs) in self.tally.iter_mut().zip(&other.tally) {
            *mine += theirs;
        }
        self.missing += other.missing;
    }

    /// Current values at or below each point, and strictly below it.
    pub(crate) fn cumulative(&self) -> (Vec<u64>, Vec<u64>) {
        // One pair of counters per reference point, and the gap above the last.
        let points = self.tally.len() / 2;
        let mut at_or_below = Vec::with_capacity(points);
        let mut below = Vec::with_capacity(points);
        let mut running = 0u64;
        for pair in self.tally.chunks_exact(2) {
            running += pair[0];
            below.push(running);
            running += pair[1];
            at_or_below.push(running);
        }
        (at_or_below, below)
    }
}

/// The index in [`ContinuousCounts::tally`] of a finite value's counter.
#[inline(always)]
fn counter(lookup: &Lookup, points: &[f64], value: f64) -> usize {
    let gap = lookup.points_below(points, value);
    // `points[gap]` exists: the padding follows the last point.
    2 * gap + usize::from(points[gap] == value)
}

/// Buckets per reference point: enough that a bucket rarely holds more than a few points
/// where the points are densest (the middle of a bell curve), with a table (4 bytes a bucket)
/// that stays in the cache.
const BUCKETS_PER_POINT: usize = 4;

/// Buckets holding at most this many points are searched by comparing that many points,
/// without a branch; wider ones (points crowded by a long tail) by a binary search.
const MAX_COMPARED: usize = 8;

/// A bucket index over the points, so finding a value's place costs a few comparisons instead
/// of a binary search over up to [`MAX_POINTS`] points (what a million rows times thirty
/// features spent most of their time in).
///
/// The points' range is cut into equal buckets; a value's bucket is
/// `((value - start) * scale)` truncated, clamped to the last bucket. That function never
/// decreases as the value grows (each floating-point step is monotonic), so every point of an
/// earlier bucket is below the value and every point of a later bucket above it: only the
/// points of the value's own bucket need comparing, the same function having placed them.
#[derive(Debug, Clone, PartialEq)]
struct Lookup {
    start: f64,
    /// Buckets per unit of value (the reciprocal of the bucket width; 0 with one bucket).
    scale: f64,
    /// The last bucket's index.
    last: usize,
    /// `first[b]`: points in buckets before `b`, i.e. the index of bucket `b`'s first point;
    /// one more entry than buckets, or none (every point in one bucket, binary searched).
    /// 16 bits an entry: the table stays small enough for the first-level cache.
    first: Vec<u16>,
    /// The most points one bucket holds.
    widest: usize,
}

impl Lookup {
    fn new(points: &[f64]) -> Self {
        let (Some(&first), Some(&last)) = (points.first(), points.last()) else {
            return Self::one_bucket(0.0, 0);
        };
        let Ok(count) = u16::try_from(points.len()) else {
            // More points than 16 bits count (never from `from_values`): one bucket.
            return Self::one_bucket(first, points.len());
        };
        let buckets = points.len() * BUCKETS_PER_POINT;
        let scale = buckets as f64 / (last - first);
        if !(scale.is_finite() && scale > 0.0) {
            return Self::one_bucket(first, points.len());
        }
        let mut lookup = Self {
            start: first,
            scale,
            last: buckets - 1,
            first: Vec::with_capacity(buckets + 1),
            widest: 0,
        };
        // Points are increasing, so their buckets are too: one sweep fills the table.
        let mut next = 0usize;
        for bucket in 0..buckets {
            let start = next;
            while next < points.len() && lookup.bucket(points[next]) == bucket {
                next += 1;
            }
            #[allow(clippy::cast_possible_truncation)] // next <= count, which fits in 16 bits
            lookup.first.push(start as u16);
            lookup.widest = lookup.widest.max(next - start);
        }
        lookup.first.push(count);
        lookup
    }

    /// Every point in one bucket (a single point, or more than 16 bits count).
    fn one_bucket(start: f64, points: usize) -> Self {
        Self {
            start,
            scale: 0.0,
            last: 0,
            first: Vec::new(),
            widest: points,
        }
    }

    /// The +inf points the counts keep after the last point: at least one (a value's place
    /// may be past the last point), and enough for a bucket's comparisons.
    fn padding(&self) -> usize {
        if self.widest <= MAX_COMPARED {
            self.widest.max(1)
        } else {
            1
        }
    }

    /// A finite value's bucket.
    #[inline(always)]
    fn bucket(&self, value: f64) -> usize {
        // `as` saturates: below the start is bucket 0, past the end the last bucket.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let bucket = ((value - self.start) * self.scale) as usize;
        bucket.min(self.last)
    }

    /// The number of points strictly below `value` (finite); `points` are the points followed
    /// by [`Self::padding`] copies of +inf.
    #[inline(always)]
    fn points_below(&self, points: &[f64], value: f64) -> usize {
        let bucket = self.bucket(value);
        let Some(&lo) = self.first.get(bucket) else {
            return points.partition_point(|&p| p < value);
        };
        let lo = usize::from(lo);
        if self.widest <= MAX_COMPARED {
            // The points after the bucket's are above the value: counting a fixed number of
            // points from its first one counts the bucket's points below the value.
            lo + points[lo..lo + self.widest]
                .iter()
                .filter(|&&p| p < value)
                .count()
        } else {
            let hi = usize::from(self.first[bucket + 1]);
            lo + points[lo..hi].partition_point(|&p| p < value)
        }
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
        // A bell curve (buckets compared without a branch), a long tail (crowded buckets,
        // searched), decimals of five places, and tiny references.
        let bell: Vec<f64> = (0..20_000)
            .map(|_| (0..6).map(|_| next()).sum::<f64>() - 3.0)
            .collect();
        let skewed: Vec<f64> = (0..20_000).map(|_| (next() * 8.0).exp()).collect();
        let decimals: Vec<f64> = (0..20_000)
            .map(|_| ((next() - 0.5) * 800_000.0).round() / 100_000.0)
            .collect();
        let tiny: Vec<f64> = vec![5.0, 5.0 + 1e-12, 7.0];
        let mut widths = Vec::new();
        for values in [bell, skewed, decimals, tiny, vec![3.0], vec![1.0, 2.0]] {
            let reference = ContinuousReference::from_values(values.iter().copied()).unwrap();
            let counts = ContinuousCounts::new(&reference);
            widths.push(counts.lookup.widest);
            // Every point, its neighbours one step either way, random values, the extremes.
            let near = reference
                .points
                .iter()
                .flat_map(|&p| [p.next_down(), p, p.next_up()]);
            let random: Vec<f64> = (0..5_000).map(|_| next() * 4000.0 - 100.0).collect();
            let probes = values.iter().copied().chain(near).chain(random);
            for x in probes.chain([f64::MIN, -1e300, 1e300, f64::MAX]) {
                let want = reference.points.partition_point(|&p| p < x);
                assert_eq!(counts.lookup.points_below(&counts.points, x), want, "{x}");
            }
        }
        assert!(widths[0] <= MAX_COMPARED, "{widths:?}");
        assert!(widths[1] > MAX_COMPARED, "{widths:?}");
    }

    /// A reference edited to hold more points than the table's 16 bits count is searched
    /// whole.
    #[test]
    fn references_with_more_points_than_the_table_counts_are_searched() {
        let n = 70_000u64;
        let reference = ContinuousReference {
            points: (0..n).map(|i| i as f64 * 0.5).collect(),
            below: (0..n).collect(),
            at_or_below: (1..=n).collect(),
            total: n,
            missing: 0,
            exact: true,
        };
        reference.validate().unwrap();
        let mut counts = ContinuousCounts::new(&reference);
        assert!(counts.lookup.first.is_empty());
        for x in [-1.0, 0.0, 0.25, 17.5, 34_999.5, 40_000.0] {
            let want = reference.points.partition_point(|&p| p < x);
            assert_eq!(counts.lookup.points_below(&counts.points, x), want, "{x}");
        }
        counts.add_all(&[0.25, 17.5, 40_000.0]);
        let (at_or_below, below) = counts.cumulative();
        assert_eq!((at_or_below[35], below[35]), (2, 1));
        assert_eq!(counts.total(), 3);
    }

    #[test]
    fn order_keys_sort_as_total_cmp_and_convert_back() {
        let mut values = vec![
            3.5,
            -0.0,
            0.0,
            -1e300,
            1e-310,
            -1e-310,
            f64::MIN,
            f64::MAX,
            -2.25,
            7.0,
            0.1,
        ];
        let mut keys: Vec<u64> = values.iter().map(|&v| order_key(v)).collect();
        keys.sort_unstable();
        values.sort_unstable_by(f64::total_cmp);
        let back: Vec<u64> = keys
            .into_iter()
            .map(|k| from_order_key(k).to_bits())
            .collect();
        assert_eq!(back, values.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
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
        // Between the points (below 1, 1 to 2, 2 to 3, above 3) and on them (1, 2, 3).
        assert_eq!(counts.tally, vec![1, 1, 2, 0, 0, 1, 1]);
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
