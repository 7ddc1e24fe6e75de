//! The charts of an eval-diff report: what they show, built from an evaluation.
//!
//! - `metrics`: baseline vs candidate bars for the headline metrics;
//! - `per_class_f1`: the change in F1 of every class (classifiers only);
//! - `confusion_baseline`, `confusion_candidate`: confusion matrix heat maps (classifiers only).

use std::path::Path;

use modelci_eval::Evaluation;
use modelci_report::{Chart, DeltaBars, GroupedBars, HeatMap, ReportError, Series, ValueFormat};

pub use modelci_report::ChartFile;

/// The charts for `evaluation`, in report order (not rendered yet).
#[must_use]
pub fn build(evaluation: &Evaluation) -> Vec<(&'static str, Chart)> {
    let [baseline, candidate, ..] = evaluation.models.as_slice() else {
        return Vec::new();
    };
    let mut charts = Vec::new();
    match (&baseline.classification, &candidate.classification) {
        (Some(b), Some(c)) => {
            let mut categories = vec!["Accuracy".to_owned()];
            let mut bv = vec![b.accuracy];
            let mut cv = vec![c.accuracy];
            if let (Some(bt), Some(ct)) = (b.top_k, c.top_k) {
                categories.push(format!("Top-{} accuracy", bt.k));
                bv.push(bt.accuracy);
                cv.push(ct.accuracy);
            }
            categories.extend(["Macro F1".to_owned(), "Weighted F1".to_owned()]);
            bv.extend([b.macro_f1, b.weighted_f1]);
            cv.extend([c.macro_f1, c.weighted_f1]);
            charts.push((
                "metrics",
                Chart::from(GroupedBars {
                    title: "Baseline vs candidate".into(),
                    y_label: "score".into(),
                    categories,
                    series: vec![Series::new("baseline", bv), Series::new("candidate", cv)],
                    y_range: Some((0.0, 1.0)),
                    value_format: ValueFormat::Percent { places: 1 },
                }),
            ));
            charts.push((
                "per_class_f1",
                Chart::from(DeltaBars {
                    title: "Change in F1 per class (candidate - baseline)".into(),
                    y_label: "Δ F1".into(),
                    categories: evaluation.class_names.clone(),
                    values: b
                        .per_class
                        .iter()
                        .zip(&c.per_class)
                        .map(|(b, c)| c.f1 - b.f1)
                        .collect(),
                    value_format: ValueFormat::Decimal { places: 3 },
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
                charts.push((
                    "metrics",
                    Chart::from(GroupedBars {
                        title: "Baseline vs candidate: errors (lower is better)".into(),
                        y_label: "error".into(),
                        categories: vec!["MAE".into(), "RMSE".into()],
                        series: vec![
                            Series::new("baseline", vec![b.mae, b.rmse]),
                            Series::new("candidate", vec![c.mae, c.rmse]),
                        ],
                        y_range: None,
                        value_format: ValueFormat::Decimal { places: 3 },
                    }),
                ));
            }
        }
    }
    charts
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
