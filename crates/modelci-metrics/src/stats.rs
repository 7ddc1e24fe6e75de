//! Significance of an accuracy difference between two models on the same samples.
//!
//! - [`mcnemar_exact_p`]: the exact (binomial) McNemar test on the discordant pairs, the test
//!   recommended for comparing two classifiers on one test set (Dietterich, 1998).
//! - [`bootstrap_delta_ci`]: a percentile bootstrap confidence interval of the accuracy delta,
//!   resampling samples (pairs of outcomes) with replacement.

use serde::{Deserialize, Serialize};

/// Two-sided p-value of the exact McNemar test.
///
/// `regressed` counts samples the baseline got right and the candidate wrong, `improved` the
/// opposite. Under the null hypothesis each discordant sample is a fair coin, so the p-value is
/// `min(1, 2 * P[X <= min(b, c)])` with `X ~ Binomial(b + c, 1/2)`. Computed in log space, so
/// it stays exact to floating-point precision for any count.
#[must_use]
#[allow(clippy::cast_precision_loss)]
pub fn mcnemar_exact_p(regressed: u64, improved: u64) -> f64 {
    let n = regressed + improved;
    let k = regressed.min(improved);
    if n == 0 || regressed == improved {
        return 1.0;
    }
    let ln2 = std::f64::consts::LN_2;
    // ln C(n, i) built up term by term; ln pmf(i) = ln C(n, i) - n ln 2.
    let mut ln_choose = 0.0_f64;
    let mut terms = Vec::with_capacity(usize::try_from(k).unwrap_or(0) + 1);
    for i in 0..=k {
        if i > 0 {
            ln_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        terms.push(ln_choose - n as f64 * ln2);
    }
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let ln_cdf = max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln();
    (2.0 * ln_cdf.exp()).min(1.0)
}

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// Confidence level, e.g. 0.95.
    pub level: f64,
}

/// Percentile bootstrap interval of `accuracy(candidate) - accuracy(baseline)`.
///
/// `outcomes[i]` holds whether the baseline (bit 0) and the candidate (bit 1) got sample `i`
/// right. The resampling is seeded, so a report is reproducible.
#[must_use]
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn bootstrap_delta_ci(
    outcomes: &[u8],
    resamples: usize,
    level: f64,
    seed: u64,
) -> Option<Interval> {
    let n = outcomes.len();
    if n == 0 || resamples == 0 {
        return None;
    }
    // Each sample contributes -1, 0 or +1 to the difference of correct counts.
    let contribution: Vec<i64> = outcomes
        .iter()
        .map(|&o| i64::from((o >> 1) & 1) - i64::from(o & 1))
        .collect();
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut deltas: Vec<f64> = (0..resamples)
        .map(|_| {
            let sum: i64 = (0..n).map(|_| contribution[rng.usize(..n)]).sum();
            sum as f64 / n as f64
        })
        .collect();
    deltas.sort_by(f64::total_cmp);
    let alpha = (1.0 - level) / 2.0;
    let pick = |q: f64| crate::latency::percentile(&deltas, q * 100.0);
    Some(Interval {
        low: pick(alpha),
        high: pick(1.0 - alpha),
        level,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_reference(b: u64, c: u64) -> f64 {
        // Direct sum with integers, valid for small n.
        let n = b + c;
        let k = b.min(c);
        let mut choose = 1u128;
        let mut sum = 0u128;
        for i in 0..=k {
            if i > 0 {
                choose = choose * u128::from(n - i + 1) / u128::from(i);
            }
            sum += choose;
        }
        #[allow(clippy::cast_precision_loss)]
        let p = 2.0 * sum as f64 / 2f64.powi(i32::try_from(n).expect("small"));
        p.min(1.0)
    }

    #[test]
    fn mcnemar_matches_direct_binomial_sum() {
        for (b, c) in [(0, 5), (1, 9), (3, 12), (10, 20), (25, 40), (7, 7), (60, 3)] {
            let got = mcnemar_exact_p(b, c);
            let want = exact_reference(b, c);
            assert!(
                (got - want).abs() < 1e-12 * want.max(1e-300),
                "b={b} c={c}: {got} vs {want}"
            );
        }
        // Known value: b=1, c=9 → 2 * (1 + 10) / 1024
        assert!((mcnemar_exact_p(1, 9) - 22.0 / 1024.0).abs() < 1e-15);
    }

    #[test]
    fn mcnemar_handles_large_counts_without_underflow() {
        let p = mcnemar_exact_p(5000, 5200);
        assert!(p > 0.0 && p < 1.0, "p = {p}");
        assert_eq!(mcnemar_exact_p(0, 0), 1.0);
    }

    #[test]
    fn bootstrap_interval_contains_observed_delta_and_is_reproducible() {
        // 100 samples: 80 both right, 15 only candidate right, 5 only baseline right.
        let mut outcomes = vec![3u8; 80];
        outcomes.extend([2u8; 15]);
        outcomes.extend([1u8; 5]);
        let a = bootstrap_delta_ci(&outcomes, 2000, 0.95, 7).expect("non-empty");
        let b = bootstrap_delta_ci(&outcomes, 2000, 0.95, 7).expect("non-empty");
        assert_eq!(a, b);
        assert!(a.low < 0.10 && 0.10 < a.high, "{a:?}");
        assert!(a.low > 0.0, "a clear improvement excludes zero: {a:?}");
        assert!(bootstrap_delta_ci(&[], 10, 0.95, 1).is_none());
    }
}
