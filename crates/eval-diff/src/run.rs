//! One eval-diff run, from arguments to exit status.

use anyhow::{Context as _, anyhow};
use modelci_ci::Shard;
use modelci_cli::{ExitStatus, Failure, Progress, Session};
use modelci_eval::{Dataset, EvaluationOptions, Timings, evaluate_observed};

use crate::args::{Args, Command};
use crate::markdown;
use crate::outcome;
use crate::report;

/// Runs eval-diff: evaluate, judge the gates, write the report, print a summary.
///
/// # Errors
/// A [`Failure`] with exit code 2 for bad input (unreadable or incompatible models and data,
/// malformed flags, an unwritable output folder).
pub fn run(args: &Args) -> Result<ExitStatus, Failure> {
    if let Some(Command::Merge(merge)) = &args.command {
        return crate::shard::merge(merge);
    }
    if let Some(dir) = &args.post_from {
        let mut session = Session::detect("eval-diff", modelci_ci::Env::from_process())?;
        return crate::deliver::post_existing(dir, args, &mut session);
    }
    let (Some(candidate), Some(dataset_path)) = (&args.candidate, &args.dataset) else {
        return Err(Failure::bad_input(anyhow!(
            "--candidate and --dataset are required"
        )));
    };
    let gates = report::parse_gates(&args.gates).map_err(Failure::bad_input)?;
    let settings = args.running.settings().map_err(Failure::bad_input)?;
    let options = EvaluationOptions {
        top_k: args.top_k as usize,
        bootstrap: args.bootstrap as usize,
        ..settings.evaluation_options()
    };
    let dataset_options = modelci_eval::DatasetOptions {
        text: args.text.options(),
        ..settings.dataset.clone()
    };
    let mut session = Session::start("eval-diff", &args.output)?;
    let shard = match args.shard {
        Some(shard) => Some(shard),
        None => Shard::from_env(session.env()).map_err(Failure::bad_input)?,
    };
    let stats_path = crate::reference_stats::target(
        args.reference_stats.as_ref().map(Option::as_deref),
        &args.output.output_dir,
    );
    if let (Some(shard), Some(_)) = (shard, &stats_path) {
        return Err(Failure::bad_input(anyhow!(
            "--reference-stats is not made by a sharded run (--shard {shard}); make it in one unsharded job, e.g. the release job"
        )));
    }
    let Some(found) = crate::baseline::find(args, candidate, &session)? else {
        if let Some(shard) = shard {
            return Err(Failure::bad_input(anyhow!(
                "--shard {shard}: no baseline yet; the first model is evaluated in one job (run it without --shard, or with MODELCI_SHARD=off)"
            )));
        }
        return crate::first::run(
            args,
            &mut session,
            &crate::first::Inputs {
                candidate,
                dataset: dataset_path,
                gates: &gates,
                options: &options,
                dataset_options: &dataset_options,
                settings: &settings,
                reference_stats: stats_path.as_deref(),
            },
        );
    };
    let baseline = &found.path;

    let crate::execution::Loaded { mut models, cross } =
        crate::execution::load(&settings, &[baseline, candidate], args.cross_check)?;
    let mut cross = cross;
    let mut dataset = Dataset::open(dataset_path, &dataset_options).map_err(Failure::bad_input)?;
    let dataset_digest = modelci_baseline::digest::dataset_digest(dataset_path)
        .with_context(|| format!("{}: cannot read the dataset", dataset_path.display()))
        .map_err(Failure::bad_input)?;
    let dataset_samples = dataset.len();
    let mut selected = dataset_samples;
    if let Some(shard) = shard {
        if dataset_samples < shard.total as usize {
            return Err(Failure::bad_input(anyhow!(
                "{}: --shard {shard}: the dataset has {dataset_samples} sample(s), fewer than {} shards",
                dataset_path.display(),
                shard.total
            )));
        }
        let range = crate::shard::range(shard, dataset_samples);
        selected = range.len();
        dataset.select(range);
    }
    let mut writer = shard
        .map(|_| crate::shard::Writer::new(&args.output.output_dir))
        .transpose()
        .map_err(Failure::bad_input)?;
    let mut reducer = None;
    let mut predictions = crate::reference_stats::Predictions::new(1);
    let mut progress = Progress::new("eval-diff", Some(selected as u64), args.output.quiet);
    let evaluation = evaluate_observed(
        &mut models,
        cross.as_mut(),
        &mut dataset,
        &options,
        &mut |n| progress.advance(n as u64),
        &mut |sample| {
            let outcome =
                outcome::observe(&mut reducer, &sample, options.top_k, options.keep_flips);
            if let Some(writer) = writer.as_mut() {
                writer.add(&outcome);
            }
            if stats_path.is_some() {
                predictions.observe(&sample);
            }
        },
    )
    .map_err(Failure::bad_input)?;
    progress.finish();
    let Some(reducer) = reducer else {
        return Err(Failure::bad_input(anyhow!(
            "{}: no sample was evaluated",
            dataset_path.display()
        )));
    };
    let timings: Vec<Timings> = evaluation
        .models
        .iter()
        .map(|m| m.timings.clone())
        .collect();
    let evaluation = reducer.finish(evaluation, &timings, options.bootstrap);
    let sample_values = flipped_values(&evaluation, &mut dataset).map_err(Failure::bad_input)?;
    let reference_stats = stats_path
        .map(|path| {
            crate::reference_stats::write(
                &crate::reference_stats::Inputs {
                    path: &path,
                    output_dir: &args.output.output_dir,
                    candidate,
                    evaluation: &evaluation,
                    model: 1,
                },
                &mut dataset,
                predictions,
            )
        })
        .transpose()
        .map_err(Failure::bad_input)?;
    if let (Some(shard), Some(writer)) = (shard, writer) {
        return crate::shard::write::finish(
            writer,
            &crate::shard::write::Run {
                shard,
                args,
                options: &options,
                dataset_options: &dataset_options,
                candidate,
                found: &found,
                dataset: &dataset,
                digest: &dataset_digest,
                dataset_samples,
                evaluation: &evaluation,
                shape: reducer.shape(),
                sample_values,
            },
        );
    }
    report::publish(
        &report::Flags::new(&args.output, &args.gates, &args.posting, args.history),
        &mut session,
        &evaluation,
        &report::Data {
            provenance: &found.provenance,
            digest: &dataset_digest,
            path: dataset_path,
            kind: dataset.kind(),
            text: dataset.text_summary(),
            sample_values: &sample_values,
            picture: &|id| dataset.sample_picture(id).ok().flatten(),
            reference_stats: reference_stats.as_ref(),
        },
    )
}

/// The values of the flipped samples the report lists (arrays and CSV rows; pictures are
/// drawn instead).
fn flipped_values(
    evaluation: &modelci_eval::Evaluation,
    dataset: &mut Dataset,
) -> Result<std::collections::BTreeMap<String, String>, modelci_eval::EvalError> {
    let Some(pair) = &evaluation.pair else {
        return Ok(std::collections::BTreeMap::new());
    };
    let ids: Vec<&str> = [&pair.regressed_samples, &pair.improved_samples]
        .into_iter()
        .flat_map(|flips| flips.iter().take(markdown::FLIPS_SHOWN))
        .map(|f| f.id.as_str())
        .collect();
    dataset.sample_values(&ids)
}
