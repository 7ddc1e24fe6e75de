//! One quantize run, from arguments to exit status.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use modelci_cli::{ExitStatus, Failure, Progress, Session};
use modelci_quantize::{Mode, Options, Outcome};
use modelci_report::ToolName;
use modelci_report::envelope::{Document, Verdict};

use crate::args::Args;
use crate::calibrate;
use crate::inputs;
use crate::report::{self, CalibrationInfo, DatasetComparison, FileInfo, Gate, Report};
use crate::verify;

/// Runs quantize: rewrite, write, verify, judge the gates, report.
///
/// # Errors
/// A [`Failure`] with exit code 2 for bad input: unreadable or non-ONNX models, an opset too
/// old for the mode, external data outside the model's folder, output equal to input without
/// `--in-place`, malformed flags, an unwritable output folder.
pub fn run(args: &Args) -> Result<ExitStatus, Failure> {
    let mode = parse_mode(&args.mode).map_err(Failure::bad_input)?;
    let min_reduction = args
        .min_size_reduction
        .as_deref()
        .map(parse_reduction)
        .transpose()
        .map_err(Failure::bad_input)?;
    if args.max_accuracy_drop.is_some() && args.dataset.is_none() {
        return Err(Failure::bad_input(anyhow!(
            "--max-accuracy-drop needs --dataset (the data to measure accuracy on)"
        )));
    }
    if args
        .max_accuracy_drop
        .is_some_and(|d| !d.is_finite() || d < 0.0)
    {
        return Err(Failure::bad_input(anyhow!(
            "--max-accuracy-drop must be a non-negative number of percentage points"
        )));
    }
    if mode == Mode::Static && args.dataset.is_none() && args.calibration_data.is_none() {
        return Err(Failure::bad_input(anyhow!(
            "--mode static needs --calibration-data (raw model inputs) or --dataset (the calibration data for the activation ranges)"
        )));
    }
    if mode != Mode::Static && args.calibration_data.is_some() {
        return Err(Failure::bad_input(anyhow!(
            "--calibration-data is only used by --mode static (mode here: {})",
            mode.name()
        )));
    }
    if !(50.0..=100.0).contains(&args.percentile) {
        return Err(Failure::bad_input(anyhow!(
            "--percentile {}: expected a value between 50 and 100, e.g. 99.99",
            args.percentile
        )));
    }
    check_paths(args).map_err(Failure::bad_input)?;
    let settings = args.running.settings().map_err(Failure::bad_input)?;
    let mut session = Session::start("quantize", &args.output_args)?;
    let calibration_inputs = args
        .calibration_data
        .as_deref()
        .map(inputs::read)
        .transpose()
        .map_err(Failure::bad_input)?;

    let file_size = std::fs::metadata(&args.input)
        .with_context(|| format!("{}: cannot read", args.input.display()))
        .map_err(Failure::bad_input)?
        .len();
    let model = modelci_onnx::read(&args.input).map_err(Failure::bad_input)?;
    // With external data the weights live beside the file: count the model with them inline
    // (for a self-contained file, re-encoding gives exactly its bytes).
    let input_size = file_size.max(modelci_onnx::encode(&model).len() as u64);
    if let Some(dataset) = &args.dataset {
        // Before anything is written: the comparison must be able to read the model's
        // predictions on this data (a model that is not a classifier fails here, exit 2).
        verify::check_dataset(&args.input, dataset, &settings).map_err(Failure::bad_input)?;
    }
    let mut calibration_info = None;
    let calibration = if mode == Mode::Static {
        let method = if args.calibration == "percentile" {
            calibrate::Method::Percentile(args.percentile)
        } else {
            calibrate::Method::MinMax
        };
        let (source, path, kind) = match (&calibration_inputs, &args.dataset) {
            (Some(inputs), _) => (
                calibrate::Source::Inputs(inputs),
                inputs.path.clone(),
                "calibration-data",
            ),
            (None, Some(dataset)) => (
                calibrate::Source::Dataset {
                    path: dataset,
                    settings: &settings,
                },
                dataset.clone(),
                "dataset",
            ),
            (None, None) => {
                return Err(Failure::bad_input(anyhow!(
                    "--mode static needs --calibration-data or --dataset"
                )));
            }
        };
        let (calibration, samples) = calibrate::calibrate(
            &model,
            &args.exclude,
            source,
            &args.output_args.output_dir,
            method,
            settings.batch_size,
        )
        .context("static calibration")
        .map_err(Failure::bad_input)?;
        calibration_info = Some(CalibrationInfo {
            path,
            source: kind,
            samples,
            method: args.calibration.clone(),
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
    let mut report = Report {
        passed: true,
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
        #[allow(clippy::cast_precision_loss)]
        size_reduction: input_size as f64 / output_size.max(1) as f64,
        constants_folded: outcome.normalized.constants_folded,
        opsets_deduplicated: outcome.normalized.opsets_deduplicated,
        quantized: outcome.changes.clone(),
        skipped: outcome.skipped.clone(),
        calibration: calibration_info,
        probe: None,
        dataset: None,
        gates: Vec::new(),
        charts: Vec::new(),
        metrics: std::collections::BTreeMap::new(),
    };

    if outcome.is_unchanged() {
        report.output.size = 0;
        report.size_reduction = 1.0;
        report.summary = format!(
            "nothing to quantize in {} (mode {}): {}; no output written",
            args.input.display(),
            mode.name(),
            nothing_reason(&outcome)
        );
        return finish(report, args, &mut session, ExitStatus::Success);
    }

    let larger = output_size >= input_size;
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
    if larger && !args.force {
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

    let probe = verify::probe(&original, &args.output);
    let probe_ok = probe.quantized_runs || !probe.original_runs;
    let close = probe
        .max_relative_error
        .is_none_or(|e| e <= args.probe_tolerance);
    report.gates.push(Gate {
        name: format!(
            "runs in tract, outputs within {} of the original",
            args.probe_tolerance
        ),
        passed: probe_ok && close,
        measured: match (&probe.error, probe.max_relative_error) {
            (Some(e), _) => e.clone(),
            (None, Some(err)) => {
                format!("largest difference {:.4}% of the output range", err * 100.0)
            }
            (None, None) => "not compared".into(),
        },
    });
    report.probe = Some(probe);

    if let Some(dataset) = &args.dataset {
        let mut progress = Progress::new("quantize", None, args.output_args.quiet);
        let evaluation = verify::evaluate(&original, &args.output, dataset, &settings, &mut |n| {
            progress.advance(n as u64)
        })
        .map_err(Failure::bad_input)?;
        progress.finish();
        let comparison = DatasetComparison::of(&evaluation, dataset);
        if let Some(max_drop) = args.max_accuracy_drop {
            let drop = comparison.accuracy_delta_pt.map(|d| -d);
            report.gates.push(Gate {
                name: format!("accuracy drop <= {max_drop} pt"),
                passed: drop.is_some_and(|d| d <= max_drop + 1e-9),
                measured: comparison
                    .accuracy_delta_pt
                    .map_or("no accuracy (not a classifier)".into(), |d| {
                        format!("accuracy {d:+.2} pt")
                    }),
            });
        }
        report.dataset = Some(comparison);
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
    report.summary = if failed.is_empty() {
        format!(
            "{} rewrote {} node(s); {:.2}x smaller{}",
            mode.name(),
            report.quantized.len(),
            report.size_reduction,
            report
                .dataset
                .as_ref()
                .and_then(|d| d.accuracy_delta_pt)
                .map_or(String::new(), |d| format!(", accuracy {d:+.2} pt"))
        )
    } else {
        let names: Vec<&str> = failed.iter().map(|g| g.name.as_str()).collect();
        format!("failed: {}", names.join("; "))
    };
    let status = if report.passed {
        ExitStatus::Success
    } else {
        ExitStatus::GateFailed
    };
    drop(kept_original);
    finish(report, args, &mut session, status)
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

fn print_summary(report: &Report, md: &Path) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "quantize: {}", report.summary)?;
    for g in &report.gates {
        writeln!(
            out,
            "  {} {}: {}",
            if g.passed { "ok  " } else { "FAIL" },
            g.name,
            g.measured
        )?;
    }
    for s in &report.skipped {
        writeln!(out, "  skipped {} ({}): {}", s.node, s.op, s.reason)?;
    }
    if report.output_written {
        writeln!(out, "output: {}", report.output.path.display())?;
    }
    writeln!(out, "report: {}", md.display())?;
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

fn parse_mode(text: &str) -> anyhow::Result<Mode> {
    match text {
        "dynamic" => Ok(Mode::Dynamic),
        "weight-only" => Ok(Mode::WeightOnly),
        "fp16" => Ok(Mode::Fp16),
        "static" => Ok(Mode::Static),
        other => Err(anyhow!(
            "--mode {other}: expected dynamic, weight-only, fp16 or static"
        )),
    }
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
