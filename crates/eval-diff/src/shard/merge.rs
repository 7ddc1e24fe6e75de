//! `eval-diff merge SHARD...`: every shard checked (checksum, format), then checked against
//! the others (same models, dataset, settings; each shard once, together covering every
//! sample), then their samples reduced in dataset order into one report. Nothing is written
//! or posted before every check passed.

use std::collections::BTreeMap;

use modelci_cli::{ExitStatus, Failure, Session};
use modelci_eval::dataset::DatasetKind;
use modelci_eval::{Dataset, DatasetOptions, Evaluation, Execution, LatencyMethod};

use super::TimingsRecord;
use super::read::{Reader, ShardError, locate};
use crate::args::MergeArgs;
use crate::outcome::Reducer;
use crate::report;

/// Runs `eval-diff merge`.
///
/// # Errors
/// A bad-input [`Failure`] (exit 2) naming the shard and the reason when the shards do not
/// make one complete run; otherwise as a single run's report.
pub(crate) fn merge(args: &MergeArgs) -> Result<ExitStatus, Failure> {
    report::parse_gates(&args.gates).map_err(Failure::bad_input)?;
    let mut files = Vec::new();
    for given in &args.shards {
        files.extend(locate(given).map_err(Failure::bad_input)?);
    }
    let mut readers = files
        .iter()
        .map(|path| Reader::open(path))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::bad_input)?;
    belong_together(&mut readers).map_err(Failure::bad_input)?;
    let first = &readers[0].header;
    let mut reducer = Reducer::new(first.shape, first.top_k, first.keep_flips);
    for reader in &readers {
        reader
            .samples(&mut |outcome| reducer.add(outcome))
            .map_err(Failure::bad_input)?;
    }
    let mut timings: Vec<TimingsRecord> = first.timings.clone();
    for reader in &readers[1..] {
        for (all, later) in timings.iter_mut().zip(&reader.header.timings) {
            all.extend(later);
        }
    }
    let timings: Vec<_> = timings.iter().map(TimingsRecord::timings).collect();
    let base = Evaluation {
        task: first.shape.task,
        samples: 0,
        class_names: first.dataset.class_names.clone(),
        models: first.models.clone(),
        pair: None,
        execution: execution(&readers),
        cross_check: None,
    };
    let evaluation = reducer.finish(base, &timings, first.bootstrap);
    let sample_values: BTreeMap<String, String> = readers
        .iter()
        .flat_map(|r| r.header.sample_values.clone())
        .collect();

    let mut session = Session::start("eval-diff", &args.output)?;
    let dataset_path = args.dataset.as_ref().unwrap_or(&first.dataset.path);
    let pictures = match first.dataset.kind {
        DatasetKind::ImageFolder => match Dataset::open(dataset_path, &DatasetOptions::default()) {
            Ok(dataset) => Some(dataset),
            Err(e) => {
                session.warn(&format!(
                    "the flipped samples are shown without pictures: {e} (pass --dataset with the image folder the shards were evaluated on)"
                ));
                None
            }
        },
        _ => None,
    };
    let picture = |id: &str| {
        pictures
            .as_ref()
            .and_then(|d| d.sample_picture(id).ok().flatten())
    };
    report::publish(
        &report::Flags::new(&args.output, &args.gates, &args.posting, args.history),
        &mut session,
        &evaluation,
        &report::Data {
            provenance: &first.provenance,
            digest: &first.dataset.digest,
            path: &first.dataset.path,
            kind: first.dataset.kind,
            text: first.dataset.text.clone(),
            sample_values: &sample_values,
            picture: &picture,
            reference_stats: None,
        },
    )
}

/// Sorts the shards by index and checks they are the shards of one run, each once.
fn belong_together(readers: &mut [Reader]) -> Result<(), ShardError> {
    readers.sort_by_key(|r| r.header.index);
    let Some((first, rest)) = readers.split_first() else {
        return Err(ShardError::new(
            std::path::Path::new("eval-diff merge"),
            "no shard given",
        ));
    };
    let one = &first.header;
    for reader in rest {
        let other = &reader.header;
        let differ = |what: &str, a: &str, b: &str| {
            ShardError::new(
                &reader.path,
                format!(
                    "not from the same run as {}: a different {what} ({b} vs {a})",
                    first.path.display()
                ),
            )
        };
        for ((what, a), (_, b)) in one
            .fingerprint
            .fields()
            .into_iter()
            .zip(other.fingerprint.fields())
        {
            if a != b {
                return Err(differ(what, a, b));
            }
        }
        if other.total != one.total {
            return Err(differ(
                "number of shards",
                &one.total.to_string(),
                &other.total.to_string(),
            ));
        }
        if other.dataset_samples != one.dataset_samples || other.shape != one.shape {
            return Err(differ(
                "dataset size or task",
                &format!("{} samples, {:?}", one.dataset_samples, one.shape),
                &format!("{} samples, {:?}", other.dataset_samples, other.shape),
            ));
        }
    }
    for pair in readers.windows(2) {
        let [before, after] = pair else { continue };
        if after.header.index == before.header.index {
            return Err(ShardError::new(
                &after.path,
                format!(
                    "shard {}/{} is given twice (also {})",
                    after.header.index,
                    after.header.total,
                    before.path.display()
                ),
            ));
        }
    }
    let given: Vec<u32> = readers.iter().map(|r| r.header.index).collect();
    if let Some(missing) = (1..=one.total).find(|k| !given.contains(k)) {
        return Err(ShardError::new(
            &first.path,
            format!(
                "incomplete: shard {missing}/{} is missing (given: {})",
                one.total,
                given
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let mut next = 0u64;
    for reader in readers.iter() {
        let h = &reader.header;
        if h.start != next {
            return Err(ShardError::new(
                &reader.path,
                format!(
                    "{}: shard {}/{} starts at sample {} but the shards before it end at {next}",
                    if h.start < next {
                        "overlapping"
                    } else {
                        "a gap"
                    },
                    h.index,
                    h.total,
                    h.start
                ),
            ));
        }
        next = h.end;
    }
    if next != one.dataset_samples {
        return Err(ShardError::new(
            &readers[readers.len() - 1].path,
            format!(
                "incomplete: the shards cover {next} of the dataset's {} samples",
                one.dataset_samples
            ),
        ));
    }
    Ok(())
}

/// The engine and workers of the shards; latency measured as they did.
fn execution(readers: &[Reader]) -> Execution {
    let mut execution = readers[0].header.execution.clone();
    let repeated: usize = readers
        .iter()
        .filter_map(|r| match r.header.execution.latency {
            LatencyMethod::RepeatedAlone { runs } => Some(runs),
            LatencyMethod::EveryBatch => None,
        })
        .sum();
    if repeated > 0 {
        execution.latency = LatencyMethod::RepeatedAlone { runs: repeated };
    }
    execution.jobs = readers
        .iter()
        .map(|r| r.header.execution.jobs)
        .max()
        .unwrap_or(execution.jobs);
    execution
}
