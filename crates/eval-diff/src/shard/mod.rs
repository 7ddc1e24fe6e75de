//! Sharded evaluation (`--shard K/N`, `eval-diff merge`): shard files, their checks and their
//! merge into one report.
//!
//! # The shard file (`shard-K-of-N.jsonl`)
//! JSON Lines, streamed in order:
//! 1. a header ([`Header`]): the format, which shard and which samples (a contiguous range of
//!    sample positions in dataset order), the fingerprints that must agree between shards
//!    (both models' sha256, the dataset's content hash, the evaluation and dataset settings,
//!    the engine, the modelci version), and what the report needs besides the samples (model
//!    signatures and preprocessing, the engine, the baseline's provenance, latency timings,
//!    the values of the shard's first flipped samples);
//! 2. one line per sample ([`crate::outcome::Outcome`]): its id, label and both predictions
//!    (class and rank of the true class among the scores, or the regression value): about
//!    60 bytes plus the id for a classifier, for example 59 bytes for `{"id":"3/3_0042.png",
//!    "y":"3","p":[{"c":3,"r":0},{"c":3,"r":0}]}` and its newline;
//! 3. a trailer ([`Trailer`]): the number of samples and the SHA-256 of every byte before it.
//!
//! A truncated file lacks the trailer; an edited one fails the checksum.

mod merge;
mod read;
pub(crate) mod write;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use modelci_baseline::Provenance;
use modelci_baseline::digest::DatasetDigest;
use modelci_ci::Shard;
use modelci_eval::dataset::DatasetKind;
use modelci_eval::{Execution, ModelEvaluation, TextSummary, Timings};
use serde::{Deserialize, Serialize};

use crate::outcome::Shape;

pub(crate) use merge::merge;
pub(crate) use write::Writer;

/// The `format` of a shard file's header.
pub const FORMAT: &str = "modelci-eval-diff-shard";

/// The version of the format; a merge refuses other versions.
pub const VERSION: u32 = 1;

/// The file name of shard `shard`.
#[must_use]
pub fn file_name(shard: Shard) -> String {
    format!("shard-{}-of-{}.jsonl", shard.index, shard.total)
}

/// The sample positions of shard `shard` of a dataset of `samples`: a contiguous range, the
/// shards' sizes differing by at most one.
#[must_use]
pub fn range(shard: Shard, samples: usize) -> Range<usize> {
    let at = |k: u32| {
        usize::try_from(u128::from(k) * samples as u128 / u128::from(shard.total))
            .unwrap_or(samples)
    };
    at(shard.index - 1)..at(shard.index)
}

/// What must be equal in every shard of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// The modelci version that wrote the shard.
    pub modelci: String,
    /// SHA-256 of the baseline model file.
    pub baseline_sha256: String,
    /// SHA-256 of the candidate model file.
    pub candidate_sha256: String,
    /// The dataset's content hash.
    pub dataset_sha256: String,
    /// SHA-256 of the evaluation settings (batch size, layout, preprocessing, resizing, input
    /// shapes, top-k, bootstrap, flips kept) and the dataset reading options.
    pub settings: String,
    /// The engine: name, version, threads and graph optimisation.
    pub engine: String,
}

impl Fingerprint {
    /// The fields as (name for an error message, value).
    fn fields(&self) -> [(&'static str, &str); 6] {
        [
            ("modelci version", &self.modelci),
            ("baseline model (sha256)", &self.baseline_sha256),
            ("candidate model (sha256)", &self.candidate_sha256),
            ("dataset (content sha256)", &self.dataset_sha256),
            ("preprocessing and evaluation settings", &self.settings),
            ("engine", &self.engine),
        ]
    }
}

/// The timed runs of one model, in nanoseconds (a shard file's form of [`Timings`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimingsRecord {
    /// Samples per run.
    pub run_batch: usize,
    /// Durations of the runs of `run_batch` samples.
    pub full_ns: Vec<u64>,
    /// The last, smaller run: (samples, nanoseconds).
    pub partial: Option<(usize, u64)>,
}

impl TimingsRecord {
    /// The record of `timings`.
    #[must_use]
    pub fn of(timings: &Timings) -> Self {
        let ns = |d: &Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        Self {
            run_batch: timings.run_batch,
            full_ns: timings.full_batches.iter().map(ns).collect(),
            partial: timings.partial.map(|(n, d)| (n, ns(&d))),
        }
    }

    /// Adds the runs of a later shard.
    pub fn extend(&mut self, later: &Self) {
        self.full_ns.extend_from_slice(&later.full_ns);
        if later.partial.is_some() {
            self.partial = later.partial;
        }
    }

    /// Back to [`Timings`].
    #[must_use]
    pub fn timings(&self) -> Timings {
        Timings {
            run_batch: self.run_batch,
            full_batches: self
                .full_ns
                .iter()
                .map(|&n| Duration::from_nanos(n))
                .collect(),
            partial: self.partial.map(|(n, d)| (n, Duration::from_nanos(d))),
        }
    }
}

/// The dataset as the report names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetRecord {
    /// The path as given to the shard run.
    pub path: PathBuf,
    /// Its format.
    pub kind: DatasetKind,
    /// Its content hash and file count.
    pub digest: DatasetDigest,
    /// How texts were tokenized (text datasets).
    pub text: Option<TextSummary>,
    /// Class names in class-index order (empty for regression).
    pub class_names: Vec<String>,
}

/// The first line of a shard file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// Which shard (1-based).
    pub index: u32,
    /// Of how many.
    pub total: u32,
    /// The first sample position this shard holds.
    pub start: u64,
    /// One past the last.
    pub end: u64,
    /// Samples in the whole dataset.
    pub dataset_samples: u64,
    /// What must agree between shards.
    pub fingerprint: Fingerprint,
    /// Task, classes and models: what the reduction starts from.
    pub shape: Shape,
    /// k of the top-k accuracy.
    pub top_k: usize,
    /// Bootstrap resamples.
    pub bootstrap: usize,
    /// Flipped samples kept by name.
    pub keep_flips: usize,
    /// The dataset.
    pub dataset: DatasetRecord,
    /// Where the baseline came from.
    pub provenance: Provenance,
    /// Both models as evaluated (their metrics are over this shard only and not used).
    pub models: Vec<ModelEvaluation>,
    /// Each model's timed runs.
    pub timings: Vec<TimingsRecord>,
    /// The engine, the workers and how latency was measured.
    pub execution: Execution,
    /// The values of this shard's first flipped samples, by id (arrays, CSV rows, texts).
    pub sample_values: BTreeMap<String, String>,
}

/// The last line of a shard file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trailer {
    /// Sample lines in the file.
    pub samples: u64,
    /// SHA-256 (hex) of every byte of the file before this line.
    pub sha256: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_contiguous_balanced_and_complete() {
        for samples in [1usize, 7, 10, 360, 100_000] {
            for total in 1..=9u32.min(samples as u32) {
                let mut next = 0;
                for index in 1..=total {
                    let r = range(Shard { index, total }, samples);
                    assert_eq!(r.start, next);
                    let size = r.len();
                    assert!(
                        size >= samples / total as usize && size <= samples / total as usize + 1
                    );
                    next = r.end;
                }
                assert_eq!(next, samples);
            }
        }
    }
}
