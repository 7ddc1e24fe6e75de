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
//! strings cannot escape a quote. Numbers are written plainly (never as exponents).
//!
//! Mermaid has no "missing" value, and drawing NaN or infinity as some number would lie (a NaN
//! loss drawn as 0 looks like the best epoch). So a line stops at its first non-finite value
//! (Mermaid pairs values with x labels from the left, so a shorter list leaves the rest of the
//! x axis empty: a gap to the end, which is what a diverged run looks like), and every x label
//! where some series is not finite is marked `⚠ NaN` or `⚠ inf`. A line that is finite again
//! after such a gap cannot continue in the same diagram (a series cannot start later than the
//! axis), so [`markdown`] cuts the chart into one diagram per stretch: each starts at a finite
//! point and runs over the gap that follows it, drawn empty and marked, all on the same y axis.
//! A non-finite bar is drawn as 0 and its category label marked the same way.
//!
//! A [`DeltaBars`] chart with gate limits gets a second series, a `line` through the limits
//! (at 0 for a category without a gate), coloured like the limit in the PNG.

use std::fmt::Write as _;
use std::ops::Range;

use crate::chart::{
    Chart, DeltaBars, GroupedBars, LineChart, Series, ValueFormat, XAxis, trim_number,
};
use crate::escape::escape_markdown;
use crate::palette;

/// The most diagrams one line chart is cut into at its gaps; later stretches are left to the
/// PNG/SVG, and a note says so.
const MAX_STRETCHES: usize = 4;

/// The `xychart-beta` text for `chart`, or `None` for a chart type Mermaid cannot draw.
pub fn xychart(chart: &Chart) -> Option<String> {
    match chart {
        Chart::GroupedBars(c) => Some(grouped_bars(c)),
        Chart::DeltaBars(c) => Some(delta_bars(c)),
        Chart::Line(c) => Some(line_chart(c)),
        Chart::HeatMap(_) | Chart::ContactSheet(_) => None,
    }
}

/// Markdown for `chart`: its Mermaid diagram in a fence, or `None` for a chart type Mermaid
/// cannot draw.
///
/// A line chart that is finite again after a NaN or infinite value becomes one diagram per
/// stretch (see the module documentation), titled with its x range and drawn on one shared y
/// axis, with a line under the last one when more stretches than [`MAX_STRETCHES`] exist or
/// when the chart starts with non-finite values (which no diagram can show).
pub fn markdown(chart: &Chart) -> Option<String> {
    let Chart::Line(line) = chart else {
        return xychart(chart).map(|body| fenced(&body));
    };
    let (lead, stretches) = stretches(line);
    if lead.is_empty() && stretches.len() <= 1 {
        return Some(fenced(&line_chart(line)));
    }
    let labels = x_labels(line);
    let range = line.y_range.or_else(|| finite_range(&line.series));
    let mut md = String::new();
    if let (Some(first), Some(last)) = (lead.clone().next(), lead.clone().last()) {
        let _ = writeln!(
            md,
            "*⚠ {} {}: not finite, not drawn.*\n",
            escape_markdown(&line.x_label),
            escape_markdown(&span(&labels, first, last)),
        );
    }
    for stretch in stretches.iter().take(MAX_STRETCHES) {
        let piece = LineChart {
            title: format!(
                "{}: {} {}",
                line.title,
                line.x_label,
                span(&labels, stretch.start, stretch.end - 1)
            ),
            x: XAxis::Categories(labels[stretch.clone()].to_vec()),
            series: line
                .series
                .iter()
                .map(|s| slice_series(s, stretch.clone()))
                .collect(),
            y_range: range,
            ..line.clone()
        };
        md.push_str(&fenced(&line_chart(&piece)));
    }
    if let Some(rest) = stretches.get(MAX_STRETCHES) {
        let _ = writeln!(
            md,
            "*{} more stretches from {} {} on are drawn in the PNG/SVG chart only.*\n",
            stretches.len() - MAX_STRETCHES,
            escape_markdown(&line.x_label),
            escape_markdown(&labels[rest.start]),
        );
    }
    Some(md)
}

/// The x positions before the first finite point of any series, and the stretches after it:
/// each runs from a position where every series is finite (or missing) over the following
/// positions where some series is not, up to the next finite position.
fn stretches(chart: &LineChart) -> (Range<usize>, Vec<Range<usize>>) {
    let len = chart
        .series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(0);
    let finite_at = |i: usize| {
        chart
            .series
            .iter()
            .all(|s| s.is_missing(i) || s.values.get(i).is_none_or(|v| v.is_finite()))
    };
    let mut i = 0;
    while i < len && !finite_at(i) {
        i += 1;
    }
    let lead = 0..i;
    let mut stretches = Vec::new();
    while i < len {
        let start = i;
        while i < len && finite_at(i) {
            i += 1;
        }
        while i < len && !finite_at(i) {
            i += 1;
        }
        stretches.push(start..i);
    }
    (lead, stretches)
}

/// The chart's x labels as Mermaid shows them (before marking).
fn x_labels(chart: &LineChart) -> Vec<String> {
    match &chart.x {
        XAxis::Categories(c) => c.clone(),
        XAxis::Values(v) => v.iter().map(|x| trim_number(*x)).collect(),
    }
}

/// `a–b` from the labels at two positions, or `a` when they are the same.
fn span(labels: &[String], first: usize, last: usize) -> String {
    let label = |i: usize| labels.get(i).cloned().unwrap_or_default();
    if first == last {
        label(first)
    } else {
        format!("{}–{}", label(first), label(last))
    }
}

/// `series` cut to `range`, its missing positions renumbered.
fn slice_series(series: &Series, range: Range<usize>) -> Series {
    let end = range.end.min(series.values.len());
    let start = range.start.min(end);
    Series {
        name: series.name.clone(),
        values: series.values[start..end].to_vec(),
        missing: series
            .missing
            .iter()
            .filter(|i| range.contains(i))
            .map(|i| i - range.start)
            .collect(),
    }
}

/// A y range over every finite value, padded by 5% of its span, so the stretches of one chart
/// share their axis; `None` when there is no finite value.
fn finite_range(series: &[Series]) -> Option<(f64, f64)> {
    let values = series
        .iter()
        .flat_map(|s| s.measured().map(|(_, v)| v))
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return None;
    }
    let pad = if hi > lo { (hi - lo) * 0.05 } else { 0.5 };
    Some((nice(lo - pad, false), nice(hi + pad, true)))
}

/// Bars: one `bar` line per series, coloured like the PNG (blue, orange, ...).
pub fn grouped_bars(chart: &GroupedBars) -> String {
    let range = chart.y_range.or_else(|| Some(auto_range(&chart.series)));
    let mut out = header(&[], chart.series.len(), &chart.title);
    let categories = mark_non_finite(&chart.categories, &chart.series);
    axes(&mut out, "", &categories, &chart.y_label, range);
    series_lines(&mut out, "bar", &chart.series);
    out
}

/// Signed bars as a single `bar` series (Mermaid cannot colour bars by sign), and the gate
/// limits, if any, as a `line`.
///
/// Changes in percentage points ([`ValueFormat::Points`]) are written in points, as the PNG's
/// axis labels them, since Mermaid cannot format its ticks.
pub fn delta_bars(chart: &DeltaBars) -> String {
    let scale = if matches!(chart.value_format, ValueFormat::Points { .. }) {
        100.0
    } else {
        1.0
    };
    let mut series = vec![Series::new(
        chart.y_label.clone(),
        chart.values.iter().map(|v| v * scale).collect(),
    )];
    let has_limits = chart.limits.iter().any(Option::is_some);
    let limits = Series::new(
        "gate limit (0 where no gate)",
        chart
            .limits
            .iter()
            .map(|l| l.unwrap_or(0.0) * scale)
            .collect(),
    );
    let range = auto_range(&[series[0].clone(), limits.clone()]);
    let colours = [palette::series(0), palette::GATE];
    let mut out = header(&colours[..if has_limits { 2 } else { 1 }], 1, &chart.title);
    let categories = mark_non_finite(&chart.categories, &series);
    axes(&mut out, "", &categories, &chart.y_label, Some(range));
    series_lines(&mut out, "bar", &series);
    if has_limits {
        series = vec![limits];
        series_lines(&mut out, "line", &series);
    }
    out
}

/// Lines: one `line` per series; numeric x values become evenly spaced category labels.
pub fn line_chart(chart: &LineChart) -> String {
    let categories = x_labels(chart);
    let mut out = header(&[], chart.series.len(), &chart.title);
    let categories = mark_non_finite(&categories, &chart.series);
    axes(
        &mut out,
        &chart.x_label,
        &categories,
        &chart.y_label,
        chart.y_range,
    );
    let cut: Vec<Series> = chart.series.iter().map(line_values).collect();
    series_lines(&mut out, "line", &cut);
    out
}

/// What Mermaid can draw of a line: the values up to the first NaN or infinity, with missing
/// positions filled in on the straight line between their neighbours (as the PNG joins them;
/// before the first value, the first value), ending at the last measured value.
fn line_values(s: &Series) -> Series {
    let stop = s
        .measured()
        .find(|(_, v)| !v.is_finite())
        .map_or(s.values.len(), |(i, _)| i);
    let known: Vec<(usize, f64)> = s.measured().filter(|(i, _)| *i < stop).collect();
    let end = known.last().map_or(0, |(i, _)| i + 1);
    let values = (0..end)
        .map(|i| {
            let after = known.iter().position(|(k, _)| *k >= i).unwrap_or(0);
            let (k1, v1) = known[after];
            if k1 == i || after == 0 {
                return v1;
            }
            let (k0, v0) = known[after - 1];
            #[allow(clippy::cast_precision_loss)]
            let t = (i - k0) as f64 / (k1 - k0) as f64;
            v0 + (v1 - v0) * t
        })
        .collect();
    Series::new(s.name.clone(), values)
}

/// The category labels with `⚠ NaN` or `⚠ inf` added where some series has such a value.
fn mark_non_finite(categories: &[String], series: &[Series]) -> Vec<String> {
    categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let values = series
                .iter()
                .filter(|s| !s.is_missing(i))
                .filter_map(|s| s.values.get(i));
            let mut marks = Vec::new();
            for v in values {
                let mark = if v.is_nan() {
                    "NaN"
                } else if v.is_infinite() {
                    "inf"
                } else {
                    continue;
                };
                if !marks.contains(&mark) {
                    marks.push(mark);
                }
            }
            if marks.is_empty() {
                c.clone()
            } else {
                format!("{c} ⚠ {}", marks.join("/"))
            }
        })
        .collect()
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

/// The init directive, the chart type and the title. Plot colours are `colours` when given,
/// else the series palette for `series` plots.
fn header(colours: &[plotters::style::RGBColor], series: usize, title: &str) -> String {
    let colours: Vec<String> = if colours.is_empty() {
        (0..series.max(1)).map(palette::series).collect()
    } else {
        colours.to_vec()
    }
    .iter()
    .map(|c| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2))
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
    x-axis ["accuracy", "macro F1", "weighted 'F1' ⚠ NaN"]
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
            limits: Vec::new(),
        };
        let out = delta_bars(&chart);
        assert!(
            out.contains("    y-axis \"Δ F1\" -0.046 --> 0.026\n"),
            "{out}"
        );
        assert!(out.contains("    bar [-0.04, 0.02]\n"), "{out}");
    }
}
