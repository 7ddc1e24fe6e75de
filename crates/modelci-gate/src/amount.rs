//! Parsing gate amounts: plain numbers, percentage points, relative percentages, sizes and
//! durations.

use serde::Serialize;

use crate::metric::Unit;

/// How much a gate allows or requires.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Amount {
    /// In the metric's own unit (a fraction for accuracy: 0.005 = half a point).
    Absolute(f64),
    /// Relative to the baseline's value: 0.10 = 10%.
    Relative(f64),
}

impl Amount {
    /// The absolute size of this amount for a metric whose baseline value is `baseline`.
    #[must_use]
    pub fn absolute(self, baseline: f64) -> f64 {
        match self {
            Self::Absolute(v) => v,
            Self::Relative(r) => r * baseline.abs(),
        }
    }
}

/// Why an amount or value does not parse; the message quotes what the user wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// Not a number at all.
    #[error("`{0}` is not a number")]
    NotANumber(String),
    /// `NaN` or an infinity.
    #[error("`{0}` is not a finite number")]
    NotFinite(String),
    /// A negative amount, where only a size of change makes sense.
    #[error("`{0}` is negative; give how much as a positive amount")]
    Negative(String),
    /// A suffix that does not fit the metric's unit.
    #[error("`{text}`: expected {expected}")]
    WrongUnit {
        /// What the user wrote.
        text: String,
        /// The forms accepted for this unit.
        expected: &'static str,
    },
}

/// Parses a relative amount (`10%`), or an absolute one in `unit`.
///
/// # Errors
/// An [`AmountError`] saying what was expected.
pub fn parse_amount(text: &str, unit: Unit) -> Result<Amount, AmountError> {
    let text = text.trim();
    if let Some(pct) = text.strip_suffix('%') {
        let v = number(pct)?;
        if v < 0.0 {
            return Err(AmountError::Negative(text.to_owned()));
        }
        return Ok(Amount::Relative(v / 100.0));
    }
    let v = parse_value(text, unit)?;
    if v < 0.0 {
        return Err(AmountError::Negative(text.to_owned()));
    }
    Ok(Amount::Absolute(v))
}

/// Parses an absolute value in `unit`: `0.95`, `95pt` (fractions), `10MB` / `512KiB` (bytes),
/// `5ms` / `0.2s` (milliseconds).
///
/// # Errors
/// An [`AmountError`] naming the accepted forms when the text does not parse or has the wrong
/// unit.
pub fn parse_value(text: &str, unit: Unit) -> Result<f64, AmountError> {
    let wrong = |expected: &'static str| AmountError::WrongUnit {
        text: text.trim().to_owned(),
        expected,
    };
    let text = text.trim();
    if let (Unit::Fraction, Some(pct)) = (unit, text.strip_suffix('%')) {
        return number(pct).map(|v| v / 100.0);
    }
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(split);
    let v = number(digits)?;
    let suffix = suffix.trim();
    match unit {
        Unit::Fraction => match suffix {
            "" => Ok(v),
            "pt" | "pts" | "pp" => Ok(v / 100.0),
            _ => Err(wrong("a fraction like 0.95 or points like 0.5pt")),
        },
        Unit::Bytes => {
            let factor = match suffix.to_ascii_lowercase().as_str() {
                "" | "b" => 1.0,
                "kb" => 1e3,
                "mb" => 1e6,
                "gb" => 1e9,
                "kib" => 1024.0,
                "mib" => 1024.0 * 1024.0,
                "gib" => 1024.0 * 1024.0 * 1024.0,
                _ => return Err(wrong("a size like 10MB, 512KiB or 2000000")),
            };
            Ok(v * factor)
        }
        Unit::Millis => match suffix {
            "" | "ms" => Ok(v),
            "s" => Ok(v * 1e3),
            "us" | "µs" => Ok(v / 1e3),
            _ => Err(wrong("a duration like 5ms or 0.2s")),
        },
        Unit::Count | Unit::PerSecond | Unit::Value => {
            let factor = match suffix {
                "" => 1.0,
                "k" | "K" => 1e3,
                "M" => 1e6,
                _ => return Err(wrong("a number")),
            };
            Ok(v * factor)
        }
    }
}

fn number(text: &str) -> Result<f64, AmountError> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| AmountError::NotANumber(text.to_owned()))?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(AmountError::NotFinite(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_unit() {
        assert_eq!(
            parse_amount("0.5pt", Unit::Fraction),
            Ok(Amount::Absolute(0.005))
        );
        assert_eq!(parse_amount("10%", Unit::Bytes), Ok(Amount::Relative(0.10)));
        assert_eq!(parse_value("10MB", Unit::Bytes), Ok(10e6));
        assert_eq!(parse_value("2KiB", Unit::Bytes), Ok(2048.0));
        assert_eq!(parse_value("0.2s", Unit::Millis), Ok(200.0));
        assert_eq!(parse_value("1.5k", Unit::Count), Ok(1500.0));
        assert_eq!(parse_value("95%", Unit::Fraction), Ok(0.95));
    }

    #[test]
    fn rejects_nonsense() {
        assert!(parse_value("10 parsecs", Unit::Bytes).is_err());
        assert!(parse_value("fast", Unit::Millis).is_err());
        assert!(parse_amount("-1", Unit::Fraction).is_err());
        assert!(parse_value("NaN", Unit::Value).is_err());
        assert!(parse_value("5MB", Unit::Fraction).is_err());
    }
}
