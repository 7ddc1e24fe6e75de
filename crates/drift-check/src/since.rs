//! `--since WHEN`: only the log records from WHEN on. WHEN is a duration back from now (`90m`,
//! `24h`, `7d`, `2w`; units s, m, h, d, w) or a moment (RFC 3339 `2026-12-01T08:00:00Z`, or a
//! date `2026-12-01`, midnight UTC).
//!
//! A record's time is the CloudEvent `time` attribute (KServe's and Seldon's payload loggers
//! send CloudEvents; stored in structured mode the attribute is the `time` field), else a
//! `timestamp` or `@timestamp` field (what log shippers such as Fluent Bit and Seldon's
//! Elasticsearch logger add): RFC 3339 text, or a number of seconds (milliseconds when larger
//! than 10^11) since 1970.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde_json::Value;

/// Why `--since` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "--since {text:?}: {why}; expected a duration such as 24h or 7d (units s, m, h, d, w), an RFC 3339 time such as 2026-12-01T08:00:00Z, or a date such as 2026-12-01"
)]
pub struct SinceError {
    text: String,
    why: &'static str,
}

/// The cutoff `text` names, relative to `now` for a duration.
///
/// # Errors
/// [`SinceError`] for anything else, or a duration too long to count back.
pub fn parse(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, SinceError> {
    let trimmed = text.trim();
    let bad = |why| SinceError {
        text: text.to_owned(),
        why,
    };
    if let Some(unit) = trimmed.chars().last().filter(char::is_ascii_alphabetic)
        && trimmed.len() > 1
        && trimmed[..trimmed.len() - 1]
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        let count: i64 = trimmed[..trimmed.len() - 1]
            .parse()
            .map_err(|_| bad("the number is too large"))?;
        let seconds = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad("unknown unit")),
        };
        let back = count
            .checked_mul(seconds)
            .and_then(TimeDelta::try_seconds)
            .ok_or_else(|| bad("the duration is too long"))?;
        return now
            .checked_sub_signed(back)
            .ok_or_else(|| bad("the duration is too long"));
    }
    if let Ok(moment) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(moment.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        return Ok(date.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    Err(bad("not a duration, a time or a date"))
}

/// The fields a record's time is read from, in order.
const TIME_FIELDS: [&str; 3] = ["time", "timestamp", "@timestamp"];

/// The time of a log record: `None` when it carries none, `Some(Err(why))` when its time field
/// is not a time.
#[must_use]
pub fn record_time(record: &Value) -> Option<Result<DateTime<Utc>, String>> {
    let (field, value) = TIME_FIELDS
        .iter()
        .find_map(|f| record.get(*f).map(|v| (*f, v)))?;
    Some(match value {
        Value::String(text) => DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("\"{field}\" is not an RFC 3339 time ({e})")),
        Value::Number(n) => n
            .as_f64()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .and_then(|x| {
                let seconds = if x > 1e11 { x / 1000.0 } else { x };
                // Whole milliseconds: as precise as any logger writes.
                #[allow(clippy::cast_possible_truncation)]
                DateTime::from_timestamp_millis((seconds * 1000.0).round() as i64)
            })
            .ok_or_else(|| format!("\"{field}\" is not a time")),
        _ => Err(format!("\"{field}\" is not a time")),
    })
}

/// Whether a log record is older than `cutoff`.
///
/// # Errors
/// One phrase: the record has no time (`--since` needs one on every request), or its time field
/// is not a time.
pub fn is_before(record: &Value, cutoff: DateTime<Utc>) -> Result<bool, String> {
    match record_time(record) {
        Some(Ok(time)) => Ok(time < cutoff),
        Some(Err(why)) => Err(why),
        None => Err(
            "the record has no time (a CloudEvent \"time\", or a \"timestamp\" or \"@timestamp\" field), which --since needs; for a log without times use --window N"
                .to_owned(),
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-06T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn durations_count_back_from_now_and_moments_are_absolute() {
        let at = |t: &str| parse(t, now()).unwrap().to_rfc3339();
        assert_eq!(at("24h"), "2026-12-05T12:00:00+00:00");
        assert_eq!(at("7d"), "2026-11-29T12:00:00+00:00");
        assert_eq!(at("90m"), "2026-12-06T10:30:00+00:00");
        assert_eq!(at("30s"), "2026-12-06T11:59:30+00:00");
        assert_eq!(at("2w"), "2026-11-22T12:00:00+00:00");
        assert_eq!(at("2026-12-01T08:00:00+02:00"), "2026-12-01T06:00:00+00:00");
        assert_eq!(at("2026-12-01"), "2026-12-01T00:00:00+00:00");
        for bad in [
            "",
            "h",
            "24y",
            "-1h",
            "yesterday",
            "99999999999999999999h",
            "2026-13-01",
        ] {
            let e = parse(bad, now()).unwrap_err().to_string();
            assert!(e.starts_with("--since"), "{e}");
            assert!(e.contains("24h"), "the message shows a form: {e}");
        }
    }

    #[test]
    fn record_times_come_from_cloudevents_and_log_shippers() {
        let t = |v: Value| record_time(&v).map(|r| r.map(|t| t.to_rfc3339()));
        let want = Some(Ok("2026-12-06T10:00:00+00:00".to_owned()));
        assert_eq!(t(serde_json::json!({"time": "2026-12-06T10:00:00Z"})), want);
        assert_eq!(
            t(serde_json::json!({"timestamp": "2026-12-06T10:00:00Z"})),
            want
        );
        assert_eq!(
            t(serde_json::json!({"@timestamp": "2026-12-06T10:00:00Z"})),
            want
        );
        assert_eq!(t(serde_json::json!({"timestamp": 1_796_551_200})), want);
        assert_eq!(
            t(serde_json::json!({"timestamp": 1_796_551_200_000_u64})),
            want
        );
        assert_eq!(t(serde_json::json!({"inputs": []})), None);
        assert!(matches!(
            t(serde_json::json!({"time": "noon"})),
            Some(Err(_))
        ));
        assert!(matches!(t(serde_json::json!({"time": true})), Some(Err(_))));
    }
}
