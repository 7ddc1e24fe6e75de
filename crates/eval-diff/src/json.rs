//! `report.json`: every figure of the report, for machines (dashboards, later pipeline steps,
//! `publish`'s model card).
//!
//! The shared fields (`$schema`, `schema_version`, `tool`, `verdict`, `metrics` (the
//! candidate's), `charts`, `provenance`) are [`modelci_report::Envelope`]; the schema is
//! `schemas/eval-diff.v1.json`, and fields are only ever added within a version.
//! `baseline.metrics` and `candidate.metrics` map metric names (as gates name them) to numbers;
//! fractions such as `accuracy` are in [0, 1]. With `--history`, `history` lists the last
//! published releases oldest first (`version`, `tag`, `published`, `metrics`, `size`; a metric a
//! release's manifest lacks is absent, never 0), or `history_unavailable` says why it could not
//! be read.

use std::collections::BTreeMap;
use std::path::PathBuf;

use modelci_eval::TextSummary;
use modelci_eval::dataset::DatasetKind;
use modelci_eval::feed::Preprocessing;
use modelci_eval::{Evaluation, ModelEvaluation, ModelSignature, NonFinite, Task};
use modelci_gate::GateResult;
use modelci_metrics::{ClassificationMetrics, LatencySummary, PairMetrics, RegressionMetrics};
use modelci_report::envelope::Verdict;
use modelci_report::{ChartFile, Envelope, ToolName};
use serde::Serialize;

use crate::comparison::{MetricRow, model_values};

/// eval-diff's own fields of `report.json`, beside the shared
/// [`modelci_report::Envelope`] (`$schema`, `tool`, `verdict`, `metrics`, `charts`,
/// `provenance`).
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    /// Classification or regression.
    pub task: Task,
    /// What the models were evaluated on.
    pub dataset: DatasetInfo,
    /// The model to beat.
    pub baseline: ModelReport<'a>,
    /// The new model.
    pub candidate: ModelReport<'a>,
    /// Baseline vs candidate, metric by metric.
    pub comparison: Vec<MetricRow>,
    /// Agreement, flips and significance (classifiers).
    pub pair: Option<&'a PairMetrics>,
    /// The engine (name, version, library, session options), the workers and how latency was
    /// measured.
    pub execution: &'a modelci_eval::Execution,
    /// The candidate in both engines (`--cross-check`; absent when off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_check: Option<&'a modelci_eval::CrossCheck>,
    /// Per-class F1 of both models (classifiers).
    pub per_class: Vec<ClassRow>,
    /// Every gate and its outcome.
    pub gates: &'a [GateResult],
    /// The last published releases, oldest first (`--history`; absent when off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<&'a [crate::history::Release]>,
    /// Why the trend over releases is missing although it was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_unavailable: Option<&'a str>,
    /// The drift reference written with `--reference-stats` (absent when off): `file`
    /// (relative to this report's folder when inside it), `sha256`, `features`, `rows`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_stats: Option<&'a crate::reference_stats::Written>,
}

/// The shared envelope of an eval-diff report: the verdict, the candidate's metrics, the charts
/// and where the run happened.
#[must_use]
pub fn envelope(
    session: &modelci_cli::Session,
    verdict: Verdict,
    candidate: &ModelEvaluation,
    charts: &[ChartFile],
) -> Envelope {
    let mut envelope = session.envelope(ToolName::EvalDiff, env!("CARGO_PKG_VERSION"), verdict);
    envelope.metrics = model_values(candidate)
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
    envelope.charts = charts.to_vec();
    envelope
}

/// The dataset.
#[derive(Debug, Serialize)]
pub struct DatasetInfo {
    /// Its path as given.
    pub path: PathBuf,
    /// Its format.
    pub kind: DatasetKind,
    /// Number of samples evaluated.
    pub samples: u64,
    /// Class names in class-index order.
    pub class_names: Vec<String>,
    /// Content hash of the dataset (the file, or the folder's sorted files).
    pub sha256: String,
    /// Number of files hashed.
    pub files: u64,
    /// How the texts were tokenized (text datasets only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<TextSummary>,
}

/// One model's figures.
#[derive(Debug, Serialize)]
pub struct ModelReport<'a> {
    /// The model file.
    pub path: &'a PathBuf,
    /// Its size in bytes.
    pub file_size: u64,
    /// Declared inputs, outputs, opset, parameter count.
    pub signature: &'a ModelSignature,
    /// The per-sample input shape fed to it (its first input's).
    pub input_shape: &'a [usize],
    /// Every input's per-sample shape, in input order.
    pub input_shapes: &'a [Vec<usize>],
    /// The batch size the model fixes, if any (it was run at that size).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_batch: Option<usize>,
    /// Samples whose outputs held NaN or infinity (left out of its metrics).
    pub non_finite: &'a NonFinite,
    /// Layout, image size, resizing, scale, mean and std it was fed with (absent for inputs
    /// fed by name, which go in as stored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preprocessing: Option<&'a Preprocessing>,
    /// Every measured metric by name.
    pub metrics: BTreeMap<&'static str, f64>,
    /// Full classification metrics (per class, confusion matrix).
    pub classification: Option<&'a ClassificationMetrics>,
    /// Regression metrics.
    pub regression: Option<&'a RegressionMetrics>,
    /// Latency and throughput.
    pub latency: Option<&'a LatencySummary>,
    /// Where the model came from (the baseline only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<&'a modelci_baseline::Provenance>,
}

impl<'a> ModelReport<'a> {
    /// The figures of `model`.
    #[must_use]
    pub fn of(model: &'a ModelEvaluation) -> Self {
        Self {
            path: &model.path,
            file_size: model.file_size,
            signature: &model.signature,
            input_shape: &model.input_shape,
            input_shapes: &model.input_shapes,
            fixed_batch: model.fixed_batch,
            non_finite: &model.non_finite,
            preprocessing: model.preprocessing.as_ref(),
            metrics: model_values(model).into_iter().collect(),
            classification: model.classification.as_ref(),
            regression: model.regression.as_ref(),
            latency: model.latency.as_ref(),
            provenance: None,
        }
    }
}

/// Per-class F1 of both models.
#[derive(Debug, Serialize)]
pub struct ClassRow {
    /// Class name.
    pub class: String,
    /// Samples of this class.
    pub support: u64,
    /// Baseline F1.
    pub baseline_f1: f64,
    /// Candidate F1.
    pub candidate_f1: f64,
    /// Candidate minus baseline.
    pub delta: f64,
}

/// Per-class rows for a classification evaluation (empty otherwise).
#[must_use]
pub fn class_rows(evaluation: &Evaluation) -> Vec<ClassRow> {
    let [baseline, candidate, ..] = evaluation.models.as_slice() else {
        return Vec::new();
    };
    let (Some(b), Some(c)) = (&baseline.classification, &candidate.classification) else {
        return Vec::new();
    };
    evaluation
        .class_names
        .iter()
        .zip(b.per_class.iter().zip(&c.per_class))
        .map(|(name, (b, c))| ClassRow {
            class: name.clone(),
            support: b.support,
            baseline_f1: b.f1,
            candidate_f1: c.f1,
            delta: c.f1 - b.f1,
        })
        .collect()
}
