//! The two-sample Kolmogorov–Smirnov test between a reference and current counts.

use serde::Serialize;

use crate::{ContinuousCounts, ContinuousReference, DriftError, kolmogorov};

/// The outcome of a Kolmogorov–Smirnov test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KsTest {
    /// The largest distance between the two empirical CDFs (scipy's `ks_2samp` statistic).
    pub statistic: f64,
    /// The asymptotic p-value: `kolmogorov(sqrt(n·m/(n+m)) · D)` (`scipy.special.kolmogorov`).
    /// It suits the large samples monitoring sees; for a few dozen values it is conservative.
    pub p_value: f64,
    /// Whether the statistic is exact (the reference kept every distinct value) or evaluated at
    /// the reference's quantile points only (then it can be lower by up to one point's mass).
    pub exact: bool,
}

/// Compares the current counts with the reference they were counted against.
pub fn ks(
    reference: &ContinuousReference,
    current: &ContinuousCounts,
) -> Result<KsTest, DriftError> {
    let n = reference.total;
    let m = current.total();
    if n == 0 {
        return Err(DriftError::EmptyReference);
    }
    if m == 0 {
        return Err(DriftError::EmptyCurrent);
    }
    let (ref_at, ref_below) = reference.cdf();
    let (cur_at, cur_below) = current.cumulative();
    let mf = m as f64;
    // Both CDFs are step functions; between two points the reference is flat, so the largest
    // gap is reached at a point or just below one (see the module tests for the argument).
    let mut statistic: f64 = 0.0;
    for i in 0..ref_at.len() {
        statistic = statistic
            .max((ref_at[i] - cur_at[i] as f64 / mf).abs())
            .max((ref_below[i] - cur_below[i] as f64 / mf).abs());
    }
    let (nf, mf) = (n as f64, m as f64);
    let effective = (nf * mf / (nf + mf)).sqrt();
    Ok(KsTest {
        statistic,
        p_value: kolmogorov::survival(effective * statistic),
        exact: reference.exact,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The statistic by definition: the largest CDF gap over every value of both samples.
    fn brute_force(a: &[f64], b: &[f64]) -> f64 {
        let cdf = |s: &[f64], x: f64| s.iter().filter(|&&v| v <= x).count() as f64 / s.len() as f64;
        a.iter()
            .chain(b)
            .map(|&x| (cdf(a, x) - cdf(b, x)).abs())
            .fold(0.0, f64::max)
    }

    fn test_of(a: &[f64], b: &[f64]) -> KsTest {
        let reference = ContinuousReference::from_values(a.iter().copied()).unwrap();
        let mut counts = ContinuousCounts::new(&reference);
        b.iter().for_each(|&v| counts.add(v));
        ks(&reference, &counts).unwrap()
    }

    #[test]
    fn matches_the_definition_with_ties_and_values_outside_the_reference() {
        let mut rng = Lcg(7);
        for _ in 0..200 {
            let a: Vec<f64> = (0..rng.below(30) + 1)
                .map(|_| rng.below(12) as f64)
                .collect();
            let b: Vec<f64> = (0..rng.below(30) + 1)
                .map(|_| rng.below(16) as f64 - 2.0)
                .collect();
            let got = test_of(&a, &b);
            assert!(
                (got.statistic - brute_force(&a, &b)).abs() < 1e-12,
                "{a:?} {b:?}"
            );
            assert!(got.exact);
        }
    }

    #[test]
    fn identical_samples_do_not_drift() {
        let a: Vec<f64> = (0..500).map(|i| f64::from(i % 37)).collect();
        let got = test_of(&a, &a);
        assert_eq!(got.statistic, 0.0);
        assert_eq!(got.p_value, 1.0);
    }

    #[test]
    fn empty_current_is_an_error() {
        let reference = ContinuousReference::from_values([1.0]).unwrap();
        let counts = ContinuousCounts::new(&reference);
        assert_eq!(ks(&reference, &counts), Err(DriftError::EmptyCurrent));
    }

    /// A tiny deterministic generator, so the test needs no dependency.
    struct Lcg(u64);
    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }
}
