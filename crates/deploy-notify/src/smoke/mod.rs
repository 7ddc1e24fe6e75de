//! The post-deploy smoke check: does the served model answer like the local one?
//!
//! [`local::prepare`] picks N samples from the dataset and runs the local ONNX model on them;
//! [`check`] waits for the server and the model to be ready, sends each sample as its own
//! inference request over the Open Inference Protocol ([`oip`]) and compares the answers:
//! classes must be equal (the argmax of per-class scores such as scikit-learn's
//! `predict_proba`, or the class label itself), values must agree to 1e-3 relative. The result
//! is the agreement rate and the request latency p50/p95 ([`modelci_metrics::LatencySummary`]).

pub mod local;
/// The Open Inference Protocol client, shared with drift-check's endpoint health.
pub use modelci_oip::client as oip;

use std::time::Duration;

use serde::Serialize;

use local::{Answer, LocalSamples};

/// Why the smoke check could not compare answers (the Open Inference Protocol client's errors).
pub use modelci_oip::OipError as SmokeError;

/// How to run the check.
#[derive(Debug, Clone)]
pub struct SmokeOptions {
    /// Server base URL.
    pub endpoint: String,
    /// The model's name on the server.
    pub model_name: String,
    /// Output to ask for, if any.
    pub output_name: Option<String>,
    /// Least agreement for success.
    pub min_agreement: f64,
    /// How long to wait for readiness.
    pub ready_timeout: Duration,
}

/// The outcome of the check, as notifications and the webhook schema show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmokeReport {
    /// Server base URL.
    pub endpoint: String,
    /// Model name on the server.
    pub model_name: String,
    /// Samples compared.
    pub samples: usize,
    /// Samples on which both models agreed.
    pub agreed: usize,
    /// `agreed / samples` (0 when nothing was compared).
    pub agreement: f64,
    /// The threshold.
    pub min_agreement: f64,
    /// Whether the check passed.
    pub passed: bool,
    /// Median request latency, in milliseconds.
    pub latency_p50_ms: Option<f64>,
    /// 95th percentile request latency, in milliseconds.
    pub latency_p95_ms: Option<f64>,
    /// Up to five samples where the answers differed, by file name or row.
    pub disagreements: Vec<String>,
    /// Why the check could not run to the end, if it could not.
    pub error: Option<String>,
}

impl SmokeReport {
    /// A few words: `agreement 100.0% (32/32), p95 3.1 ms` or the error.
    #[must_use]
    pub fn short(&self) -> String {
        match &self.error {
            Some(e) => format!("smoke check failed: {e}"),
            None => {
                let mut s = format!(
                    "agreement {:.1}% ({}/{}), minimum {:.1}%",
                    self.agreement * 100.0,
                    self.agreed,
                    self.samples,
                    self.min_agreement * 100.0
                );
                if let Some(p95) = self.latency_p95_ms {
                    s.push_str(&format!(", p95 {p95:.1} ms"));
                }
                s
            }
        }
    }
}

/// Runs the check against the served model. Never fails: an unreachable server or a broken
/// answer is a failed check with [`SmokeReport::error`] set.
#[must_use]
pub fn check(samples: &LocalSamples, options: &SmokeOptions) -> SmokeReport {
    let mut report = SmokeReport {
        endpoint: options.endpoint.clone(),
        model_name: options.model_name.clone(),
        samples: 0,
        agreed: 0,
        agreement: 0.0,
        min_agreement: options.min_agreement,
        passed: false,
        latency_p50_ms: None,
        latency_p95_ms: None,
        disagreements: Vec::new(),
        error: None,
    };
    if let Err(e) = compare(samples, options, &mut report) {
        report.error = Some(e.to_string());
        report.passed = false;
    }
    report
}

fn compare(
    samples: &LocalSamples,
    options: &SmokeOptions,
    report: &mut SmokeReport,
) -> Result<(), SmokeError> {
    let client = oip::Client::new(&options.endpoint, &options.model_name)?;
    client.wait_ready(options.ready_timeout)?;
    let mut shape = vec![1];
    shape.extend_from_slice(&samples.sample_shape);
    let mut durations = Vec::with_capacity(samples.features.len());
    for ((values, local), id) in samples
        .features
        .iter()
        .zip(&samples.answers)
        .zip(&samples.ids)
    {
        let (served, took) = client.infer(
            &samples.input_name,
            &shape,
            values,
            options.output_name.as_deref(),
        )?;
        durations.push(took);
        report.samples += 1;
        if agrees(*local, &served.values) {
            report.agreed += 1;
        } else if report.disagreements.len() < 5 {
            report.disagreements.push(id.clone());
        }
    }
    #[allow(clippy::cast_precision_loss)]
    if report.samples > 0 {
        report.agreement = report.agreed as f64 / report.samples as f64;
    }
    if let Some(latency) = modelci_metrics::LatencySummary::from_batches(1, &durations) {
        report.latency_p50_ms = Some(latency.p50_ms);
        report.latency_p95_ms = Some(latency.p95_ms);
    }
    report.passed = report.samples > 0 && report.agreement >= options.min_agreement;
    Ok(())
}

/// Whether the served answer (one sample's values) matches the local one.
#[must_use]
pub fn agrees(local: Answer, served: &[f64]) -> bool {
    match (local, served) {
        (Answer::Class(c), [single]) => (single - c as f64).abs() < 1e-6,
        (Answer::Class(c), scores) if scores.len() > 1 => argmax(scores) == Some(c),
        (Answer::Value(v), [single]) => (single - v).abs() <= 1e-3 * v.abs().max(1.0),
        _ => false,
    }
}

fn argmax(values: &[f64]) -> Option<usize> {
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_agree_by_label_or_argmax() {
        assert!(agrees(Answer::Class(3), &[3.0]));
        assert!(!agrees(Answer::Class(3), &[2.0]));
        assert!(agrees(Answer::Class(1), &[0.1, 0.8, 0.1]));
        assert!(!agrees(Answer::Class(0), &[0.1, 0.8, 0.1]));
        assert!(!agrees(Answer::Class(0), &[]));
    }

    #[test]
    fn values_agree_within_tolerance() {
        assert!(agrees(Answer::Value(150.0), &[150.1]));
        assert!(!agrees(Answer::Value(150.0), &[151.0]));
        assert!(!agrees(Answer::Value(1.0), &[1.0, 2.0]));
    }

    #[test]
    fn unreachable_server_is_a_failed_report() {
        let samples = LocalSamples {
            input_name: "input".into(),
            sample_shape: vec![2],
            features: vec![vec![0.0, 1.0]],
            ids: vec!["0".into()],
            answers: vec![Answer::Class(0)],
        };
        let options = SmokeOptions {
            endpoint: "http://127.0.0.1:9".into(),
            model_name: "m".into(),
            output_name: None,
            min_agreement: 0.99,
            ready_timeout: Duration::from_millis(10),
        };
        let report = check(&samples, &options);
        assert!(!report.passed);
        let error = report.error.unwrap_or_default();
        assert!(
            error
                .starts_with("cannot reach the model server at http://127.0.0.1:9/v2/health/ready"),
            "{error}"
        );
    }
}
