//! The charts of an eval-diff report: what they show, built from an evaluation.
//!
//! - `metrics`: the change of each headline metric (candidate - baseline), with each gate's
//!   limit drawn as a dashed line and the band it allows shaded;
//! - `per_class_f1`: the change in F1 of every class (classifiers only);
//! - `confusion_baseline`, `confusion_candidate`: confusion matrix heat maps (classifiers only);
//! - `flipped_samples`: a contact sheet of the samples the candidate broke and fixed (image
//!   folders only, [`flipped_samples`]).

use std::path::Path;

use modelci_eval::Evaluation;
use modelci_gate::GateResult;
use modelci_metrics::pair::Flip;
use modelci_report::contact::MAX_TILES_PER_GROUP;
use modelci_report::{
    Chart, ContactSheet, DeltaBars, HeatMap, ReportError, Thumbnail, Tile, TileGroup, ValueFormat,
};

pub use modelci_report::ChartFile;

/// The charts for `evaluation`, in report order (not rendered yet); `gates` are drawn on the
/// main chart.
#[must_use]
pub fn build(evaluation: &Evaluation, gates: &[GateResult]) -> Vec<(&'static str, Chart)> {
    let [baseline, candidate, ..] = evaluation.models.as_slice() else {
        return Vec::new();
    };
    let mut charts = Vec::new();
    match (&baseline.classification, &candidate.classification) {
        (Some(b), Some(c)) => {
            let mut metrics = vec![("accuracy", "Accuracy".to_owned(), b.accuracy, c.accuracy)];
            if let (Some(bt), Some(ct)) = (b.top_k, c.top_k) {
                metrics.push((
                    "top_k_accuracy",
                    format!("Top-{} accuracy", bt.k),
                    bt.accuracy,
                    ct.accuracy,
                ));
            }
            metrics.extend([
                ("macro_f1", "Macro F1".to_owned(), b.macro_f1, c.macro_f1),
                (
                    "weighted_f1",
                    "Weighted F1".to_owned(),
                    b.weighted_f1,
                    c.weighted_f1,
                ),
            ]);
            charts.push((
                "metrics",
                main_chart(
                    "Change vs baseline (candidate - baseline), percentage points",
                    "Δ (pp)",
                    &metrics,
                    gates,
                    ValueFormat::Points { places: 2 },
                ),
            ));
            charts.push((
                "per_class_f1",
                Chart::from(DeltaBars {
                    title: "Change in F1 per class (candidate - baseline)".into(),
                    y_label: "Δ F1".into(),
                    categories: evaluation.class_names.clone(),
                    // Undefined for a class absent from the test set and never predicted.
                    values: b
                        .per_class
                        .iter()
                        .zip(&c.per_class)
                        .map(|(b, c)| {
                            if b.f1_defined() && c.f1_defined() {
                                c.f1 - b.f1
                            } else {
                                f64::NAN
                            }
                        })
                        .collect(),
                    value_format: ValueFormat::Decimal { places: 3 },
                    limits: Vec::new(),
                }),
            ));
            for (name, who, matrix) in [
                ("confusion_baseline", "baseline", &b.confusion),
                ("confusion_candidate", "candidate", &c.confusion),
            ] {
                #[allow(clippy::cast_precision_loss)]
                let values = matrix
                    .iter()
                    .map(|row| row.iter().map(|&v| v as f64).collect())
                    .collect();
                charts.push((
                    name,
                    Chart::from(HeatMap {
                        title: format!("Confusion matrix: {who}"),
                        row_labels: evaluation.class_names.clone(),
                        col_labels: evaluation.class_names.clone(),
                        values,
                        x_label: "predicted".into(),
                        y_label: "actual".into(),
                    }),
                ));
            }
        }
        _ => {
            if let (Some(b), Some(c)) = (&baseline.regression, &candidate.regression) {
                let metrics = [
                    ("mae", "MAE".to_owned(), b.mae, c.mae),
                    ("rmse", "RMSE".to_owned(), b.rmse, c.rmse),
                ];
                charts.push((
                    "metrics",
                    main_chart(
                        "Change in errors vs baseline (candidate - baseline, lower is better)",
                        "Δ error",
                        &metrics,
                        gates,
                        ValueFormat::Decimal { places: 3 },
                    ),
                ));
            }
        }
    }
    charts
}

/// The main chart: the change of each metric, not the two values side by side.
///
/// Why a delta chart and not baseline and candidate bars: on a 0-100% axis a gate-failing drop
/// from 93.5% to 92.5% is two bars of the same height, and a zoomed axis makes bar lengths lie
/// about ratios (a 1 pt drop looks like half the bar). The change is what the reviewer decides
/// on and what the gates judge, so it gets the axis (always through zero, fitted to the
/// changes), and each gate's limit is drawn in the same unit: the dashed line a bar must not
/// cross, with the band it allows shaded. The absolute values stay in the table above the
/// chart.
fn main_chart(
    title: &str,
    y_label: &str,
    metrics: &[(&str, String, f64, f64)],
    gates: &[GateResult],
    value_format: ValueFormat,
) -> Chart {
    Chart::from(DeltaBars {
        title: title.into(),
        y_label: y_label.into(),
        categories: metrics.iter().map(|m| m.1.clone()).collect(),
        values: metrics.iter().map(|m| m.3 - m.2).collect(),
        value_format,
        limits: metrics
            .iter()
            .map(|(name, _, baseline, _)| limit(name, *baseline, gates))
            .collect(),
    })
}

/// The tightest gate on `metric`, as a change from `baseline`: the bound of a `>=` gate that
/// is highest, or of a `<=` gate that is lowest (floors and ceilings included, since they too
/// are a line the candidate must not cross).
fn limit(metric: &str, baseline: f64, gates: &[GateResult]) -> Option<f64> {
    let on = || gates.iter().filter(|g| g.metric == metric);
    let at_least = on()
        .filter(|g| g.comparison == ">=")
        .map(|g| g.bound - baseline)
        .filter(|d| d.is_finite())
        .reduce(f64::max);
    let at_most = on()
        .filter(|g| g.comparison == "<=")
        .map(|g| g.bound - baseline)
        .filter(|d| d.is_finite())
        .reduce(f64::min);
    at_least.or(at_most)
}

/// A sample's picture by id, decoded to 8-bit RGB: `(width, height, pixels)`; `None` when
/// the sample has none (the dataset is not an image folder, or the file is gone).
pub type Pictures<'a> = dyn Fn(&str) -> Option<(u32, u32, Vec<u8>)> + 'a;

/// The contact sheet of flipped samples: up to [`MAX_TILES_PER_GROUP`] the candidate broke
/// and as many it fixed, each with its picture, true label and both predictions.
///
/// Which samples: the first ones in dataset order (the order the evaluation kept them in), so
/// the same data always shows the same tiles. `picture` gives a sample's picture by id (from
/// the dataset). `None` when no sample has a picture (not an image folder) or nothing
/// flipped. A picture that cannot be read again leaves its tile empty, with its caption.
#[must_use]
pub fn flipped_samples(
    evaluation: &Evaluation,
    picture: &Pictures<'_>,
) -> Option<(&'static str, Chart)> {
    let pair = evaluation.pair.as_ref()?;
    if pair.regressed + pair.improved == 0 {
        return None;
    }
    let name = |class: usize| {
        evaluation
            .class_names
            .get(class)
            .map_or_else(|| class.to_string(), Clone::clone)
    };
    let mut any_picture = false;
    let mut group = |title: &str, total: u64, flips: &[Flip]| {
        let tiles: Vec<Tile> = flips
            .iter()
            .take(MAX_TILES_PER_GROUP)
            .map(|f| {
                let image =
                    picture(&f.id).map(|(width, height, rgb)| Thumbnail { width, height, rgb });
                any_picture |= image.is_some();
                Tile {
                    id: f.id.clone(),
                    lines: vec![
                        format!("true: {}", name(f.truth)),
                        format!("baseline: {}", name(f.baseline)),
                        format!("candidate: {}", name(f.candidate)),
                    ],
                    image,
                }
            })
            .collect();
        let shown = if total as usize > tiles.len() {
            format!(" (first {} of {total})", tiles.len())
        } else {
            format!(" ({total})")
        };
        TileGroup {
            title: format!("{title}{shown}"),
            tiles,
        }
    };
    let groups = vec![
        group(
            "Broken by the candidate (baseline right, candidate wrong)",
            pair.regressed,
            &pair.regressed_samples,
        ),
        group(
            "Fixed by the candidate (baseline wrong, candidate right)",
            pair.improved,
            &pair.improved_samples,
        ),
    ];
    any_picture.then(|| {
        (
            "flipped_samples",
            Chart::from(ContactSheet {
                title: "Samples the candidate broke and fixed".into(),
                groups,
            }),
        )
    })
}

/// Renders every chart as PNG and SVG into `dir`.
///
/// # Errors
/// [`ReportError`] naming the file that could not be drawn or written.
pub fn render_all(
    charts: Vec<(&'static str, Chart)>,
    dir: &Path,
) -> Result<Vec<ChartFile>, ReportError> {
    modelci_report::envelope::render_files(charts, dir)
}
