//! The chi-squared goodness-of-fit test and PSI of categorical counts.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::psi::psi_of_counts;
use crate::{CategoricalCounts, CategoricalReference, DriftError};

/// The outcome of comparing current categories with the reference's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CategoricalTest {
    /// Pearson's statistic over the reference's categories: the current counts against the
    /// reference's shares scaled to the current total of those categories (scipy's
    /// `chisquare(observed, expected)`).
    pub statistic: f64,
    /// `P(χ²(k-1) > statistic)`; 1 when the reference has a single category.
    pub p_value: f64,
    /// PSI over the categories, rows of new categories counted in one extra bin.
    pub psi: f64,
    /// Share of current rows whose category the reference never saw (they are left out of the
    /// chi-squared test, which has no expectation for them, and reported on their own).
    pub unseen_share: f64,
}

/// Compares current category counts with the reference.
pub fn chi2(
    reference: &CategoricalReference,
    current: &CategoricalCounts,
) -> Result<CategoricalTest, DriftError> {
    let ref_total = reference.total();
    let cur_total = current.total();
    if ref_total == 0 {
        return Err(DriftError::EmptyReference);
    }
    if cur_total == 0 {
        return Err(DriftError::EmptyCurrent);
    }
    let unseen: u64 = current.unseen(reference).map(|(_, count)| count).sum();
    let seen = cur_total - unseen;
    let mut statistic = 0.0;
    let mut ref_bins = Vec::with_capacity(reference.counts.len() + 1);
    let mut cur_bins = Vec::with_capacity(reference.counts.len() + 1);
    for (category, &ref_count) in &reference.counts {
        let observed = current.count(category);
        let expected = ref_count as f64 / ref_total as f64 * seen as f64;
        if expected > 0.0 {
            statistic += (observed as f64 - expected).powi(2) / expected;
        }
        ref_bins.push(ref_count);
        cur_bins.push(observed);
    }
    ref_bins.push(0);
    cur_bins.push(unseen);
    let freedom = reference.counts.len() - 1;
    let p_value = if freedom == 0 || seen == 0 {
        1.0
    } else {
        ChiSquared::new(freedom as f64).map_or(f64::NAN, |law| law.sf(statistic))
    };
    Ok(CategoricalTest {
        statistic,
        p_value,
        psi: psi_of_counts(&ref_bins, &cur_bins),
        unseen_share: unseen as f64 / cur_total as f64,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn counts(values: &[&str]) -> CategoricalCounts {
        let mut counts = CategoricalCounts::default();
        values.iter().for_each(|v| counts.add(Some(v)));
        counts
    }

    #[test]
    fn same_shares_do_not_drift() {
        let reference = CategoricalReference::from_values(["a", "a", "b"].map(Some)).unwrap();
        let test = chi2(&reference, &counts(&["a", "a", "b", "a", "a", "b"])).unwrap();
        assert!(test.statistic.abs() < 1e-12);
        assert!((test.p_value - 1.0).abs() < 1e-12);
        assert_eq!(test.unseen_share, 0.0);
    }

    #[test]
    fn new_categories_are_reported_apart() {
        let reference = CategoricalReference::from_values(["a", "b"].map(Some)).unwrap();
        let test = chi2(&reference, &counts(&["a", "b", "z", "z"])).unwrap();
        assert_eq!(test.unseen_share, 0.5);
        assert!(test.statistic.abs() < 1e-12);
        assert!(test.psi > 0.25);
    }
}
