//! Sample charts shared by the tests and the `samples` example, shaped like real reports.

use modelci_report::{
    Chart, DeltaBars, GroupedBars, HeatMap, LineChart, Series, ValueFormat, XAxis,
};

/// CIFAR-10's classes: realistic label lengths for axis layout.
pub const CLASSES: [&str; 10] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];

/// Baseline vs candidate on three headline metrics.
pub fn metrics() -> Chart {
    Chart::from(GroupedBars {
        title: "Metrics: baseline vs candidate".into(),
        y_label: "score".into(),
        categories: vec!["accuracy".into(), "macro F1".into(), "weighted F1".into()],
        series: vec![
            Series::new("baseline (v1.3.0)", vec![0.912, 0.874, 0.905]),
            Series::new("candidate (PR #42)", vec![0.931, 0.862, 0.928]),
        ],
        y_range: Some((0.0, 1.0)),
        value_format: ValueFormat::Decimal { places: 3 },
    })
}

/// Per-class change in F1, with gains and losses.
pub fn f1_delta() -> Chart {
    let values = vec![
        0.021, 0.004, -0.038, -0.012, 0.015, 0.0, 0.031, -0.006, 0.009, -0.024,
    ];
    Chart::from(DeltaBars {
        title: "Per-class F1 change (candidate − baseline)".into(),
        y_label: "Δ F1".into(),
        categories: CLASSES.iter().map(|c| c.to_string()).collect(),
        values,
        value_format: ValueFormat::Decimal { places: 3 },
        limits: Vec::new(),
    })
}

/// A 10x10 confusion matrix with counts up to ~40.
pub fn confusion() -> Chart {
    let n = CLASSES.len();
    let values = (0..n)
        .map(|r| {
            (0..n)
                .map(|c| {
                    if r == c {
                        (30 + (r * 7) % 12) as f64
                    } else if (r + 2 * c) % 7 == 0 {
                        ((r + c) % 6 + 1) as f64
                    } else if (r * c) % 5 == 1 {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    Chart::from(HeatMap {
        title: "Confusion matrix (candidate)".into(),
        row_labels: CLASSES.iter().map(|c| c.to_string()).collect(),
        col_labels: CLASSES.iter().map(|c| c.to_string()).collect(),
        values,
        x_label: "predicted".into(),
        y_label: "actual".into(),
    })
}

/// Training and validation loss over 20 epochs.
pub fn training() -> Chart {
    let epochs: Vec<f64> = (1..=20).map(f64::from).collect();
    let train = epochs
        .iter()
        .map(|e| 2.2 * (-e / 5.0).exp() + 0.12)
        .collect();
    let val = epochs
        .iter()
        .map(|e| 2.0 * (-e / 6.0).exp() + 0.25 + 0.004 * e)
        .collect();
    Chart::from(LineChart {
        title: "Training curves".into(),
        x_label: "epoch".into(),
        y_label: "loss".into(),
        x: XAxis::Values(epochs),
        series: vec![
            Series::new("train loss", train),
            Series::new("validation loss", val),
        ],
        y_range: None,
        value_format: ValueFormat::Decimal { places: 2 },
    })
}

/// Accuracy across model versions.
pub fn trend() -> Chart {
    Chart::from(LineChart {
        title: "Accuracy across releases".into(),
        x_label: "model version".into(),
        y_label: "accuracy".into(),
        x: XAxis::Categories(
            ["v1.0.0", "v1.1.0", "v1.2.0", "v1.2.1", "v1.3.0", "PR #42"]
                .map(String::from)
                .to_vec(),
        ),
        series: vec![
            Series::new("accuracy", vec![0.872, 0.889, 0.901, 0.899, 0.912, 0.931]),
            Series::new("macro F1", vec![0.851, 0.860, 0.871, 0.869, 0.874, 0.862]),
        ],
        y_range: None,
        value_format: ValueFormat::Percent { places: 1 },
    })
}

/// Every sample with a file stem.
pub fn all() -> Vec<(&'static str, Chart)> {
    vec![
        ("metrics", metrics()),
        ("f1-delta", f1_delta()),
        ("confusion", confusion()),
        ("training", training()),
        ("trend", trend()),
        ("stress-bars", stress_bars()),
        ("stress-delta", stress_delta()),
        ("stress-heatmap", stress_heatmap()),
        ("stress-line", stress_line()),
        ("stress-tiny-heatmap", tiny_heatmap()),
        ("gated-change", gated_change()),
        ("nan-curve", nan_curve()),
    ]
}

/// Issue 18's main chart: a 1 pt accuracy drop against a 0.5 pt tolerance, macro F1 ungated.
pub fn gated_change() -> Chart {
    Chart::from(DeltaBars {
        title: "Change vs baseline (candidate - baseline), percentage points".into(),
        y_label: "Δ (pp)".into(),
        categories: vec!["Accuracy".into(), "Macro F1".into(), "Weighted F1".into()],
        values: vec![-0.01, -0.004, 0.002],
        value_format: ValueFormat::Points { places: 2 },
        limits: vec![Some(-0.005), None, Some(-0.02)],
    })
}

/// A loss that turns NaN for two epochs, then infinite, then finite again.
pub fn nan_curve() -> Chart {
    Chart::from(LineChart {
        title: "Loss per epoch (diverged)".into(),
        x_label: "epoch".into(),
        y_label: "loss".into(),
        x: XAxis::Values((1..=8).map(f64::from).collect()),
        series: vec![
            Series::new(
                "loss",
                vec![0.9, 0.6, f64::NAN, f64::NAN, 0.5, f64::INFINITY, 0.45, 0.4],
            ),
            Series::new("val_loss", vec![1.0, 0.7, 0.65, 0.6, 0.58, 0.55, 0.52, 0.5]),
        ],
        y_range: None,
        value_format: ValueFormat::Decimal { places: 2 },
    })
}

/// Long, hostile labels for stress samples.
fn long_label(i: usize) -> String {
    format!("n0{}-very_long_class_name_{i} <b>|\"x\"", 2_085_620 + i)
}

/// Three series, a missing value, percentages, automatic range.
pub fn stress_bars() -> Chart {
    Chart::from(GroupedBars {
        title: "A very long chart title that goes on and on to check it is truncated rather than clipped at the edges".into(),
        y_label: "share of samples (%)".into(),
        categories: (0..6).map(long_label).collect(),
        series: vec![
            Series::new("baseline", vec![0.5, 0.61, 0.99, 0.02, 0.33, 0.8]),
            Series::new("candidate", vec![0.52, f64::NAN, 1.0, 0.0, 0.35, 0.79]),
            Series::new("a third series with a really long legend name", vec![0.4, 0.7, 0.95, 0.1, 0.3, 0.9]),
        ],
        y_range: None,
        value_format: ValueFormat::Percent { places: 1 },
    })
}

/// Twenty long category names.
pub fn stress_delta() -> Chart {
    Chart::from(DeltaBars {
        title: "Per-class recall change".into(),
        y_label: "Δ recall".into(),
        categories: (0..20).map(long_label).collect(),
        values: (0..20).map(|i| ((i as f64) * 1.7).sin() * 0.08).collect(),
        value_format: ValueFormat::Decimal { places: 2 },
        limits: Vec::new(),
    })
}

/// 20x20 with long labels and counts in the thousands.
pub fn stress_heatmap() -> Chart {
    let n = 20;
    Chart::from(HeatMap {
        title: "Confusion matrix, 20 classes".into(),
        row_labels: (0..n).map(long_label).collect(),
        col_labels: (0..n).map(long_label).collect(),
        values: (0..n)
            .map(|r| {
                (0..n)
                    .map(|c| {
                        if r == c {
                            1200.0 + r as f64 * 37.0
                        } else {
                            ((r * c) % 9) as f64
                        }
                    })
                    .collect()
            })
            .collect(),
        x_label: "predicted".into(),
        y_label: "actual".into(),
    })
}

/// A single point on a categorical axis.
pub fn stress_line() -> Chart {
    Chart::from(LineChart {
        title: "Single release".into(),
        x_label: "version".into(),
        y_label: "latency (ms)".into(),
        x: XAxis::Categories(vec!["v1.0.0".into()]),
        series: vec![
            Series::new("p50", vec![12.5]),
            Series::new("p99", vec![f64::INFINITY]),
        ],
        y_range: None,
        value_format: ValueFormat::Decimal { places: 1 },
    })
}

/// A 2x2 grid of fractions under a long title, with hostile labels and a missing cell.
pub fn tiny_heatmap() -> Chart {
    Chart::from(HeatMap {
        title: "Normalised confusion matrix for the <script> class & friends".into(),
        row_labels: vec!["a\"b".into(), "x\ny".into()],
        col_labels: vec!["<img src=x onerror=alert(1)>".into(), "&".into()],
        values: vec![vec![0.93, 0.07], vec![f64::NAN, 0.5]],
        x_label: "predicted".into(),
        y_label: "actual".into(),
    })
}
