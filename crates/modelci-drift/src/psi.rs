//! The population stability index over the reference's deciles.

use serde::Serialize;

use crate::{ContinuousCounts, ContinuousReference, DriftError};

/// Proportion used in place of an empty bin, so the logarithm stays finite (the convention of
/// Evidently and most PSI write-ups).
pub const EMPTY_BIN: f64 = 1e-4;

/// The usual reading of a PSI value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PsiBand {
    /// Below 0.1: no significant change.
    Stable,
    /// 0.1 to 0.25: a moderate change worth a look.
    Moderate,
    /// 0.25 and above: a significant shift.
    Significant,
}

impl PsiBand {
    /// The band a PSI value falls in.
    pub fn of(psi: f64) -> Self {
        if psi >= 0.25 {
            Self::Significant
        } else if psi >= 0.1 {
            Self::Moderate
        } else {
            Self::Stable
        }
    }
}

/// PSI of two distributions given as counts over the same bins.
///
/// `Σ (cur - ref) · ln(cur / ref)` over bin proportions, an empty bin counting as [`EMPTY_BIN`].
pub fn psi_of_counts(reference: &[u64], current: &[u64]) -> f64 {
    let ref_total: u64 = reference.iter().sum();
    let cur_total: u64 = current.iter().sum();
    if ref_total == 0 || cur_total == 0 {
        return f64::NAN;
    }
    let share = |count: u64, total: u64| {
        if count == 0 {
            EMPTY_BIN
        } else {
            count as f64 / total as f64
        }
    };
    reference
        .iter()
        .zip(current)
        .map(|(&r, &c)| {
            let (r, c) = (share(r, ref_total), share(c, cur_total));
            (c - r) * (c / r).ln()
        })
        .sum()
}

/// The decile bins of a reference: indices of the points that close each bin.
///
/// Bin `j` holds the values above the previous closing point and up to its own; the last bin
/// is open above. Point `j` closes a bin when it is the first whose cumulative count reaches
/// `j/10` of the reference; ties merge bins, so a feature with few values has fewer bins.
pub fn decile_edges(reference: &ContinuousReference) -> Vec<usize> {
    let total = reference.total;
    let mut edges: Vec<usize> = Vec::new();
    for decile in 1..10u64 {
        // ceil(decile * total / 10) values at or below the closing point.
        let needed = (decile * total).div_ceil(10);
        let index = reference.at_or_below.partition_point(|&c| c < needed);
        if index < reference.points.len() && edges.last() != Some(&index) {
            edges.push(index);
        }
    }
    if edges.last() == Some(&(reference.points.len() - 1)) {
        edges.pop();
    }
    edges
}

/// Counts over the reference's decile bins: the closing value of each bin (`None` for the last,
/// open bin), the reference's count and the current count.
#[derive(Debug, Clone, PartialEq)]
pub struct DecileBins {
    /// Upper bound (inclusive) of each bin; the last bin has none.
    pub upper: Vec<Option<f64>>,
    /// Reference values per bin.
    pub reference: Vec<u64>,
    /// Current values per bin.
    pub current: Vec<u64>,
}

/// Counts the reference and the current values over the reference's decile bins.
pub fn decile_bins(reference: &ContinuousReference, current: &ContinuousCounts) -> DecileBins {
    let edges = decile_edges(reference);
    let (cur_at, _) = current.cumulative();
    let bins = |cumulative: &dyn Fn(usize) -> u64, total: u64| {
        let mut counts = Vec::with_capacity(edges.len() + 1);
        let mut previous = 0;
        for &edge in &edges {
            let now = cumulative(edge);
            counts.push(now - previous);
            previous = now;
        }
        counts.push(total - previous);
        counts
    };
    let mut upper: Vec<Option<f64>> = edges.iter().map(|&i| Some(reference.points[i])).collect();
    upper.push(None);
    DecileBins {
        upper,
        reference: bins(&|i| reference.at_or_below[i], reference.total),
        current: bins(&|i| cur_at[i], current.total()),
    }
}

/// PSI between the reference and the current counts, over the reference's deciles.
pub fn psi(reference: &ContinuousReference, current: &ContinuousCounts) -> Result<f64, DriftError> {
    if reference.total == 0 {
        return Err(DriftError::EmptyReference);
    }
    if current.total() == 0 {
        return Err(DriftError::EmptyCurrent);
    }
    let bins = decile_bins(reference, current);
    Ok(psi_of_counts(&bins.reference, &bins.current))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_usual_thresholds() {
        assert_eq!(PsiBand::of(0.05), PsiBand::Stable);
        assert_eq!(PsiBand::of(0.1), PsiBand::Moderate);
        assert_eq!(PsiBand::of(0.3), PsiBand::Significant);
    }

    #[test]
    fn identical_counts_give_zero_and_empty_bins_stay_finite() {
        assert_eq!(psi_of_counts(&[5, 5, 10], &[10, 10, 20]), 0.0);
        let value = psi_of_counts(&[10, 10, 0], &[0, 10, 10]);
        assert!(value.is_finite() && value > 1.0, "{value}");
    }

    #[test]
    fn deciles_of_a_uniform_reference_hold_a_tenth_each() {
        let reference = ContinuousReference::from_values((0..1000).map(f64::from)).unwrap();
        let edges = decile_edges(&reference);
        assert_eq!(edges, vec![99, 199, 299, 399, 499, 599, 699, 799, 899]);
        let mut same = ContinuousCounts::new(&reference);
        (0..1000).for_each(|v| same.add(f64::from(v)));
        assert!(psi(&reference, &same).unwrap().abs() < 1e-15);
        let mut shifted = ContinuousCounts::new(&reference);
        (0..1000).for_each(|v| shifted.add(f64::from(v) + 300.0));
        assert_eq!(
            PsiBand::of(psi(&reference, &shifted).unwrap()),
            PsiBand::Significant
        );
    }

    #[test]
    fn ties_merge_bins() {
        let reference =
            ContinuousReference::from_values([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 2.0, 2.0])
                .unwrap();
        // 0 closes deciles 1-6, 1 closes 7-8, 2 would close 9-10 and is the last point.
        assert_eq!(decile_edges(&reference), vec![0, 1]);
    }
}
