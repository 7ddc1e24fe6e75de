//! Snapshots of what a binary wrote (report.md, report.json, stdout) that stay the same from
//! run to run and machine to machine (issue 13).
//!
//! [`settings`] gives insta the filters every binary's snapshots need: the repository root and
//! the test's temporary folders become `[REPO]` and `[TEMP]`, the workspace version `[VERSION]`,
//! measured times `[TIME]` and rates `[RATE]`. [`json`] renders a report.json with the values of
//! timing keys replaced (see [`is_timing_key`]), so a snapshot holds every other figure exactly.

use std::path::Path;

/// insta settings with the filters for volatile text; bind them around the assertions:
/// `settings(&[dir.path()]).bind(|| insta::assert_snapshot!("stdout", out.stdout))`.
#[must_use]
pub fn settings(temps: &[&Path]) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    for (pattern, replacement) in filters(temps) {
        settings.add_filter(&pattern, replacement);
    }
    settings
}

/// The filters of [`settings`], as (regular expression, replacement) pairs, in the order they
/// apply.
#[must_use]
pub fn filters(temps: &[&Path]) -> Vec<(String, String)> {
    let mut filters = Vec::new();
    for temp in temps {
        // Both spellings: the path as given and as resolved (/tmp may be a symlink).
        let resolved = temp.canonicalize().unwrap_or_else(|_| temp.to_path_buf());
        for path in [resolved.as_path(), temp] {
            filters.push((escape(&path.display().to_string()), "[TEMP]".to_owned()));
        }
    }
    let repo = crate::harness::repo();
    filters.push((escape(&repo.display().to_string()), "[REPO]".to_owned()));
    filters.push((
        format!(r"\b{}\b", escape(env!("CARGO_PKG_VERSION"))),
        "[VERSION]".to_owned(),
    ));
    filters.push((
        r"[+-]?\d[\d,]*(?:\.\d+)? ?(?:ms|µs)\b".to_owned(),
        "[TIME]".to_owned(),
    ));
    filters.push((
        r"[+-]?\d[\d,]*(?:\.\d+)?/s\b".to_owned(),
        "[RATE]".to_owned(),
    ));
    // Which engine ran and how many workers depend on the machine (onnxruntime installed,
    // CPU count).
    filters.push((
        r"(?m)^(\| (?:Engine|Engine chosen by|Workers) \|).*$".to_owned(),
        "$1 [machine] |".to_owned(),
    ));
    filters
}

/// True for report.json keys whose values are measured times or rates (`latency_p95_ms`,
/// `throughput`, `p50_ms`, `elapsed_s`, ...).
#[must_use]
pub fn is_timing_key(key: &str) -> bool {
    key.contains("latency")
        || key.contains("throughput")
        || key.ends_with("_ms")
        || key.ends_with("_seconds")
        || key.ends_with("_s")
}

/// `value` pretty-printed, with the values of timing keys (and of the keys `extra` picks)
/// replaced by `"[key]"`.
///
/// # Panics
/// Never for a `serde_json::Value` (serialising one cannot fail).
#[must_use]
#[allow(clippy::expect_used)]
pub fn json(value: &serde_json::Value, extra: &dyn Fn(&str) -> bool) -> String {
    let scrubbed = scrub(value, &|k| is_timing_key(k) || extra(k));
    serde_json::to_string_pretty(&scrubbed).expect("a JSON value serialises")
}

/// Like `harness::scrub_json`, but a volatile key's array (a pair of latencies) is replaced
/// whole too; only objects are walked into.
fn scrub(value: &serde_json::Value, volatile: &dyn Fn(&str) -> bool) -> serde_json::Value {
    use serde_json::Value;
    match value {
        // A row about a timing (`{"name": "latency_p50_ms", "baseline": …, "better": …}`):
        // every number and flag in it is measured.
        Value::Object(map)
            if map
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(volatile) =>
        {
            map.iter()
                .map(|(k, v)| {
                    let v = if v.is_number() || v.is_boolean() {
                        Value::String(format!("[{k}]"))
                    } else {
                        v.clone()
                    };
                    (k.clone(), v)
                })
                .collect()
        }
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let v = if volatile(k) && !v.is_object() {
                    Value::String(format!("[{k}]"))
                } else {
                    scrub(v, volatile)
                };
                (k.clone(), v)
            })
            .collect(),
        Value::Array(items) => items.iter().map(|v| scrub(v, volatile)).collect(),
        other => other.clone(),
    }
}

/// `text` with every regular-expression metacharacter escaped.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_keys_are_recognised() {
        for key in ["latency_p95_ms", "throughput", "p50_ms", "elapsed_s"] {
            assert!(is_timing_key(key), "{key}");
        }
        for key in ["accuracy", "samples", "size", "params"] {
            assert!(!is_timing_key(key), "{key}");
        }
    }

    #[test]
    fn timing_arrays_are_replaced_whole() {
        let v = serde_json::json!({"latency_p50_ms": [1.5, 2.5], "accuracy": [0.9, 0.8],
            "rows": [{"name": "throughput", "baseline": 10.5, "better": true, "unit": "per-second"}]});
        let shown = json(&v, &|_| false);
        assert!(shown.contains("\"baseline\": \"[baseline]\""), "{shown}");
        assert!(shown.contains("\"better\": \"[better]\""), "{shown}");
        assert!(shown.contains("per-second"), "{shown}");
        assert!(
            shown.contains("\"latency_p50_ms\": \"[latency_p50_ms]\""),
            "{shown}"
        );
        assert!(shown.contains("0.9"), "{shown}");
    }

    #[test]
    fn escaping_keeps_paths_literal() {
        assert_eq!(escape("/tmp/.tmp-a+b"), r"/tmp/\.tmp\-a\+b");
    }

    #[test]
    fn filters_replace_times_and_the_version() {
        let settings = settings(&[Path::new("/tmp/x")]);
        settings.bind(|| {
            let text = format!(
                "/tmp/x/report.md eval-diff {} p50 0.0929 ms, 134,482/s",
                env!("CARGO_PKG_VERSION")
            );
            insta::assert_snapshot!(
                text,
                @"[TEMP]/report.md eval-diff [VERSION] p50 [TIME], [RATE]"
            );
        });
    }
}
