//! GitLab's metrics report (`artifacts:reports:metrics`): OpenMetrics text, `name value` lines.
//!
//! GitLab compares these per name between the merge request and its target branch, so names
//! must be valid and stable: we sanitise them the same way every run, make duplicates unique,
//! and format numbers the same way every run.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use super::atomic::write_atomic;
use super::{Metric, OutputError};

/// A valid OpenMetrics name for `name`: characters outside `[a-zA-Z0-9_:]` become `_` (a run of
/// them becomes one), a leading digit gets a `_` prefix, and an empty result becomes `metric`.
#[must_use]
pub fn sanitize_metric_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut replaced = false;
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
            out.push(c);
            replaced = false;
        } else if !replaced {
            out.push('_');
            replaced = true;
        }
    }
    let out = out.trim_end_matches('_');
    if out.is_empty() {
        "metric".to_owned()
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out.to_owned()
    }
}

/// Formats a value: plain decimals in the everyday range, exponent form outside it, and
/// OpenMetrics' `NaN`, `+Inf` and `-Inf`.
#[must_use]
pub fn format_value(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else if value == 0.0 || (1e-6..1e15).contains(&value.abs()) {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

/// The `metrics.txt` text for `metrics`, ending with `# EOF`. A name that repeats after
/// sanitising gets `_2`, `_3`, ... so no value is silently shadowed.
#[must_use]
pub fn metrics_txt(metrics: &[Metric]) -> String {
    let mut seen = BTreeSet::new();
    let mut out = String::new();
    for m in metrics {
        let base = sanitize_metric_name(&m.name);
        let mut name = base.clone();
        let mut n = 1;
        while !seen.insert(name.clone()) {
            n += 1;
            name = format!("{base}_{n}");
        }
        // `write!` to a String cannot fail.
        let _ = writeln!(out, "{name} {}", format_value(m.value));
    }
    out.push_str("# EOF\n");
    out
}

/// Writes [`metrics_txt`] to `path` atomically.
///
/// # Errors
///
/// [`OutputError::Io`] when the file cannot be written.
pub fn write_metrics_txt(path: &Path, metrics: &[Metric]) -> Result<(), OutputError> {
    write_atomic(path, metrics_txt(metrics).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(sanitize_metric_name("accuracy"), "accuracy");
        assert_eq!(sanitize_metric_name("top-1 acc (%)"), "top_1_acc");
        assert_eq!(sanitize_metric_name("1st"), "_1st");
        assert_eq!(sanitize_metric_name("ns:lat_ms"), "ns:lat_ms");
        assert_eq!(sanitize_metric_name("  "), "metric");
        assert_eq!(sanitize_metric_name("ünïcode"), "_n_code");
    }

    #[test]
    fn values() {
        assert_eq!(format_value(0.0), "0");
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(0.912), "0.912");
        assert_eq!(format_value(-12.5), "-12.5");
        assert_eq!(format_value(1e-9), "1e-9");
        assert_eq!(format_value(2.5e20), "2.5e20");
        assert_eq!(format_value(f64::NAN), "NaN");
        assert_eq!(format_value(f64::INFINITY), "+Inf");
        assert_eq!(format_value(f64::NEG_INFINITY), "-Inf");
    }

    #[test]
    fn duplicates_are_made_unique() {
        let m = |name: &str, value| Metric {
            name: name.into(),
            value,
        };
        let txt = metrics_txt(&[m("a-b", 1.0), m("a b", 2.0), m("a_b", 3.0)]);
        assert_eq!(txt, "a_b 1\na_b_2 2\na_b_3 3\n# EOF\n");
    }
}
