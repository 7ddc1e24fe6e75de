//! Endpoint health (`--endpoint URL --model-name M`): `--samples N` Open Inference Protocol
//! requests sent to the served model with [`modelci_oip`] (the client `deploy-notify`'s smoke
//! check uses), reporting the error rate and the latency p50/p95 against the gates
//! `--max-error-rate` and `--max-latency-p95-ms`.
//!
//! The requests are the current data's: a payload log's request bodies are sent again as they
//! were logged (the first N requests); a CSV's rows are sent one per request as one FP64 tensor
//! `[1, F]` named `--input-name`, the reference's features in its order. A request fails when
//! the server cannot be reached, answers with an error status, or answers with something that
//! is not an inference response.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};
use modelci_drift::{FeatureSummary, Reference};
use serde::Serialize;
use serde_json::{Value, json};

use crate::current::v2::Parts;

/// How the endpoint is checked.
#[derive(Debug, Clone)]
pub struct HealthOptions<'a> {
    /// The server's base URL (`http://HOST:PORT`, without `/v2`).
    pub endpoint: &'a str,
    /// The model's name on the server.
    pub model_name: &'a str,
    /// The tensor name of requests built from CSV rows.
    pub input_name: &'a str,
    /// Gate: the highest share of failed requests, in percent.
    pub max_error_rate: f64,
    /// Gate: the highest p95 latency, in milliseconds.
    pub max_latency_p95_ms: f64,
}

/// What the endpoint did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthReport {
    /// The server's base URL.
    pub endpoint: String,
    /// The model's name on the server.
    pub model_name: String,
    /// Requests sent.
    pub requests: usize,
    /// Requests that failed.
    pub errors: usize,
    /// Failed requests in percent.
    pub error_rate: f64,
    /// Median latency of the successful requests, in milliseconds.
    pub latency_p50_ms: Option<f64>,
    /// 95th percentile latency of the successful requests, in milliseconds.
    pub latency_p95_ms: Option<f64>,
    /// The first failure, for the report.
    pub first_error: Option<String>,
    /// The gates.
    pub max_error_rate: f64,
    /// The latency gate.
    pub max_latency_p95_ms: f64,
    /// Whether both gates held.
    pub passed: bool,
    /// Why the check failed (empty when it passed).
    pub reasons: Vec<String>,
}

impl HealthReport {
    /// One line: requests, error rate, latency.
    #[must_use]
    pub fn summary(&self) -> String {
        let latency = match (self.latency_p50_ms, self.latency_p95_ms) {
            (Some(p50), Some(p95)) => format!(", latency p50 {p50:.1} ms, p95 {p95:.1} ms"),
            _ => String::new(),
        };
        format!(
            "endpoint {} model {}: {} of {} requests failed ({:.1}%){latency}",
            self.endpoint, self.model_name, self.errors, self.requests, self.error_rate
        )
    }
}

/// Up to `samples` request bodies from the current data (see the module docs).
///
/// # Errors
/// One line naming the file: unreadable, no request in it, a CSV without the reference's
/// columns or with a categorical feature (no FP64 tensor can carry it).
pub fn requests(
    current: &Path,
    reference: &Reference,
    samples: usize,
    input_name: &str,
) -> anyhow::Result<Vec<Value>> {
    let mut bodies = Vec::with_capacity(samples);
    if crate::current::is_log(current) {
        let text = std::fs::read_to_string(current)
            .with_context(|| format!("{}: cannot read", current.display()))?;
        for line in text.lines() {
            if bodies.len() == samples {
                break;
            }
            let Ok(value) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            if let Some(request) = Parts::of(&value).request {
                bodies.push(request.clone());
            }
        }
    } else {
        if let Some(f) = reference
            .features
            .iter()
            .find(|f| matches!(f.summary, FeatureSummary::Categorical(_)))
        {
            bail!(
                "{}: --endpoint sends CSV rows as numbers, but feature {:?} is categorical (leave it out with --ignore)",
                current.display(),
                f.name
            );
        }
        let (mut reader, headers) = crate::csv_file::open(current)?;
        let columns = reference
            .features
            .iter()
            .map(|f| {
                headers
                    .iter()
                    .position(|h| *h == f.name)
                    .with_context(|| format!("{}: no column {:?}", current.display(), f.name))
            })
            .collect::<anyhow::Result<Vec<usize>>>()?;
        let mut record = csv::StringRecord::new();
        while bodies.len() < samples
            && reader
                .read_record(&mut record)
                .with_context(|| format!("{}: cannot read", current.display()))?
        {
            let data: Vec<f64> = columns
                .iter()
                .map(|&c| {
                    record
                        .get(c)
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(f64::NAN)
                })
                .collect();
            bodies.push(json!({
                "inputs": [{
                    "name": input_name,
                    "shape": [1, data.len()],
                    "datatype": "FP64",
                    "data": data,
                }]
            }));
        }
    }
    if bodies.is_empty() {
        bail!("{}: no request to send to --endpoint", current.display());
    }
    Ok(bodies)
}

/// Sends every body and measures the answers.
#[must_use]
pub fn check(bodies: &[Value], options: &HealthOptions<'_>) -> HealthReport {
    let mut report = HealthReport {
        endpoint: options.endpoint.to_owned(),
        model_name: options.model_name.to_owned(),
        requests: bodies.len(),
        errors: 0,
        error_rate: 0.0,
        latency_p50_ms: None,
        latency_p95_ms: None,
        first_error: None,
        max_error_rate: options.max_error_rate,
        max_latency_p95_ms: options.max_latency_p95_ms,
        passed: false,
        reasons: Vec::new(),
    };
    let mut durations: Vec<Duration> = Vec::with_capacity(bodies.len());
    match modelci_oip::Client::new(options.endpoint, options.model_name) {
        Ok(client) => {
            for body in bodies {
                match client.infer_body(body) {
                    Ok(elapsed) => durations.push(elapsed),
                    Err(error) => {
                        report.errors += 1;
                        report.first_error.get_or_insert_with(|| error.to_string());
                    }
                }
            }
        }
        Err(error) => {
            report.errors = bodies.len();
            report.first_error = Some(error.to_string());
        }
    }
    #[allow(clippy::cast_precision_loss)]
    if report.requests > 0 {
        report.error_rate = 100.0 * report.errors as f64 / report.requests as f64;
    }
    if let Some(latency) = modelci_metrics::LatencySummary::from_batches(1, &durations) {
        report.latency_p50_ms = Some(latency.p50_ms);
        report.latency_p95_ms = Some(latency.p95_ms);
    }
    if report.error_rate > options.max_error_rate {
        report.reasons.push(format!(
            "error rate {:.1}% > {}% (--max-error-rate){}",
            report.error_rate,
            options.max_error_rate,
            report
                .first_error
                .as_deref()
                .map_or_else(String::new, |e| format!("; first: {e}"))
        ));
    }
    if let Some(p95) = report.latency_p95_ms
        && p95 > options.max_latency_p95_ms
    {
        report.reasons.push(format!(
            "latency p95 {p95:.1} ms > {} ms (--max-latency-p95-ms)",
            options.max_latency_p95_ms
        ));
    }
    report.passed = report.reasons.is_empty();
    report
}
