//! The trend section of the report (`--history N`, issue 8 item 4): the key metrics and the
//! model size over the last releases with this pull request's candidate as the last point, as
//! charts (PNG, SVG and inline Mermaid) and a collapsible table.
//!
//! A release whose manifest lacks a metric gets a gap, never a zero: the PNG/SVG leave its
//! point out (the line joins its neighbours), the table shows `–`, and since Mermaid has no
//! "missing" value such a release is left out of the inline chart and named under it.

use std::fmt::Write as _;

use modelci_eval::{ModelEvaluation, Task};
use modelci_gate::{GateResult, Unit};
use modelci_report::markdown::{Align, details, table};
use modelci_report::{
    Chart, LineChart, Series, ValueFormat, XAxis, escape_markdown as esc, mermaid,
};

use crate::charts::ChartFile;
use crate::comparison::model_values;
use crate::history::{Release, Trend};
use crate::markdown;

/// The x label of the candidate's point.
pub const THIS_PR: &str = "this PR";
/// The chart of the key metrics over releases.
pub const METRICS_CHART: &str = "history_metrics";
/// The chart of the model size over releases.
pub const SIZE_CHART: &str = "history_size";

/// Colour names of the first chart series, in palette order, for captions (Mermaid draws no
/// legend).
const COLOURS: [&str; 7] = [
    "blue",
    "orange",
    "sky blue",
    "green",
    "purple",
    "vermillion",
    "black",
];

/// The metrics the trend shows: the task's headline metrics, plus any gated metric in the same
/// unit (so a `--min weighted_f1=…` gate is drawn too).
#[must_use]
pub fn key_metrics(task: Task, gates: &[GateResult]) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = match task {
        Task::Classification => vec!["accuracy", "macro_f1"],
        Task::Regression => vec!["rmse", "mae"],
    };
    let unit = modelci_gate::metric::find(names[0]).map(|m| m.unit);
    for g in gates {
        if let Some(def) = modelci_gate::metric::find(g.metric)
            && Some(def.unit) == unit
            && !names.contains(&def.name)
        {
            names.push(def.name);
        }
    }
    names
}

/// The trend charts (not rendered yet): key metrics (those at least one release has) and model
/// size over the releases and the candidate. None for fewer than one release.
#[must_use]
pub fn charts(
    releases: &[Release],
    candidate: &ModelEvaluation,
    metrics: &[&'static str],
) -> Vec<(&'static str, Chart)> {
    if releases.is_empty() {
        return Vec::new();
    }
    let mut x: Vec<String> = releases.iter().map(|r| r.version.clone()).collect();
    x.push(THIS_PR.to_owned());
    let current = model_values(candidate);
    let unit = metrics
        .first()
        .and_then(|m| modelci_gate::metric::find(m))
        .map_or(Unit::Value, |d| d.unit);
    // A metric no release has would be a line with one point: left out of the chart.
    let series: Vec<Series> = metrics
        .iter()
        .filter(|name| releases.iter().any(|r| r.metrics.contains_key(**name)))
        .map(|name| {
            let mut values: Vec<f64> = releases
                .iter()
                .map(|r| r.metrics.get(*name).copied().unwrap_or(f64::NAN))
                .collect();
            values.push(
                current
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(f64::NAN, |(_, v)| *v),
            );
            Series::new(label(name), values)
        })
        .collect();
    let (title, y_label, value_format) = if unit == Unit::Fraction {
        (
            "Key metrics over releases",
            "score",
            ValueFormat::Percent { places: 1 },
        )
    } else {
        (
            "Errors over releases (lower is better)",
            "error",
            ValueFormat::Decimal { places: 3 },
        )
    };
    let mut sizes: Vec<f64> = releases
        .iter()
        .map(|r| {
            #[allow(clippy::cast_precision_loss)]
            r.size.map_or(f64::NAN, |s| s as f64)
        })
        .collect();
    #[allow(clippy::cast_precision_loss)]
    sizes.push(candidate.file_size as f64);
    let (divisor, unit_name) = size_unit(sizes.iter().copied().filter(|v| v.is_finite()));
    let mut charts = Vec::new();
    if !series.is_empty() {
        charts.push((
            METRICS_CHART,
            Chart::from(LineChart {
                title: title.into(),
                x_label: "version".into(),
                y_label: y_label.into(),
                x: XAxis::Categories(x.clone()),
                series,
                y_range: None,
                value_format,
            }),
        ));
    }
    charts.push((
        SIZE_CHART,
        Chart::from(LineChart {
            title: "Model size over releases".into(),
            x_label: "version".into(),
            y_label: format!("size ({unit_name})"),
            x: XAxis::Categories(x),
            series: vec![Series::new(
                "model size",
                sizes.iter().map(|s| s / divisor).collect(),
            )],
            y_range: None,
            value_format: ValueFormat::Decimal { places: 1 },
        }),
    ));
    charts
}

/// The binary unit that suits the largest size: its divisor and name.
fn size_unit(sizes: impl Iterator<Item = f64>) -> (f64, &'static str) {
    let max = sizes.fold(0.0f64, f64::max);
    if max >= 1024.0 * 1024.0 * 1024.0 {
        (1024.0 * 1024.0 * 1024.0, "GiB")
    } else if max >= 1024.0 * 1024.0 {
        (1024.0 * 1024.0, "MiB")
    } else if max >= 1024.0 {
        (1024.0, "KiB")
    } else {
        (1.0, "bytes")
    }
}

fn label(name: &str) -> String {
    modelci_gate::metric::find(name).map_or_else(|| name.to_owned(), |d| d.label.to_owned())
}

/// Everything the trend section is written from.
#[derive(Debug)]
pub struct Section<'a> {
    /// What `--history` found.
    pub trend: &'a Trend,
    /// The metrics shown.
    pub metrics: &'a [&'static str],
    /// The candidate.
    pub candidate: &'a ModelEvaluation,
    /// The rendered charts (the trend's among them).
    pub charts: &'a [ChartFile],
}

/// The Markdown section, empty when the trend is off.
#[must_use]
pub fn section(s: &Section<'_>) -> String {
    let releases = match s.trend {
        Trend::Off => return String::new(),
        Trend::Unavailable { reason, .. } => {
            return format!(
                "\n*Trend over releases not shown: {}.*\n",
                esc(reason.trim_end_matches('.'))
            );
        }
        Trend::Releases(r) if r.is_empty() => {
            return "\n*Trend over releases: no published release with a modelci bundle yet.*\n"
                .to_owned();
        }
        Trend::Releases(r) => r,
    };
    let mut md = format!(
        "\n### Trend over the last {} release{}\n\n",
        releases.len(),
        if releases.len() == 1 { "" } else { "s" }
    );
    let chart = |name: &str| s.charts.iter().find(|c| c.name == name);
    match chart(METRICS_CHART) {
        Some(file) => md.push_str(&inline(file)),
        None => {
            let labels: Vec<String> = s.metrics.iter().map(|m| label(m)).collect();
            let _ = writeln!(
                md,
                "*No release's manifest.json carries {} (`publish --report report.json` puts a report's metrics there).*",
                esc(&labels.join(" or "))
            );
        }
    }
    let mut body = String::new();
    if let Some(file) = chart(SIZE_CHART) {
        body.push_str(&inline(file));
        body.push('\n');
    }
    body.push_str(&numbers(releases, s.metrics, s.candidate));
    for name in [METRICS_CHART, SIZE_CHART] {
        if let Some(file) = chart(name) {
            let _ = write!(body, "\n![{}]({})\n", esc(&file.title), file.png.display());
        }
    }
    md.push('\n');
    md.push_str(&details(
        &format!(
            "Model size and the numbers of the last {} release(s)",
            releases.len()
        ),
        &body,
    ));
    md
}

/// The chart as Mermaid with a caption naming its lines (Mermaid has no legend) and the
/// versions left out for a missing value (Mermaid has no gaps).
fn inline(file: &ChartFile) -> String {
    let Chart::Line(chart) = &file.chart else {
        return String::new();
    };
    let XAxis::Categories(x) = &chart.x else {
        return String::new();
    };
    let complete: Vec<usize> = (0..x.len())
        .filter(|&i| chart.series.iter().all(|s| s.values[i].is_finite()))
        .collect();
    let left_out: Vec<&str> = (0..x.len())
        .filter(|i| !complete.contains(i))
        .map(|i| x[i].as_str())
        .collect();
    let shown = LineChart {
        x: XAxis::Categories(complete.iter().map(|&i| x[i].clone()).collect()),
        series: chart
            .series
            .iter()
            .map(|s| {
                Series::new(
                    s.name.clone(),
                    complete.iter().map(|&i| s.values[i]).collect(),
                )
            })
            .collect(),
        ..chart.clone()
    };
    let mut md = String::new();
    if !complete.is_empty() {
        md.push_str(&mermaid::fenced(&mermaid::line_chart(&shown)));
    }
    let lines: Vec<String> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}: {}", COLOURS[i % COLOURS.len()], esc(&s.name)))
        .collect();
    let _ = write!(
        md,
        "*Lines: {}; the last point is this PR's candidate.",
        lines.join(", ")
    );
    if !left_out.is_empty() {
        let _ = write!(
            md,
            " Not in this inline chart (a value is missing there; the PNG draws no point for it): {}.",
            left_out
                .iter()
                .map(|v| esc(v))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    md.push_str("*\n");
    md
}

/// version | published | metrics… | size, the candidate last.
fn numbers(releases: &[Release], metrics: &[&'static str], candidate: &ModelEvaluation) -> String {
    const GAP: &str = "–";
    let defs: Vec<(String, Unit)> = metrics
        .iter()
        .map(|m| {
            modelci_gate::metric::find(m).map_or(((*m).to_owned(), Unit::Value), |d| {
                (d.label.to_owned(), d.unit)
            })
        })
        .collect();
    let mut headers = vec!["Version".to_owned(), "Published".to_owned()];
    headers.extend(defs.iter().map(|(l, _)| l.clone()));
    headers.push("Size".to_owned());
    let mut rows: Vec<Vec<String>> = releases
        .iter()
        .map(|r| {
            let mut row = vec![
                esc(&r.version),
                r.published
                    .as_deref()
                    .map_or_else(|| GAP.to_owned(), |p| esc(p.get(..10).unwrap_or(p))),
            ];
            row.extend(metrics.iter().zip(&defs).map(|(m, (_, unit))| {
                r.metrics
                    .get(*m)
                    .map_or_else(|| GAP.to_owned(), |v| markdown::value(*unit, *v))
            }));
            #[allow(clippy::cast_precision_loss)]
            row.push(r.size.map_or_else(
                || GAP.to_owned(),
                |s| markdown::value(Unit::Bytes, s as f64),
            ));
            row
        })
        .collect();
    let current = model_values(candidate);
    let mut last = vec![format!("**{THIS_PR}**"), GAP.to_owned()];
    last.extend(metrics.iter().zip(&defs).map(|(m, (_, unit))| {
        current
            .iter()
            .find(|(n, _)| n == m)
            .map_or_else(|| GAP.to_owned(), |(_, v)| markdown::value(*unit, *v))
    }));
    #[allow(clippy::cast_precision_loss)]
    last.push(markdown::value(Unit::Bytes, candidate.file_size as f64));
    rows.push(last);
    let mut align = vec![Align::Left, Align::Left];
    align.extend(std::iter::repeat_n(Align::Right, metrics.len() + 1));
    table(&headers, &rows, &align)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_units_follow_the_largest_model() {
        assert_eq!(size_unit([3769.0, 117_050.0].into_iter()).1, "KiB");
        assert_eq!(size_unit([900.0].into_iter()).1, "bytes");
        assert_eq!(size_unit([5.0 * 1024.0 * 1024.0].into_iter()).1, "MiB");
    }

    #[test]
    fn headline_metrics_by_task() {
        assert_eq!(
            key_metrics(Task::Classification, &[]),
            ["accuracy", "macro_f1"]
        );
        assert_eq!(key_metrics(Task::Regression, &[]), ["rmse", "mae"]);
    }
}
