//! The chart descriptions reports are drawn from.
//!
//! They are plain data, serialisable with serde, so a report can ship the numbers behind every
//! picture (for snapshots, for a JSON report, for re-rendering) and so the renderers (PNG, SVG,
//! Mermaid) all start from the same description.

use serde::{Deserialize, Serialize};

use crate::contact::ContactSheet;
use crate::error::ReportError;

/// One named row of values, e.g. `baseline` with one value per category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Shown in the legend.
    pub name: String,
    /// One value per category (or x value). A NaN or infinite value is data: a line chart
    /// breaks its line there and marks the point (bars leave it out).
    pub values: Vec<f64>,
    /// Positions where the series has no value at all (e.g. an epoch that did not log this
    /// metric): skipped, so a line joins its neighbours, and never marked. Their entry in
    /// `values` is ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<usize>,
}

impl Series {
    /// A series from a name and its values.
    pub fn new(name: impl Into<String>, values: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            values,
            missing: Vec::new(),
        }
    }

    /// A series from values where `None` means "not measured here" (see [`Series::missing`]).
    pub fn with_missing(name: impl Into<String>, values: &[Option<f64>]) -> Self {
        Self {
            name: name.into(),
            values: values.iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
            missing: (0..values.len()).filter(|&i| values[i].is_none()).collect(),
        }
    }

    /// Whether position `i` has no value at all.
    pub fn is_missing(&self, i: usize) -> bool {
        self.missing.binary_search(&i).is_ok()
    }

    /// The measured values: `(position, value)`, missing positions left out.
    pub fn measured(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.values
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.is_missing(*i))
            .map(|(i, v)| (i, *v))
    }
}

/// How values are written on bars, ticks and in Mermaid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ValueFormat {
    /// A fixed number of decimals: `0.913`.
    Decimal {
        /// Digits after the decimal point.
        places: u8,
    },
    /// A ratio shown as a percentage: `0.913` is written `91.3%`.
    Percent {
        /// Digits after the decimal point of the percentage.
        places: u8,
    },
    /// Rounded to a whole number: `41`.
    Integer,
    /// A change of a ratio in percentage points: `-0.012` is written `-1.20 pp`.
    Points {
        /// Digits after the decimal point of the points.
        places: u8,
    },
}

impl Default for ValueFormat {
    fn default() -> Self {
        Self::Decimal { places: 3 }
    }
}

impl ValueFormat {
    /// Writes `value` in this format; non-finite values give `n/a`.
    pub fn format(self, value: f64) -> String {
        if !value.is_finite() {
            return "n/a".to_string();
        }
        let s = match self {
            Self::Decimal { places } => format!("{value:.*}", usize::from(places)),
            Self::Percent { places } => format!("{:.*}%", usize::from(places), value * 100.0),
            Self::Integer => format!("{value:.0}"),
            Self::Points { places } => {
                let points = format!("{:.*}", usize::from(places), value * 100.0);
                return format!("{} pp", strip_negative_zero(points));
            }
        };
        strip_negative_zero(s)
    }

    /// Like [`format`](Self::format) but with an explicit `+` on positive values.
    pub fn format_signed(self, value: f64) -> String {
        let s = self.format(value);
        if value.is_finite() && value > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
            format!("+{s}")
        } else {
            s
        }
    }

    /// A short label for an axis tick: like [`format`](Self::format) without useless zeros.
    pub(crate) fn tick(self, value: f64) -> String {
        match self {
            Self::Percent { .. } => format!("{}%", trim_number(value * 100.0)),
            Self::Points { .. } => format!("{} pp", trim_number(value * 100.0)),
            Self::Integer => self.format(value),
            Self::Decimal { .. } => trim_number(value),
        }
    }
}

/// `value` with up to 6 decimals, trailing zeros trimmed: `0.25`, `3`, `-1.5`.
pub(crate) fn trim_number(value: f64) -> String {
    let s = format!("{value:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    strip_negative_zero(s.to_string())
}

fn strip_negative_zero(s: String) -> String {
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| matches!(c, '0' | '.' | '%')) => rest.to_string(),
        _ => s,
    }
}

/// Side-by-side bars: for each category, one bar per series (e.g. baseline vs candidate on
/// accuracy, macro F1 and weighted F1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupedBars {
    /// Shown above the chart.
    pub title: String,
    /// The value axis' description, e.g. `score`.
    pub y_label: String,
    /// One group of bars per category, labelled under the x axis.
    pub categories: Vec<String>,
    /// Each series must have one value per category.
    pub series: Vec<Series>,
    /// The value axis' range; `None` fits the data (always including zero).
    #[serde(default)]
    pub y_range: Option<(f64, f64)>,
    /// How the value labels on the bars are written.
    #[serde(default)]
    pub value_format: ValueFormat,
}

/// Signed bars around a zero line, e.g. the per-class change in F1; gains and losses get
/// different colours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeltaBars {
    /// Shown above the chart.
    pub title: String,
    /// The value axis' description, e.g. `Δ F1`.
    pub y_label: String,
    /// One bar per category.
    pub categories: Vec<String>,
    /// One signed value per category.
    pub values: Vec<f64>,
    /// How the value labels are written (always with an explicit sign).
    #[serde(default)]
    pub value_format: ValueFormat,
    /// A gate's limit per category, in the values' unit (e.g. `-0.005` for "at most 0.5 pp
    /// worse"), drawn as a dashed line with the band between no change and the limit shaded;
    /// empty, or one entry per category (`None` where no gate applies).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<Option<f64>>,
}

/// A grid of numbers coloured on a sequential scale, e.g. a confusion matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatMap {
    /// Shown above the chart.
    pub title: String,
    /// One label per row (for a confusion matrix: the true classes).
    pub row_labels: Vec<String>,
    /// One label per column (for a confusion matrix: the predicted classes).
    pub col_labels: Vec<String>,
    /// `values[row][col]`; each cell shows its value (whole numbers without decimals).
    pub values: Vec<Vec<f64>>,
    /// The columns' description, e.g. `predicted`.
    pub x_label: String,
    /// The rows' description, e.g. `actual`.
    pub y_label: String,
}

/// What a [`LineChart`]'s points are placed along.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum XAxis {
    /// Numeric positions (epochs, steps); must be finite.
    Values(Vec<f64>),
    /// Evenly spaced labels (model versions, dates).
    Categories(Vec<String>),
}

impl XAxis {
    /// How many points each series needs.
    pub fn len(&self) -> usize {
        match self {
            Self::Values(v) => v.len(),
            Self::Categories(c) => c.len(),
        }
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Lines with markers, e.g. training curves or a metric over model versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineChart {
    /// Shown above the chart.
    pub title: String,
    /// The x axis' description, e.g. `epoch`.
    pub x_label: String,
    /// The y axis' description, e.g. `loss`.
    pub y_label: String,
    /// Where the points go along x.
    pub x: XAxis,
    /// Each series must have one value per x position.
    pub series: Vec<Series>,
    /// The y axis' range; `None` fits the data.
    #[serde(default)]
    pub y_range: Option<(f64, f64)>,
    /// How y tick labels are written.
    #[serde(default)]
    pub value_format: ValueFormat,
}

/// Any chart this crate can draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Chart {
    /// See [`GroupedBars`].
    GroupedBars(GroupedBars),
    /// See [`DeltaBars`].
    DeltaBars(DeltaBars),
    /// See [`HeatMap`].
    HeatMap(HeatMap),
    /// See [`LineChart`].
    Line(LineChart),
    /// See [`ContactSheet`].
    ContactSheet(ContactSheet),
}

/// `From<Kind> for Chart` for each kind of chart.
macro_rules! chart_from {
    ($($kind:ident => $variant:ident),* $(,)?) => {
        $(impl From<$kind> for Chart {
            fn from(c: $kind) -> Self {
                Self::$variant(c)
            }
        })*
    };
}

chart_from! {
    GroupedBars => GroupedBars,
    DeltaBars => DeltaBars,
    HeatMap => HeatMap,
    LineChart => Line,
    ContactSheet => ContactSheet,
}

impl Chart {
    /// The chart's title.
    pub fn title(&self) -> &str {
        match self {
            Self::GroupedBars(c) => &c.title,
            Self::DeltaBars(c) => &c.title,
            Self::HeatMap(c) => &c.title,
            Self::Line(c) => &c.title,
            Self::ContactSheet(c) => &c.title,
        }
    }

    /// Checks that the parts of the chart fit together (lengths, ranges, finite positions).
    pub fn validate(&self) -> Result<(), ReportError> {
        let reason = match self {
            Self::GroupedBars(c) => {
                check_series(c.categories.len(), &c.series).or_else(|| check_range(c.y_range))
            }
            Self::DeltaBars(c) => {
                if c.categories.is_empty() {
                    Some("there are no categories".to_string())
                } else if c.values.len() != c.categories.len() {
                    Some(format!(
                        "{} values for {} categories",
                        c.values.len(),
                        c.categories.len()
                    ))
                } else if !c.limits.is_empty() && c.limits.len() != c.categories.len() {
                    Some(format!(
                        "{} limits for {} categories",
                        c.limits.len(),
                        c.categories.len()
                    ))
                } else if c.limits.iter().flatten().any(|l| !l.is_finite()) {
                    Some("a limit is not finite".to_string())
                } else {
                    None
                }
            }
            Self::HeatMap(c) => check_grid(c),
            Self::Line(c) => check_series(c.x.len(), &c.series)
                .or_else(|| check_range(c.y_range))
                .or_else(|| match &c.x {
                    XAxis::Values(v) if v.iter().any(|x| !x.is_finite()) => {
                        Some("an x value is not finite".to_string())
                    }
                    _ => None,
                }),
            Self::ContactSheet(c) => c.problem(),
        };
        match reason {
            Some(reason) => Err(ReportError::InvalidChart {
                title: self.title().to_string(),
                reason,
            }),
            None => Ok(()),
        }
    }
}

fn check_series(points: usize, series: &[Series]) -> Option<String> {
    if points == 0 {
        return Some("there are no categories or x values".to_string());
    }
    if series.is_empty() {
        return Some("there are no series".to_string());
    }
    series.iter().find(|s| s.values.len() != points).map(|s| {
        format!(
            "series {:?} has {} values for {} positions",
            s.name,
            s.values.len(),
            points
        )
    })
}

fn check_range(range: Option<(f64, f64)>) -> Option<String> {
    match range {
        Some((lo, hi)) if !(lo.is_finite() && hi.is_finite() && lo < hi) => {
            Some(format!("y range {lo}..{hi} is empty or not finite"))
        }
        _ => None,
    }
}

fn check_grid(c: &HeatMap) -> Option<String> {
    let (rows, cols) = (c.row_labels.len(), c.col_labels.len());
    if rows == 0 || cols == 0 {
        return Some("the grid has no rows or no columns".to_string());
    }
    if c.values.len() != rows {
        return Some(format!(
            "{} rows of values for {rows} row labels",
            c.values.len()
        ));
    }
    c.values.iter().position(|r| r.len() != cols).map(|i| {
        format!(
            "row {i} has {} values for {cols} column labels",
            c.values[i].len()
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(ValueFormat::default().format(0.91234), "0.912");
        assert_eq!(ValueFormat::Percent { places: 1 }.format(0.91234), "91.2%");
        assert_eq!(ValueFormat::Integer.format(40.4), "40");
        assert_eq!(ValueFormat::default().format(-0.0001), "0.000");
        assert_eq!(ValueFormat::default().format_signed(0.02), "+0.020");
        assert_eq!(ValueFormat::default().format_signed(0.0001), "0.000");
        assert_eq!(ValueFormat::default().format_signed(-0.02), "-0.020");
        assert_eq!(ValueFormat::default().format(f64::NAN), "n/a");
        assert_eq!(ValueFormat::default().tick(0.5), "0.5");
        assert_eq!(ValueFormat::Percent { places: 1 }.tick(0.25), "25%");
        assert_eq!(trim_number(-0.0), "0");
        let points = ValueFormat::Points { places: 2 };
        assert_eq!(points.format(-0.012), "-1.20 pp");
        assert_eq!(points.format_signed(0.0306), "+3.06 pp");
        assert_eq!(points.format(-0.00001), "0.00 pp");
        assert_eq!(points.tick(-0.005), "-0.5 pp");
    }

    #[test]
    fn validation_names_the_problem() {
        let chart = Chart::from(GroupedBars {
            title: "Metrics".into(),
            y_label: "score".into(),
            categories: vec!["a".into(), "b".into()],
            series: vec![Series::new("baseline", vec![1.0])],
            y_range: None,
            value_format: ValueFormat::default(),
        });
        let err = chart.validate().unwrap_err().to_string();
        assert!(err.contains("Metrics") && err.contains("baseline"), "{err}");
    }

    #[test]
    fn serde_round_trip() {
        let chart = Chart::from(DeltaBars {
            title: "Δ F1".into(),
            y_label: "Δ".into(),
            categories: vec!["cat".into()],
            values: vec![-0.5],
            value_format: ValueFormat::Percent { places: 1 },
            limits: vec![Some(-0.1)],
        });
        let json = serde_json::to_string(&chart).unwrap();
        assert!(json.contains(r#""type":"delta_bars""#), "{json}");
        let back: Chart = serde_json::from_str(&json).unwrap();
        assert_eq!(back, chart);
    }
}
