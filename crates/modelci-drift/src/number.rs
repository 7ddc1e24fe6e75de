//! A number read from text (a CSV cell).
//!
//! `fast-float2` reads a cell with correct rounding, so a value has the bits `str::parse` gives
//! it, in half the time on the plain decimals numeric CSV files are made of; it accepts exactly
//! what `str::parse` accepts (the tests below compare the two). Text with surrounding
//! whitespace, which neither accepts, is trimmed and read again.

/// A continuous feature's value read as text: surrounding whitespace ignored; empty text, or
/// text that is not a number (or not UTF-8), is NaN (missing).
pub fn number_of(text: &[u8]) -> f64 {
    fast_float2::parse(text).unwrap_or_else(|_| {
        std::str::from_utf8(text)
            .ok()
            .and_then(|text| text.trim().parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    })
}

/// `text` as `str::parse::<f64>` reads it (no trimming): `None` when it is not a number.
pub fn parse_number(text: &str) -> Option<f64> {
    fast_float2::parse(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full parser's answer, as `number_of` must give it.
    fn reference(text: &str) -> f64 {
        text.trim().parse::<f64>().unwrap_or(f64::NAN)
    }

    fn same(text: &str) {
        let (fast, full) = (number_of(text.as_bytes()), reference(text));
        assert!(
            fast.to_bits() == full.to_bits() || (fast.is_nan() && full.is_nan()),
            "{text:?}: {fast:e} vs {full:e}"
        );
        let (fast, full) = (parse_number(text), text.parse::<f64>().ok());
        assert_eq!(fast.map(f64::to_bits), full.map(f64::to_bits), "{text:?}");
    }

    #[test]
    fn decimals_give_the_std_parsers_bits() {
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        for _ in 0..200_000 {
            // Up to 24 digits: past the 19 a u64 holds and the 15 an f64 keeps exactly.
            let whole = 1 + next(12) as usize;
            let fraction = next(13) as usize;
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
            if next(5) == 0 {
                text.push_str(&format!("e{}", next(700) as i64 - 350));
            }
            same(&text);
        }
    }

    #[test]
    fn other_texts_read_as_the_std_parser_reads_them() {
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
            "infinity",
            "INF",
            "1e",
            "1e+",
            "0x10",
            "1.7976931348623157e309",
            "4.9e-325",
            "123456789012345678901234567890.5",
            "1d",
        ] {
            same(text);
        }
        assert!(number_of(b"x").is_nan());
        assert!(number_of(b"1\xff").is_nan());
        assert_eq!(number_of(b"-0.29703"), -0.29703);
        assert_eq!(number_of(b" 1e2 "), 100.0);
    }
}
