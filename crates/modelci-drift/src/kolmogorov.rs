//! The Kolmogorov distribution: the limit law of `sqrt(n) * D` for the Kolmogorov–Smirnov
//! statistic `D` (the function scipy calls `scipy.special.kolmogorov`).

use std::f64::consts::PI;

/// Survival function `P(K > x)` of the Kolmogorov distribution.
///
/// Two series are used, each where it converges in a few terms: for `x < 1` the CDF
/// `sqrt(2π)/x · Σ exp(-(2k-1)²π²/(8x²))`, for `x >= 1` the alternating series
/// `2 Σ (-1)^(k-1) exp(-2k²x²)`. Both agree with scipy to about 1e-15.
pub fn survival(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x < 1.0 {
        let mut cdf = 0.0;
        for k in 1..=20 {
            let odd = f64::from(2 * k - 1);
            let term = (-(odd * odd) * PI * PI / (8.0 * x * x)).exp();
            cdf += term;
            if term < 1e-300 {
                break;
            }
        }
        (1.0 - (2.0 * PI).sqrt() / x * cdf).clamp(0.0, 1.0)
    } else {
        let mut sum = 0.0;
        let mut sign = 1.0;
        for k in 1..=100 {
            let kf = f64::from(k);
            let term = (-2.0 * kf * kf * x * x).exp();
            sum += sign * term;
            sign = -sign;
            if term < 1e-300 {
                break;
            }
        }
        (2.0 * sum).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::survival;

    #[test]
    fn known_values_of_the_kolmogorov_distribution() {
        // Values of scipy.special.kolmogorov (scipy 1.16).
        assert!((survival(0.5) - 0.963_945_243_664_875_1).abs() < 1e-12);
        assert!((survival(1.0) - 0.269_999_671_677_354_56).abs() < 1e-12);
        assert!((survival(1.358_098_8) - 0.050_000_0).abs() < 1e-7);
        assert!((survival(2.0) - 0.000_670_925_255_779_695_3).abs() < 1e-12);
        assert_eq!(survival(0.0), 1.0);
        assert_eq!(survival(-1.0), 1.0);
        assert!(survival(40.0) < 1e-300);
    }

    #[test]
    fn the_two_series_meet_at_one() {
        let below = survival(1.0 - 1e-12);
        let at = survival(1.0);
        assert!((below - at).abs() < 1e-10, "{below} vs {at}");
    }
}
