//! Mermaid `xychart-beta` text for charts, so they render inline in PR/MR comments.
//!
//! GitHub and GitLab draw Mermaid code blocks in comments, which needs no uploaded image. Only
//! bar and line charts exist in `xychart-beta`; heat maps have no Mermaid form. Two limits of
//! Mermaid to know: an xychart has no legend (we name the series in `%%` comments and callers
//! should name them in the surrounding text), and several `bar` series are drawn on top of each
//! other, not side by side, so with baseline and candidate the later (candidate) bar covers the
//! earlier one where it is taller. The PNG/SVG renderers have neither limit.
//!
//! All text is quoted, with `"` replaced by `'` and line breaks by spaces, since Mermaid
//! strings cannot escape a quote. Numbers are written plainly (never as exponents) and a
//! non-finite value is written as 0 since Mermaid has no "missing" value.

use std::fmt::Write as _;

use crate::chart::{Chart, DeltaBars, GroupedBars, LineChart, Series, XAxis, trim_number};
use crate::palette;

/// The `xychart-beta` text for `chart`, or `None` for a chart type Mermaid cannot draw.
pub fn xychart(chart: &Chart) -> Option<String> {
    match chart {
        Chart::GroupedBars(c) => Some(grouped_bars(c)),
        Chart::DeltaBars(c) => Some(delta_bars(c)),
        Chart::Line(c) => Some(line_chart(c)),
        Chart::HeatMap(_) => None,
    }
}

/// Bars: one `bar` line per series, coloured like the PNG (blue, orange, ...).
pub fn grouped_bars(chart: &GroupedBars) -> String {
    let range = chart.y_range.or_else(|| Some(auto_range(&chart.series)));
    let mut out = header(chart.series.len(), &chart.title);
    axes(&mut out, "", &chart.categories, &chart.y_label, range);
    series_lines(&mut out, "bar", &chart.series);
    out
}

/// Signed bars as a single `bar` series (Mermaid cannot colour bars by sign).
pub fn delta_bars(chart: &DeltaBars) -> String {
    let series = [Series::new(chart.y_label.clone(), chart.values.clone())];
    let mut out = header(1, &chart.title);
    axes(
        &mut out,
        "",
        &chart.categories,
        &chart.y_label,
        Some(auto_range(&series)),
    );
    series_lines(&mut out, "bar", &series);
    out
}

/// Lines: one `line` per series; numeric x values become evenly spaced category labels.
pub fn line_chart(chart: &LineChart) -> String {
    let categories: Vec<String> = match &chart.x {
        XAxis::Categories(c) => c.clone(),
        XAxis::Values(v) => v.iter().map(|x| trim_number(*x)).collect(),
    };
    let mut out = header(chart.series.len(), &chart.title);
    axes(
        &mut out,
        &chart.x_label,
        &categories,
        &chart.y_label,
        chart.y_range,
    );
    series_lines(&mut out, "line", &chart.series);
    out
}

/// `body` inside a ```` ```mermaid ```` fence, ready to paste into Markdown.
pub fn fenced(body: &str) -> String {
    format!("```mermaid\n{}\n```\n", body.trim_end())
}

/// Quotes `text` as a Mermaid string: `"` becomes `'`, line breaks and controls become spaces.
pub fn quote(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| match c {
            '"' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    format!("\"{}\"", clean.trim())
}

fn header(series: usize, title: &str) -> String {
    let colours: Vec<String> = (0..series.max(1))
        .map(|i| {
            let c = palette::series(i);
            format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
        })
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "%%{{init: {{\"themeVariables\": {{\"xyChart\": {{\"plotColorPalette\": \"{}\"}}}}}}}}%%",
        colours.join(", ")
    );
    out.push_str("xychart-beta\n");
    let _ = writeln!(out, "    title {}", quote(title));
    out
}

fn axes(
    out: &mut String,
    x_label: &str,
    categories: &[String],
    y_label: &str,
    range: Option<(f64, f64)>,
) {
    let cats: Vec<String> = categories.iter().map(|c| quote(c)).collect();
    let x_title = if x_label.trim().is_empty() {
        String::new()
    } else {
        format!("{} ", quote(x_label))
    };
    let _ = writeln!(out, "    x-axis {x_title}[{}]", cats.join(", "));
    match range {
        Some((lo, hi)) => {
            let _ = writeln!(
                out,
                "    y-axis {} {} --> {}",
                quote(y_label),
                number(lo),
                number(hi)
            );
        }
        None => {
            let _ = writeln!(out, "    y-axis {}", quote(y_label));
        }
    }
}

fn series_lines(out: &mut String, kind: &str, series: &[Series]) {
    for (i, s) in series.iter().enumerate() {
        let _ = writeln!(out, "    %% {kind} {}: {}", i + 1, comment(&s.name));
        let values: Vec<String> = s.values.iter().map(|v| number(*v)).collect();
        let _ = writeln!(out, "    {kind} [{}]", values.join(", "));
    }
}

/// Text for a `%%` comment: one line, no `%%` that could end a directive.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace("%%", "%")
}

fn number(v: f64) -> String {
    if v.is_finite() {
        trim_number(v)
    } else {
        "0".to_string()
    }
}

/// A range that includes zero and all finite values, padded by 10% of its span at the ends
/// away from zero, so bars never touch the frame.
pub(crate) fn auto_range(series: &[Series]) -> (f64, f64) {
    let finite = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo == hi {
        return (0.0, 1.0);
    }
    let pad = (hi - lo) * 0.1;
    let lo = if lo < 0.0 { lo - pad } else { lo };
    let hi = if hi > 0.0 { hi + pad } else { hi };
    (nice(lo, false), nice(hi, true))
}

/// Rounds an axis end outwards to two significant digits, so Mermaid shows tidy ticks.
fn nice(v: f64, up: bool) -> f64 {
    if v == 0.0 {
        return 0.0;
    }
    let step = 10f64.powf(v.abs().log10().floor() - 1.0);
    if up {
        (v / step).ceil() * step
    } else {
        (v / step).floor() * step
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::chart::ValueFormat;

    #[test]
    fn grouped_bars_two_series() {
        let chart = GroupedBars {
            title: "Metrics \"v2\"\nvs v1".into(),
            y_label: "score".into(),
            categories: vec![
                "accuracy".into(),
                "macro F1".into(),
                "weighted \"F1\"".into(),
            ],
            series: vec![
                Series::new("baseline", vec![0.91, 0.875, 0.9]),
                Series::new("candidate\n%%", vec![0.93, 0.881, f64::NAN]),
            ],
            y_range: Some((0.0, 1.0)),
            value_format: ValueFormat::default(),
        };
        assert_eq!(
            grouped_bars(&chart),
            r##"%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#0072B2, #E69F00"}}}}%%
xychart-beta
    title "Metrics 'v2' vs v1"
    x-axis ["accuracy", "macro F1", "weighted 'F1'"]
    y-axis "score" 0 --> 1
    %% bar 1: baseline
    bar [0.91, 0.875, 0.9]
    %% bar 2: candidate %
    bar [0.93, 0.881, 0]
"##
        );
    }

    #[test]
    fn line_chart_numeric_x() {
        let chart = LineChart {
            title: "Loss".into(),
            x_label: "epoch".into(),
            y_label: "loss".into(),
            x: XAxis::Values(vec![1.0, 2.0, 3.0]),
            series: vec![Series::new("train", vec![0.9, 0.5, 0.25])],
            y_range: None,
            value_format: ValueFormat::default(),
        };
        let out = line_chart(&chart);
        assert!(out.ends_with(
            "    title \"Loss\"\n    x-axis \"epoch\" [\"1\", \"2\", \"3\"]\n    y-axis \"loss\"\n    %% line 1: train\n    line [0.9, 0.5, 0.25]\n"
        ), "{out}");
        assert!(fenced(&out).starts_with("```mermaid\n%%{init"));
        assert!(fenced(&out).ends_with("]\n```\n"));
    }

    #[test]
    fn delta_range_includes_zero() {
        let chart = DeltaBars {
            title: "Δ F1".into(),
            y_label: "Δ F1".into(),
            categories: vec!["a".into(), "b".into()],
            values: vec![-0.04, 0.02],
            value_format: ValueFormat::default(),
        };
        let out = delta_bars(&chart);
        assert!(
            out.contains("    y-axis \"Δ F1\" -0.046 --> 0.026\n"),
            "{out}"
        );
        assert!(out.contains("    bar [-0.04, 0.02]\n"), "{out}");
    }
}
