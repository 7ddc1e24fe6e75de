//! A number read from text (a CSV cell), with a fast path for plain decimals.
//!
//! Most cells of a numeric CSV are written as `-12.345`: at most 15 digits, a sign and a
//! point. Such a value is the integer of its digits divided by a power of ten; both are exact
//! in an `f64` (below 2^53 and at most 10^15), so one division rounds correctly (Clinger's fast
//! path) and gives the bits the full parser gives. Everything else (exponents, more digits,
//! whitespace, `inf`) goes to `str::parse`.

/// Powers of ten exact in an `f64`, as far as a plain decimal uses them.
const POWERS_OF_TEN: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The most digits a plain decimal may have for its integer to be exact (10^15 < 2^53).
const MAX_DIGITS: usize = 15;

/// A continuous feature's value read as text: surrounding whitespace ignored; empty text, or
/// text that is not a number, is NaN (missing).
pub fn number_of(text: &str) -> f64 {
    plain_decimal(text.as_bytes()).unwrap_or_else(|| text.trim().parse::<f64>().unwrap_or(f64::NAN))
}

/// `text` as `str::parse::<f64>` reads it (no trimming), with the plain-decimal fast path:
/// `None` when it is not a number.
pub fn parse_number(text: &str) -> Option<f64> {
    plain_decimal(text.as_bytes()).or_else(|| text.parse::<f64>().ok())
}

/// `[+-]digits[.digits]` with at most [`MAX_DIGITS`] digits, exactly; `None` for anything else.
fn plain_decimal(text: &[u8]) -> Option<f64> {
    let (negative, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let mut integer = 0u64;
    let mut digits = 0usize;
    let mut point = None;
    for &byte in body {
        let digit = byte.wrapping_sub(b'0');
        if digit <= 9 {
            // Wrapping: more than MAX_DIGITS digits are refused below anyway.
            integer = integer.wrapping_mul(10).wrapping_add(u64::from(digit));
            digits += 1;
        } else if byte == b'.' && point.is_none() {
            point = Some(digits);
        } else {
            return None;
        }
    }
    let fraction = match point {
        // A digit on each side of the point, as `-1.5`; `1.` and `.5` take the full parser.
        Some(whole) if whole > 0 && digits > whole => digits - whole,
        Some(_) => return None,
        None => 0,
    };
    if digits == 0 || digits > MAX_DIGITS {
        return None;
    }
    // Exact: `integer` < 10^15 < 2^53, and so is the power of ten.
    #[allow(clippy::cast_precision_loss)]
    let value = integer as f64 / POWERS_OF_TEN[fraction];
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full parser's answer, as `number_of` must give it.
    fn reference(text: &str) -> f64 {
        text.trim().parse::<f64>().unwrap_or(f64::NAN)
    }

    fn same(text: &str) {
        let (fast, full) = (number_of(text), reference(text));
        assert!(
            fast.to_bits() == full.to_bits() || (fast.is_nan() && full.is_nan()),
            "{text:?}: {fast:e} vs {full:e}"
        );
        let (fast, full) = (parse_number(text), text.parse::<f64>().ok());
        assert_eq!(fast.map(f64::to_bits), full.map(f64::to_bits), "{text:?}");
    }

    #[test]
    fn plain_decimals_give_the_full_parsers_bits() {
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        for _ in 0..200_000 {
            let whole = 1 + next(9) as usize;
            let fraction = next(10) as usize;
            let mut text = String::new();
            match next(3) {
                0 => text.push('-'),
                1 => text.push('+'),
                _ => {}
            }
            (0..whole).for_each(|_| text.push(char::from(b'0' + next(10) as u8)));
            if fraction > 0 || next(4) == 0 {
                text.push('.');
            }
            (0..fraction).for_each(|_| text.push(char::from(b'0' + next(10) as u8)));
            same(&text);
        }
    }

    #[test]
    fn everything_else_goes_to_the_full_parser() {
        for text in [
            "",
            " ",
            "-",
            "+",
            ".",
            "-.",
            ".5",
            "5.",
            "-0",
            "-0.000",
            "0.1",
            "0.3",
            "1e5",
            "1.5E-3",
            " 1.25 ",
            "\t-2\n",
            "inf",
            "-inf",
            "NaN",
            "nan",
            "abc",
            "1.2.3",
            "1,5",
            "123456789012345",
            "1234567890123456",
            "0.000000000000001",
            "9007199254740993",
            "99999999999999.9",
            "1_000",
            "--1",
            "+-1",
            "١٢",
        ] {
            same(text);
        }
        assert!(number_of("x").is_nan());
        assert_eq!(number_of("-0.29703"), -0.29703);
    }
}
