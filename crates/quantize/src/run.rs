//! One quantize run, from arguments to exit status.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use modelci_cli::{ExitStatus, Failure, Progress, Session};
use modelci_quantize::{Mode, Options, Outcome};
use modelci_report::ToolName;
use modelci_report::envelope::{Document, Verdict};

use crate::args::{Args, CalibrationMethod};
use crate::calibrate;
use crate::feed::Origin;
use crate::report::{self, CalibrationInfo, DatasetComparison, FileInfo, Gate, Report};
use crate::verify::{self, Inputs};

/// Runs quantize: rewrite, write, verify, judge the gates, report.
///
/// # Errors
/// A [`Failure`] with exit code 2 for bad input: unreadable or non-ONNX models, an opset too
/// old for the mode that cannot be raised, external data outside the model's folder,
/// calibration data that does not fit the model's inputs, output equal to input without
/// `--in-place`, malformed flags, an unwritable output folder.
pub fn run(args: &Args) -> Result<ExitStatus, Failure> {
    let mode = Mode::from(args.mode);
    let min_reduction = args
        .min_size_reduction
        .as_deref()
        .map(parse_reduction)
        .transpose()
        .map_err(Failure::bad_input)?;
    check_flags(args, mode).map_err(Failure::bad_input)?;
    check_paths(args).map_err(Failure::bad_input)?;
    let settings = args.running.settings().map_err(Failure::bad_input)?;
    // `--engine`: verification, calibration and the dataset comparison all run in it.
    let engine = settings.resolve_engine().map_err(Failure::bad_input)?;
    let mut session = Session::start("quantize", &args.output_args)?;

    let file_size = std::fs::metadata(&args.input)
        .with_context(|| format!("{}: cannot read", args.input.display()))
        .map_err(Failure::bad_input)?
        .len();
    let model = modelci_onnx::read(&args.input).map_err(Failure::bad_input)?;
    // With external data the weights live beside the file: count the model with them inline
    // (for a self-contained file, re-encoding gives exactly its bytes).
    let input_size = file_size.max(modelci_onnx::encode(&model).len() as u64);
    // Before anything is written: the data must fit the model (one line, exit 2).
    if let Some(data) = &args.calibration_data {
        verify::check_calibration_data(&args.input, data, &settings, &engine)
            .map_err(Failure::bad_input)?;
    }
    if let Some(dataset) = &args.dataset {
        // The comparison must be able to read the model's predictions on this data (a model
        // that is not a classifier fails here, exit 2).
        verify::check_dataset(&args.input, dataset, &settings, &engine)
            .map_err(Failure::bad_input)?;
    }
    let mut calibration_info = None;
    let calibration = if mode == Mode::Static {
        let method = match args.calibration {
            CalibrationMethod::Percentile => calibrate::Method::Percentile(args.percentile),
            CalibrationMethod::Minmax => calibrate::Method::MinMax,
        };
        let data = calibration_source(args).ok_or_else(|| {
            Failure::bad_input(anyhow!(
                "--mode static needs --calibration-data or --dataset"
            ))
        })?;
        let (calibration, samples) = calibrate::calibrate(
            &model,
            &args.exclude,
            data,
            &settings,
            &args.output_args.output_dir,
            method,
            &engine,
        )
        .context("static calibration")
        .map_err(Failure::bad_input)?;
        calibration_info = Some(CalibrationInfo {
            path: data.0.to_owned(),
            source: data.1.name(),
            samples,
            method: args.calibration.name().to_owned(),
        });
        Some(calibration)
    } else {
        None
    };
    let options = Options {
        mode,
        per_channel: args.per_channel,
        exclude: args.exclude.clone(),
        calibration,
    };
    let outcome = modelci_quantize::quantize(model, &options)
        .map_err(|e| Failure::bad_input(anyhow!("{}: {e}", args.input.display())))?;
    let bytes = modelci_onnx::encode(&outcome.model);
    let output_size = bytes.len() as u64;
    let nothing = outcome.is_unchanged();
    let mut report = Report {
        passed: true,
        verified: false,
        summary: String::new(),
        mode: mode.name(),
        per_channel: args.per_channel,
        input: FileInfo {
            path: args.input.clone(),
            size: input_size,
        },
        output: FileInfo {
            path: args.output.clone(),
            size: output_size,
        },
        output_written: false,
        nothing_to_quantize: nothing.then(|| nothing_reason(&outcome)),
        #[allow(clippy::cast_precision_loss)]
        size_reduction: input_size as f64 / output_size.max(1) as f64,
        constants_folded: outcome.normalized.constants_folded,
        opsets_deduplicated: outcome.normalized.opsets_deduplicated,
        opset_upgrade: outcome.opset_upgrade,
        quantized: outcome.changes.clone(),
        skipped: outcome.skipped.clone(),
        calibration: calibration_info,
        probe: None,
        dataset: None,
        gates: Vec::new(),
        notes: Vec::new(),
        warnings: Vec::new(),
        charts: Vec::new(),
        metrics: std::collections::BTreeMap::new(),
    };

    let larger = output_size > input_size || (output_size == input_size && !nothing);
    if !nothing {
        report.gates.push(Gate {
            name: "output smaller than input".into(),
            passed: !larger || args.force,
            measured: format!(
                "{output_size} bytes vs {input_size} bytes{}",
                if larger && args.force {
                    " (--force)"
                } else {
                    ""
                }
            ),
        });
    }
    if larger && !args.force && !nothing {
        report.summary = format!(
            "the quantized model would be larger than the input ({output_size} vs {input_size} bytes); not written (use --force to write it anyway)"
        );
        report.passed = false;
        return finish(report, args, &mut session, ExitStatus::GateFailed);
    }

    // In place: keep the original for the comparison before replacing it.
    let kept_original = if args.in_place && same_file(&args.input, &args.output) {
        let copy = tempfile::Builder::new()
            .prefix(".quantize-original-")
            .suffix(".onnx")
            .tempfile_in(&args.output_args.output_dir)
            .context("keeping a copy of the original")
            .map_err(Failure::bad_input)?;
        std::fs::copy(&args.input, copy.path())
            .context("keeping a copy of the original")
            .map_err(Failure::bad_input)?;
        Some(copy)
    } else {
        None
    };
    let original: PathBuf = kept_original
        .as_ref()
        .map_or_else(|| args.input.clone(), |c| c.path().to_owned());
    modelci_report::write_atomic(&args.output, &bytes)
        .with_context(|| format!("{}: cannot write the output", args.output.display()))
        .map_err(Failure::bad_input)?;
    report.output_written = true;

    let inputs = match (&args.calibration_data, &args.dataset) {
        (Some(p), _) => Inputs::Data(p, Origin::CalibrationData),
        (None, Some(p)) => Inputs::Data(p, Origin::Dataset),
        (None, None) => Inputs::Generated,
    };
    let verification = verify::verify(
        &original,
        &args.output,
        inputs,
        &settings,
        args.probe_tolerance,
        &engine,
    );
    report.verified = verification.verified;
    if verification.verified || verification.error.is_some() {
        report.gates.push(Gate {
            name: format!(
                "runs in {}, outputs within {} of the original, no NaN/inf",
                verification.engine, args.probe_tolerance
            ),
            passed: verification.passed,
            measured: verification.describe(),
        });
    } else if args.require_verified {
        report.gates.push(Gate {
            name: "verified (--require-verified)".into(),
            passed: false,
            measured: verification.describe(),
        });
    }
    report.probe = Some(verification);

    if let Some(dataset) = &args.dataset {
        let on = Comparing {
            mode,
            original: &original,
            dataset,
            settings: &settings,
            engine: &engine,
        };
        compare_on_dataset(&mut report, args, &on, &mut session).map_err(Failure::bad_input)?;
    }
    if let Some(factor) = min_reduction {
        report.gates.push(Gate {
            name: format!("size reduction >= {factor:.2}x"),
            passed: report.size_reduction + 1e-9 >= factor,
            measured: format!("{:.2}x", report.size_reduction),
        });
    }
    let failed: Vec<&Gate> = report.gates.iter().filter(|g| !g.passed).collect();
    report.passed = failed.is_empty();
    report.summary = summary(&report);
    let status = if report.passed {
        ExitStatus::Success
    } else {
        ExitStatus::GateFailed
    };
    drop(kept_original);
    finish(report, args, &mut session, status)
}

/// Where static mode calibrates: `--calibration-data`, else the `--dataset`.
fn calibration_source(args: &Args) -> Option<(&Path, Origin)> {
    match (&args.calibration_data, &args.dataset) {
        (Some(p), _) => Some((p.as_path(), Origin::CalibrationData)),
        (None, Some(p)) => Some((p.as_path(), Origin::Dataset)),
        (None, None) => None,
    }
}

/// What the dataset comparison runs.
struct Comparing<'a> {
    mode: Mode,
    original: &'a Path,
    dataset: &'a Path,
    settings: &'a modelci_cli::flags::ModelSettings,
    engine: &'a modelci_eval::Engine,
}

/// Evaluates both models on the dataset, at batch 1 for dynamic int8 unless `--batch-size`
/// was given (its activation scales are computed over the whole batch, so accuracy depends on
/// the batch; serving usually sends one request at a time); with a given batch size, the
/// quantized model is evaluated at batch 1 too and a difference is warned about.
fn compare_on_dataset(
    report: &mut Report,
    args: &Args,
    on: &Comparing<'_>,
    session: &mut Session,
) -> anyhow::Result<()> {
    let Comparing {
        mode,
        original,
        dataset,
        settings,
        engine,
    } = *on;
    let dynamic = mode == Mode::Dynamic && report.nothing_to_quantize.is_none();
    let batch = if dynamic && !args.batch_size_given {
        report.notes.push(
            "Accuracy measured at batch size 1: dynamic int8 computes each activation scale over the whole batch, so its results depend on the batch, and serving usually sends one request at a time (give --batch-size to measure at another; the original's accuracy does not depend on it).".to_owned(),
        );
        1
    } else {
        settings.batch_size
    };
    let mut progress = Progress::new("quantize", None, args.output_args.quiet);
    let evaluation = verify::evaluate(
        &[original, &args.output],
        dataset,
        settings,
        batch,
        engine,
        &mut |n| progress.advance(n as u64),
    )?;
    progress.finish();
    let mut comparison = DatasetComparison::of(&evaluation, dataset);
    comparison.batch_size = batch;
    if dynamic && batch != 1 {
        let single = verify::evaluate(&[&args.output], dataset, settings, 1, engine, &mut |_| {})?;
        let at_one = single
            .models
            .first()
            .and_then(|m| m.classification.as_ref())
            .map(|c| c.accuracy);
        comparison.accuracy_quantized_batch1 = at_one;
        if let (Some(a), Some(b)) = (at_one, comparison.accuracy_quantized)
            && (a - b).abs() > 1e-12
        {
            let warning = format!(
                "dynamic int8 accuracy depends on the batch: {:.2}% at batch 1, {:.2}% at batch {batch} (--batch-size); serving one request at a time sees the batch-1 number",
                a * 100.0,
                b * 100.0
            );
            session.warn(&warning);
            report.warnings.push(warning);
        }
    }
    if let Some(max_drop) = args.max_accuracy_drop {
        let drop = comparison.accuracy_delta_pt.map(|d| -d);
        report.gates.push(Gate {
            name: format!("accuracy drop <= {max_drop} pt"),
            passed: drop.is_some_and(|d| d <= max_drop + 1e-9),
            measured: comparison
                .accuracy_delta_pt
                .map_or("no accuracy (not a classifier)".into(), |d| {
                    format!("accuracy {d:+.2} pt at batch {batch}")
                }),
        });
    }
    if let Some(ratio) = comparison.latency_ratio.filter(|r| *r > 1.0) {
        report.notes.push(format!(
            "Latency: {name} ran the quantized model {ratio:.2}x slower than the original. {name} has no fast kernels for every quantized operator here, so this says little about speed in a runtime with int8 kernels for it (onnxruntime, OpenVINO, TensorRT): measure there before judging speed.",
            name = engine.kind().name()
        ));
    }
    report.dataset = Some(comparison);
    Ok(())
}

/// The one-line summary: what was done, the size, the accuracy, verified or not.
fn summary(report: &Report) -> String {
    let failed: Vec<String> = report
        .gates
        .iter()
        .filter(|g| !g.passed)
        .map(|g| format!("{} (measured {})", g.name, g.measured))
        .collect();
    let what = match &report.nothing_to_quantize {
        Some(reason) => format!(
            "nothing to quantize ({}): {reason}; the normalised model was written to --output",
            report.mode
        ),
        None => format!(
            "{}: {} node(s) rewritten, {} left as they were, {:.2}x smaller",
            report.mode,
            report.quantized.len(),
            report.skipped.len(),
            report.size_reduction
        ),
    };
    let accuracy = report
        .dataset
        .as_ref()
        .and_then(|d| d.accuracy_delta_pt.map(|a| (a, d.batch_size)))
        .map_or(String::new(), |(d, b)| {
            format!(", accuracy {d:+.2} pt (batch {b})")
        });
    let verified = match &report.probe {
        Some(v) if v.verified => format!(", verified in {} on {} sample(s)", v.engine, v.samples),
        Some(v) => format!(", {}", v.describe()),
        None => String::new(),
    };
    let forced = if report.nothing_to_quantize.is_none()
        && report.output_written
        && report.output.size >= report.input.size
    {
        " (larger than the input, written with --force)"
    } else {
        ""
    };
    let mut line = format!("{what}{forced}{accuracy}{verified}");
    if !failed.is_empty() {
        line = format!("FAILED: {}; {line}", failed.join("; "));
    }
    line
}

fn check_flags(args: &Args, mode: Mode) -> anyhow::Result<()> {
    if args.max_accuracy_drop.is_some() && args.dataset.is_none() {
        return Err(anyhow!(
            "--max-accuracy-drop needs --dataset (the data to measure accuracy on)"
        ));
    }
    if args
        .max_accuracy_drop
        .is_some_and(|d| !d.is_finite() || d < 0.0)
    {
        return Err(anyhow!(
            "--max-accuracy-drop must be a non-negative number of percentage points"
        ));
    }
    if mode == Mode::Static && args.dataset.is_none() && args.calibration_data.is_none() {
        return Err(anyhow!(
            "--mode static needs --calibration-data (raw model inputs) or --dataset (the calibration data for the activation ranges)"
        ));
    }
    if mode != Mode::Static && args.calibration_data.is_some() {
        return Err(anyhow!(
            "--calibration-data is only used by --mode static (mode here: {})",
            mode.name()
        ));
    }
    if !(50.0..=100.0).contains(&args.percentile) {
        return Err(anyhow!(
            "--percentile {}: expected a value between 50 and 100, e.g. 99.99",
            args.percentile
        ));
    }
    Ok(())
}

/// Renders and writes the report, prints the summary and delivers.
fn finish(
    mut report: Report,
    args: &Args,
    session: &mut Session,
    status: ExitStatus,
) -> Result<ExitStatus, Failure> {
    let dir = &args.output_args.output_dir;
    report.metrics = report.quantized_metrics();
    report.charts = report::render(report::charts(&report), dir)
        .context("rendering the charts")
        .map_err(Failure::bad_input)?;
    let mut envelope = session.envelope(
        ToolName::Quantize,
        env!("CARGO_PKG_VERSION"),
        Verdict {
            passed: report.passed,
            summary: report.summary.clone(),
            gates: report.gates.len(),
            failed: report.gates.iter().filter(|g| !g.passed).count(),
        },
    );
    envelope.metrics.clone_from(&report.metrics);
    envelope.charts.clone_from(&report.charts);
    let document = Document {
        envelope,
        body: &report,
    };
    let json = serde_json::to_string_pretty(&document)
        .context("encoding report.json")
        .map_err(Failure::bad_input)?;
    let markdown = report::markdown(&report);
    let md_path = dir.join("report.md");
    modelci_report::write_atomic(&dir.join("report.json"), json.as_bytes())
        .map_err(Failure::bad_input)?;
    modelci_report::write_atomic(&md_path, markdown.as_bytes()).map_err(Failure::bad_input)?;
    print_summary(&report, &md_path).map_err(Failure::bad_input)?;
    session.finish(
        &crate::deliver::post_report(&report, markdown, dir),
        &args.posting,
        status,
    )
}

/// Standard output: the one-line summary, then where the output and the report are; the
/// gates and the per-node list are in the report.
fn print_summary(report: &Report, md: &Path) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    // Paths and the summary carry file names from data: one sanitised line each.
    let line = |text: String| modelci_cli::sanitize(&text);
    writeln!(out, "quantize: {}", line(report.summary.clone()))?;
    if report.output_written {
        writeln!(
            out,
            "output: {}",
            line(report.output.path.display().to_string())
        )?;
    }
    writeln!(out, "report: {}", line(md.display().to_string()))?;
    Ok(())
}

fn nothing_reason(outcome: &Outcome) -> String {
    if outcome.skipped.is_empty() {
        return "the model has no MatMul, Gemm or Conv with a constant fp32 weight".into();
    }
    format!(
        "{} candidate(s), all left as they were",
        outcome.skipped.len()
    )
}

/// `3`, `3x` (factor) or `66%` (share saved) → factor.
fn parse_reduction(text: &str) -> anyhow::Result<f64> {
    let bad =
        || anyhow!("--min-size-reduction {text}: expected a factor (3, 3x) or a share saved (66%)");
    let t = text.trim();
    let factor = if let Some(p) = t.strip_suffix('%') {
        let saved: f64 = p.trim().parse().map_err(|_| bad())?;
        if !(0.0..100.0).contains(&saved) {
            return Err(bad());
        }
        100.0 / (100.0 - saved)
    } else {
        t.trim_end_matches(['x', 'X'])
            .trim()
            .parse()
            .map_err(|_| bad())?
    };
    if !factor.is_finite() || factor <= 0.0 {
        return Err(bad());
    }
    Ok(factor)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn check_paths(args: &Args) -> anyhow::Result<()> {
    if !args.input.is_file() {
        return Err(anyhow!(
            "{}: {}",
            args.input.display(),
            if args.input.exists() {
                "not a file"
            } else {
                "no such file"
            }
        ));
    }
    if same_file(&args.input, &args.output) && !args.in_place {
        return Err(anyhow!(
            "{}: --output is the input file; refusing to overwrite it (add --in-place to replace it)",
            args.output.display()
        ));
    }
    if args.output.is_dir() {
        return Err(anyhow!(
            "{}: --output is a folder, not a file",
            args.output.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::parse_reduction;

    #[test]
    fn size_reduction_accepts_factors_and_shares() {
        assert_eq!(parse_reduction("3").unwrap(), 3.0);
        assert_eq!(parse_reduction("3x").unwrap(), 3.0);
        assert!((parse_reduction("75%").unwrap() - 4.0).abs() < 1e-12);
        assert!(parse_reduction("100%").is_err());
        assert!(parse_reduction("fast").is_err());
    }
}
