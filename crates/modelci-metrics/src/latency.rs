//! Latency percentiles and throughput from per-batch timings.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Latency of a model over the batches of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Number of batches timed.
    pub batches: u64,
    /// Batch size used for timing (the last, smaller batch is not counted).
    pub batch_size: u64,
    /// Median time per batch, in milliseconds.
    pub p50_ms: f64,
    /// 95th percentile of the time per batch, in milliseconds.
    pub p95_ms: f64,
    /// Samples per second over all timed batches.
    pub throughput: f64,
}

impl LatencySummary {
    /// Summarises the durations of full batches of `batch_size` samples.
    ///
    /// Returns `None` when there is no timing at all.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn from_batches(batch_size: u64, durations: &[Duration]) -> Option<Self> {
        if durations.is_empty() {
            return None;
        }
        let mut ms: Vec<f64> = durations.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        let total_s: f64 = durations.iter().map(Duration::as_secs_f64).sum();
        let samples = batch_size as f64 * durations.len() as f64;
        Some(Self {
            batches: durations.len() as u64,
            batch_size,
            p50_ms: percentile(&ms, 50.0),
            p95_ms: percentile(&ms, 95.0),
            throughput: if total_s > 0.0 {
                samples / total_s
            } else {
                0.0
            },
        })
    }
}

/// The `q`-th percentile of sorted values with linear interpolation (numpy's default method).
#[must_use]
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    match sorted {
        [] => 0.0,
        [only] => *only,
        _ => {
            let rank = q / 100.0 * (sorted.len() - 1) as f64;
            let low = rank.floor() as usize;
            let high = rank.ceil() as usize;
            let frac = rank - low as f64;
            sorted[low] + (sorted[high] - sorted[low]) * frac
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_numpy_linear() {
        let v = [1.0, 2.0, 3.0, 4.0];
        // numpy.percentile([1,2,3,4], 50) == 2.5, 95 → 3.85
        assert!((percentile(&v, 50.0) - 2.5).abs() < 1e-12);
        assert!((percentile(&v, 95.0) - 3.85).abs() < 1e-12);
    }

    #[test]
    fn throughput_counts_samples_per_second() {
        let d = [Duration::from_millis(100), Duration::from_millis(100)];
        let s = LatencySummary::from_batches(10, &d).expect("timings given");
        assert!((s.throughput - 100.0).abs() < 1e-9);
        assert!((s.p50_ms - 100.0).abs() < 1e-9);
        assert!(LatencySummary::from_batches(10, &[]).is_none());
    }
}
