//! Regression metrics: mean absolute error, root mean squared error and R².

use serde::{Deserialize, Serialize};

/// Collects regression errors one sample at a time (Welford's method for the target variance,
/// so R² stays accurate on large datasets).
#[derive(Debug, Clone, Default)]
pub struct RegressionAccumulator {
    n: u64,
    abs_error_sum: f64,
    sq_error_sum: f64,
    target_mean: f64,
    target_m2: f64,
}

impl RegressionAccumulator {
    /// Records one sample.
    #[allow(clippy::cast_precision_loss)]
    pub fn add(&mut self, target: f64, predicted: f64) {
        let error = predicted - target;
        self.n += 1;
        self.abs_error_sum += error.abs();
        self.sq_error_sum += error * error;
        let delta = target - self.target_mean;
        self.target_mean += delta / self.n as f64;
        self.target_m2 += delta * (target - self.target_mean);
    }

    /// Computes the metrics of everything added so far.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn finish(&self) -> RegressionMetrics {
        if self.n == 0 {
            return RegressionMetrics {
                samples: 0,
                mae: 0.0,
                rmse: 0.0,
                r2: 0.0,
            };
        }
        let n = self.n as f64;
        // scikit-learn's r2_score: 1 - SSE/SST, and 0.0 for a constant target with errors
        // (1.0 when the constant target is predicted perfectly).
        let r2 = if self.target_m2 == 0.0 {
            if self.sq_error_sum == 0.0 { 1.0 } else { 0.0 }
        } else {
            1.0 - self.sq_error_sum / self.target_m2
        };
        RegressionMetrics {
            samples: self.n,
            mae: self.abs_error_sum / n,
            rmse: (self.sq_error_sum / n).sqrt(),
            r2,
        }
    }
}

/// Regression metrics of one model on one dataset.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegressionMetrics {
    /// Number of samples evaluated.
    pub samples: u64,
    /// Mean absolute error.
    pub mae: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Coefficient of determination.
    pub r2: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computed_values() {
        let mut acc = RegressionAccumulator::default();
        for (t, p) in [(1.0, 2.0), (2.0, 2.0), (3.0, 1.0)] {
            acc.add(t, p);
        }
        let m = acc.finish();
        assert!((m.mae - 1.0).abs() < 1e-12);
        assert!((m.rmse - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        // SST = 2, SSE = 5 → r2 = -1.5
        assert!((m.r2 + 1.5).abs() < 1e-12);
    }
}
