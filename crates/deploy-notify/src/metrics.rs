//! Key metrics for the notifications, read from a `--report` file.
//!
//! An eval-diff `report.json` gives the candidate's value of its headline metrics (its
//! `comparison` rows); any other JSON object (a train-check report's `metrics`, a DVC
//! `metrics.json`) gives its numeric leaves, nested keys joined with `.`.

use std::path::Path;

use anyhow::{Context as _, anyhow};

/// At most this many metrics are shown.
pub const MAX_METRICS: usize = 8;

/// The eval-diff metrics worth a line in a chat message, in this order.
const HEADLINE: &[&str] = &[
    "accuracy",
    "macro_f1",
    "weighted_f1",
    "top_k_accuracy",
    "mae",
    "rmse",
    "r2",
    "latency_p50_ms",
    "latency_p95_ms",
    "size",
    "params",
];

/// One named value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KeyMetric {
    /// Metric name (`accuracy`, `test.accuracy`).
    pub name: String,
    /// Its value.
    pub value: f64,
}

/// Reads the key metrics of `path`.
///
/// # Errors
/// The file cannot be read, is not JSON, or holds no numeric metric; the message names the file.
pub fn read(path: &Path) -> anyhow::Result<Vec<KeyMetric>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the report", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}: not a JSON report: {e}", path.display()))?;
    // A modelci report (eval-diff, train-check, quantize) carries its headline metrics in the
    // shared envelope; anything else (a DVC metrics.json) is read as numbers.
    let metrics = match modelci_report::Envelope::from_slice(text.as_bytes(), path) {
        Ok(envelope) => from_envelope(&envelope),
        Err(_) => from_json(&json),
    };
    if metrics.is_empty() {
        return Err(anyhow!(
            "{}: no numeric metrics found (expected an eval-diff report.json or a JSON object of numbers)",
            path.display()
        ));
    }
    Ok(metrics)
}

/// The headline metrics of a modelci report, in [`HEADLINE`] order.
#[must_use]
pub fn from_envelope(envelope: &modelci_report::Envelope) -> Vec<KeyMetric> {
    HEADLINE
        .iter()
        .filter_map(|name| {
            Some(KeyMetric {
                name: (*name).to_owned(),
                value: *envelope.metrics.get(*name)?,
            })
        })
        .take(MAX_METRICS)
        .collect()
}

/// The key metrics of a parsed report.
#[must_use]
pub fn from_json(json: &serde_json::Value) -> Vec<KeyMetric> {
    if let Some(rows) = json.get("comparison").and_then(serde_json::Value::as_array) {
        let mut found: Vec<KeyMetric> = rows
            .iter()
            .filter_map(|r| {
                Some(KeyMetric {
                    name: r.get("name")?.as_str()?.to_owned(),
                    value: r.get("candidate")?.as_f64()?,
                })
            })
            .filter(|m| HEADLINE.contains(&m.name.as_str()))
            .collect();
        found.sort_by_key(|m| HEADLINE.iter().position(|h| *h == m.name));
        found.truncate(MAX_METRICS);
        return found;
    }
    let root = json.get("metrics").unwrap_or(json);
    let mut out = Vec::new();
    flatten("", root, &mut out);
    out.truncate(MAX_METRICS);
    out
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<KeyMetric>) {
    match value {
        serde_json::Value::Number(n) if !prefix.is_empty() => {
            if let Some(v) = n.as_f64() {
                out.push(KeyMetric {
                    name: prefix.to_owned(),
                    value: v,
                });
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if k.starts_with('$') || k == "schema_version" {
                    continue;
                }
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&name, v, out);
            }
        }
        _ => {}
    }
}

/// A value for people: up to four significant decimals, no trailing zeros.
#[must_use]
pub fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn eval_diff_reports_give_candidate_headlines_in_order() {
        let j = json!({"comparison": [
            {"name": "latency_p95_ms", "candidate": 1.5, "baseline": 1.0},
            {"name": "accuracy", "candidate": 0.97, "baseline": 0.96},
            {"name": "throughput", "candidate": 100.0, "baseline": 90.0}
        ]});
        let m = from_json(&j);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].name, "accuracy");
        assert_eq!(m[0].value, 0.97);
        assert_eq!(m[1].name, "latency_p95_ms");
    }

    #[test]
    fn modelci_reports_give_their_envelope_metrics_in_headline_order() {
        let mut envelope = modelci_report::Envelope::new(
            modelci_report::ToolName::Quantize,
            "0.1.0",
            modelci_report::envelope::Verdict {
                passed: true,
                summary: "ok".into(),
                gates: 0,
                failed: 0,
            },
        );
        for (name, value) in [("size", 1000.0), ("agreement", 1.0), ("accuracy", 0.97)] {
            envelope.metrics.insert(name.into(), value);
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.json");
        std::fs::write(&path, serde_json::to_vec(&envelope).expect("JSON")).expect("write");
        let m = read(&path).expect("reads");
        let names: Vec<&str> = m.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(
            names,
            ["accuracy", "size"],
            "headline metrics only, in order"
        );
    }

    #[test]
    fn other_objects_are_flattened() {
        let j = json!({"$schema": "x", "test": {"accuracy": 0.99, "loss": 0.05}, "note": "hi"});
        let names: Vec<String> = from_json(&j).into_iter().map(|m| m.name).collect();
        assert_eq!(names, ["test.accuracy", "test.loss"]);
    }

    #[test]
    fn formats_values() {
        assert_eq!(format_value(0.966_666), "0.9667");
        assert_eq!(format_value(12.0), "12");
        assert_eq!(format_value(0.5), "0.5");
    }
}
