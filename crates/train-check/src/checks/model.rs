//! Model checks: what the ONNX file is and how it behaves, before anyone deploys it.
//!
//! - the signature against `--signature` ([`super::signature`]);
//! - smoke inference on a zero input, a random batch and, with `--dataset`, every real sample:
//!   every float output must be finite (a model that produces NaN is bad input, exit 2, as
//!   issue 4 asks), and outputs that are probabilities must sum to 1 per row;
//! - file size, parameter count and latency (p50/p95 at batch 1 and at `--batch-size`), held
//!   to the budgets.
//!
//! An output counts as probabilities when its name says so (`prob`, `softmax`) or when its
//! values on the zero input already lie in [0, 1] and sum to 1 per row; then every row of every
//! smoke input must sum to 1 within [`SUM_TOLERANCE`].

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use modelci_cli::flags::ModelSettings;
use modelci_eval::engine::OutputData;
use modelci_eval::evaluate::evaluate;
use modelci_eval::{Dataset, EvaluationOptions, InputLayout, Model, ModelEvaluation, OutputTensor};
use modelci_metrics::LatencySummary;
use modelci_report::markdown::fmt_bytes;
use serde::Serialize;

use super::budget::Budgets;
use super::{Check, Group, Status, num};

/// How far a row of probabilities may sum from 1 (float32 rounding over a few classes).
pub const SUM_TOLERANCE: f64 = 1e-3;

/// Seed of the random smoke input, so that runs are reproducible.
pub const RANDOM_SEED: u64 = 4;

/// What the model checks need besides the model.
#[derive(Debug, Clone)]
pub struct ModelOptions<'a> {
    /// The budgets.
    pub budgets: &'a Budgets,
    /// The batch size measured besides 1.
    pub batch_size: usize,
    /// Timed runs per batch size.
    pub latency_runs: usize,
    /// Real data to run, if any.
    pub dataset: Option<&'a Path>,
    /// How the model runs on data (`--layout`, `--image-size`, preprocessing, labels).
    pub settings: &'a ModelSettings,
    /// No progress output.
    pub quiet: bool,
}

/// The figures behind the model checks, for `report.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ModelFacts {
    /// The model file.
    pub path: std::path::PathBuf,
    /// Its size in bytes.
    pub file_size: u64,
    /// Its declared signature and parameter count.
    pub signature: modelci_eval::ModelSignature,
    /// The input shape fed per sample (batch axis excluded).
    pub input_shape: Vec<usize>,
    /// Latency at batch 1 and at the chosen batch size.
    pub latency: Vec<LatencySummary>,
    /// The evaluation on `--dataset`, when given.
    pub dataset: Option<ModelEvaluation>,
}

/// Runs the smoke inference and measurements on `model`, returning one check per finding.
///
/// # Errors
/// A message naming the model when its input shape cannot be derived, inference fails, an
/// output is not finite, or the dataset cannot be read or fed to it.
pub fn check(
    model: &mut Model,
    options: &ModelOptions<'_>,
) -> anyhow::Result<(Vec<Check>, ModelFacts)> {
    let path = model.path().to_owned();
    let signature = model.signature().clone();
    let layout = InputLayout::derive(&signature.inputs[0], options.settings.layout)
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let mut checks = Vec::new();
    let mut rng = fastrand::Rng::with_seed(RANDOM_SEED);
    let batch = options.batch_size.max(1);

    // Smoke inference: zero, random, real.
    let zero_shape = layout.batch_shape(1);
    let zero = run(
        model,
        &zero_shape,
        &vec![0.0; layout.sample_len()],
        "the zero input",
    )?;
    let random_shape = layout.batch_shape(batch);
    let random_input: Vec<f32> = (0..layout.sample_len() * batch)
        .map(|_| rng.f32())
        .collect();
    let random = run(
        model,
        &random_shape,
        &random_input,
        &format!("a random batch of {batch}"),
    )?;
    let dataset = match options.dataset {
        Some(data) => Some(run_dataset(model, data, options.settings, options.quiet)?),
        None => None,
    };
    let mut fed = vec!["zero input".to_owned(), format!("random batch of {batch}")];
    if let Some(ev) = &dataset {
        fed.push(format!("{} real samples", count_samples(ev)));
    }
    checks.push(Check::new(
        Group::Model,
        "outputs finite",
        Status::Pass,
        format!("all finite on {}", fed.join(", ")),
        "no NaN or inf",
    ));
    checks.extend(probability_checks(&zero, &random));
    if let Some(ev) = &dataset {
        checks.push(dataset_row(ev, options.dataset.unwrap_or(Path::new(""))));
    }

    // Size and parameters.
    let size = model.file_size();
    #[allow(clippy::cast_precision_loss)]
    checks.push(budget_row(
        "file size",
        "bytes",
        size as f64,
        format!("{} ({size} bytes)", fmt_bytes(size)),
        options.budgets.max_size.as_ref(),
    ));
    #[allow(clippy::cast_precision_loss)]
    checks.push(budget_row(
        "parameters",
        "",
        signature.parameters as f64,
        signature.parameters.to_string(),
        options.budgets.max_params.as_ref(),
    ));

    // Latency.
    let mut latency = Vec::new();
    let mut sizes = vec![1];
    if batch != 1 {
        sizes.push(batch);
    }
    for b in sizes {
        let shape = layout.batch_shape(b);
        let input: Vec<f32> = (0..layout.sample_len() * b).map(|_| rng.f32()).collect();
        let summary = time_runs(model, &shape, &input, options.latency_runs)?;
        let measured = format!(
            "p50 {} ms, p95 {} ms",
            num(summary.p50_ms),
            num(summary.p95_ms)
        );
        let name = format!("latency, batch {b}");
        checks.push(if b == 1 {
            budget_row(
                &name,
                "ms",
                summary.p95_ms,
                measured,
                options.budgets.max_latency_ms.as_ref(),
            )
            .with_limit_prefix("p95 ")
        } else {
            Check::new(Group::Budget, name, Status::Info, measured, "")
        });
        latency.push(summary);
    }

    Ok((
        checks,
        ModelFacts {
            path,
            file_size: size,
            signature,
            input_shape: layout.sample_shape.clone(),
            latency,
            dataset,
        },
    ))
}

fn run(
    model: &mut Model,
    shape: &[usize],
    data: &[f32],
    what: &str,
) -> anyhow::Result<Vec<OutputTensor>> {
    let outputs = model
        .run(shape, data)
        .with_context(|| format!("smoke inference on {what}"))?;
    for output in &outputs {
        if let OutputData::F32(values) = &output.data
            && let Some(bad) = values.iter().find(|v| !v.is_finite())
        {
            let kind = if bad.is_nan() {
                "NaN"
            } else {
                "an infinite value"
            };
            bail!(
                "{}: the model produced {kind} in output `{}` on {what}; every output must be finite",
                model.path().display(),
                output.name
            );
        }
    }
    Ok(outputs)
}

fn run_dataset(
    model: &mut Model,
    data: &Path,
    settings: &ModelSettings,
    quiet: bool,
) -> anyhow::Result<ModelEvaluation> {
    let mut dataset = Dataset::open(data, &settings.dataset)?;
    let mut progress = modelci_cli::Progress::new("train-check", Some(dataset.len() as u64), quiet);
    let options = EvaluationOptions {
        bootstrap: 0,
        ..settings.evaluation_options()
    };
    let evaluation = evaluate(
        std::slice::from_mut(model),
        &mut dataset,
        &options,
        &mut |n| {
            progress.advance(n as u64);
        },
    )?;
    progress.finish();
    evaluation
        .models
        .into_iter()
        .next()
        .context("the evaluation returned no model")
}

fn count_samples(ev: &ModelEvaluation) -> u64 {
    ev.classification
        .as_ref()
        .map(|c| c.samples)
        .or_else(|| ev.regression.as_ref().map(|r| r.samples))
        .unwrap_or(0)
}

fn dataset_row(ev: &ModelEvaluation, data: &Path) -> Check {
    let measured = match (&ev.classification, &ev.regression) {
        (Some(c), _) => format!(
            "accuracy {}, macro F1 {}",
            modelci_report::markdown::fmt_pct(c.accuracy, 2),
            num(c.macro_f1)
        ),
        (None, Some(r)) => format!("MAE {}, RMSE {}", num(r.mae), num(r.rmse)),
        (None, None) => "no metric".to_owned(),
    };
    let name = data.file_name().map_or_else(
        || data.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Check::new(
        Group::Model,
        format!("real data: {name}"),
        Status::Info,
        measured,
        "",
    )
}

/// One check per output that holds probabilities; an info row when none does.
fn probability_checks(zero: &[OutputTensor], random: &[OutputTensor]) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut others = Vec::new();
    for (z, r) in zero.iter().zip(random) {
        let (OutputData::F32(zv), OutputData::F32(rv)) = (&z.data, &r.data) else {
            continue;
        };
        let [_, classes] = z.shape[..] else {
            continue;
        };
        if classes < 2 {
            continue;
        }
        let lower = z.name.to_ascii_lowercase();
        let named = lower.contains("prob") || lower.contains("softmax");
        let looks = zv.iter().all(|v| (0.0..=1.0).contains(v))
            && worst_sum_error(zv, classes) <= SUM_TOLERANCE;
        if !(named || looks) {
            others.push(z.name.clone());
            continue;
        }
        let worst = worst_sum_error(zv, classes).max(worst_sum_error(rv, classes));
        checks.push(Check::new(
            Group::Model,
            format!("probabilities sum to 1: {}", z.name),
            Status::from_bool(worst <= SUM_TOLERANCE),
            format!("largest |sum - 1| = {}", num(worst)),
            format!("≤ {SUM_TOLERANCE}"),
        ));
    }
    if checks.is_empty() {
        let measured = if others.is_empty() {
            "no [N, classes] float output".to_owned()
        } else {
            format!("none; {} look like scores (logits)", others.join(", "))
        };
        checks.push(Check::new(
            Group::Model,
            "softmax outputs",
            Status::Info,
            measured,
            "",
        ));
    }
    checks
}

fn worst_sum_error(values: &[f32], classes: usize) -> f64 {
    values
        .chunks(classes)
        .map(|row| (row.iter().map(|&v| f64::from(v)).sum::<f64>() - 1.0).abs())
        .fold(0.0, f64::max)
}

fn time_runs(
    model: &mut Model,
    shape: &[usize],
    input: &[f32],
    runs: usize,
) -> anyhow::Result<LatencySummary> {
    model.prepare(shape)?;
    model.run(shape, input)?; // warm-up: first-run allocations are not latency
    let mut durations: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        model.run(shape, input)?;
        durations.push(start.elapsed());
    }
    LatencySummary::from_batches(shape[0] as u64, &durations).context("no latency measured")
}

fn budget_row(
    name: &str,
    unit: &str,
    value: f64,
    measured: String,
    limit: Option<&super::budget::Limit>,
) -> Check {
    match limit {
        Some(l) => Check::new(
            Group::Budget,
            name,
            Status::from_bool(value <= l.value),
            measured,
            if l.text.chars().any(char::is_alphabetic) || unit.is_empty() {
                format!("≤ {}", l.text)
            } else {
                format!("≤ {} {unit}", l.text)
            },
        ),
        None => Check::new(Group::Budget, name, Status::Info, measured, ""),
    }
}

impl Check {
    fn with_limit_prefix(mut self, prefix: &str) -> Self {
        if !self.limit.is_empty() {
            self.limit = format!("{prefix}{}", self.limit);
        }
        self
    }
}
