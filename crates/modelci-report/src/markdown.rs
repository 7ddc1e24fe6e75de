//! Small builders for the Markdown that report comments are made of.
//!
//! Every tool's report has the same few shapes: a table, a collapsible section, numbers with a
//! unit or a sign. Building them in one place keeps reports consistent and keeps escaping rules
//! in one spot: these helpers take cells that are already escaped (see [`crate::escape`]) and
//! only add structure.

use serde::{Deserialize, Serialize};

use crate::escape::escape_html;

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    /// Left-aligned (`:---`); the default, for text.
    #[default]
    Left,
    /// Centred (`:---:`).
    Center,
    /// Right-aligned (`---:`), for numbers.
    Right,
}

/// A GitHub-flavoured Markdown table.
///
/// `headers` and `rows` must already be escaped with [`crate::escape_markdown`]. Rows shorter
/// than the header are padded with empty cells; line breaks left in a cell become spaces so a
/// row can never end early. Missing `alignments` default to [`Align::Left`]. An empty header
/// gives an empty string.
pub fn table<H: AsRef<str>, C: AsRef<str>>(
    headers: &[H],
    rows: &[Vec<C>],
    alignments: &[Align],
) -> String {
    if headers.is_empty() {
        return String::new();
    }
    let cell = |s: &str| s.replace(['\n', '\r'], " ");
    let mut out = String::new();
    let line = |out: &mut String, cells: Vec<String>| {
        out.push('|');
        for c in cells {
            out.push(' ');
            out.push_str(&c);
            out.push_str(" |");
        }
        out.push('\n');
    };
    line(&mut out, headers.iter().map(|h| cell(h.as_ref())).collect());
    let rule = (0..headers.len())
        .map(|i| match alignments.get(i).copied().unwrap_or_default() {
            Align::Left => ":---".to_string(),
            Align::Center => ":---:".to_string(),
            Align::Right => "---:".to_string(),
        })
        .collect();
    line(&mut out, rule);
    for row in rows {
        let cells = (0..headers.len())
            .map(|i| row.get(i).map(|c| cell(c.as_ref())).unwrap_or_default())
            .collect();
        line(&mut out, cells);
    }
    out
}

/// A collapsible section: `summary` is plain text (escaped here), `body` is Markdown.
///
/// The blank lines around `body` are what makes GitHub and GitLab render it as Markdown.
pub fn details(summary: &str, body: &str) -> String {
    format!(
        "<details>\n<summary>{}</summary>\n\n{}\n\n</details>\n",
        escape_html(summary),
        body.trim_end()
    )
}

/// `ratio` as a percentage with `places` decimals: `fmt_pct(0.91234, 1)` is `91.2%`.
///
/// Non-finite values give `n/a`.
pub fn fmt_pct(ratio: f64, places: usize) -> String {
    if !ratio.is_finite() {
        return "n/a".to_string();
    }
    format!("{}%", fmt_fixed(ratio * 100.0, places))
}

/// A change with an explicit sign: `+0.012`, `-0.300`, and `±0.000` when it rounds to zero.
///
/// Non-finite values give `n/a`.
pub fn fmt_delta(delta: f64, places: usize) -> String {
    if !delta.is_finite() {
        return "n/a".to_string();
    }
    let body = fmt_fixed(delta.abs(), places);
    if body.chars().all(|c| c == '0' || c == '.') {
        format!("±{body}")
    } else if delta > 0.0 {
        format!("+{body}")
    } else {
        format!("-{body}")
    }
}

/// A change of a ratio in percentage points with an explicit sign: `+1.2 pp`.
pub fn fmt_delta_pp(delta_ratio: f64, places: usize) -> String {
    if !delta_ratio.is_finite() {
        return "n/a".to_string();
    }
    format!("{} pp", fmt_delta(delta_ratio * 100.0, places))
}

/// A byte count in binary units: `512 B`, `1.5 KiB`, `12.3 MiB`, `1.02 GiB`.
pub fn fmt_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    // Three significant digits without switching to exponents.
    let places = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{} {}", fmt_fixed(value, places), UNITS[unit])
}

/// `value` with `places` decimals, never printing `-0`.
fn fmt_fixed(value: f64, places: usize) -> String {
    let s = format!("{value:.places$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::escape::escape_markdown;

    #[test]
    fn table_shape() {
        let rows = vec![
            vec![escape_markdown("a|b"), "0.91".to_string()],
            vec![escape_markdown("<cat>")],
        ];
        let out = table(&["class", "F1"], &rows, &[Align::Left, Align::Right]);
        assert_eq!(
            out,
            "| class | F1 |\n| :--- | ---: |\n| a\\|b | 0.91 |\n| &lt;cat&gt; |  |\n"
        );
        assert_eq!(table::<&str, &str>(&[], &[], &[]), "");
    }

    #[test]
    fn details_escapes_summary() {
        assert_eq!(
            details("<b>per-class</b>", "| a |\n"),
            "<details>\n<summary>&lt;b&gt;per-class&lt;/b&gt;</summary>\n\n| a |\n\n</details>\n"
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(fmt_pct(0.91234, 1), "91.2%");
        assert_eq!(fmt_pct(f64::NAN, 1), "n/a");
        assert_eq!(fmt_delta(0.0123, 3), "+0.012");
        assert_eq!(fmt_delta(-0.3, 3), "-0.300");
        assert_eq!(fmt_delta(-0.0001, 3), "±0.000");
        assert_eq!(fmt_delta(0.0, 1), "±0.0");
        assert_eq!(fmt_delta_pp(-0.012, 1), "-1.2 pp");
        assert_eq!(fmt_bytes(512), "512 B");
        assert_eq!(fmt_bytes(1536), "1.50 KiB");
        assert_eq!(fmt_bytes(12_900_000), "12.3 MiB");
        assert_eq!(fmt_bytes(u64::MAX), "16384 PiB");
    }
}
