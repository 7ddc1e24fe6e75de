//! Writing a shard file: sample lines go to a temporary file while the models run; the
//! finished file (header, samples, trailer with the checksum) replaces the target atomically.

use std::fs::File;
use std::io::{BufWriter, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use sha2::{Digest as _, Sha256};

use modelci_baseline::Baseline;
use modelci_baseline::digest::DatasetDigest;
use modelci_ci::Shard;
use modelci_cli::{ExitStatus, Failure};
use modelci_eval::{Dataset, DatasetOptions, Evaluation, EvaluationOptions};

use super::{DatasetRecord, FORMAT, Fingerprint, Header, TimingsRecord, Trailer, VERSION};
use crate::args::Args;
use crate::outcome::{Outcome, Shape};

/// A shard file being written.
pub(crate) struct Writer {
    dir: PathBuf,
    records: BufWriter<File>,
    samples: u64,
    /// The first error writing a sample line (the evaluation cannot stop for it).
    failed: Option<std::io::Error>,
}

impl Writer {
    /// A writer whose temporary files live in `dir` (the output folder).
    ///
    /// # Errors
    /// The temporary file cannot be created.
    pub(crate) fn new(dir: &Path) -> anyhow::Result<Self> {
        let file = tempfile::tempfile_in(dir)
            .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
        Ok(Self {
            dir: dir.to_owned(),
            records: BufWriter::new(file),
            samples: 0,
            failed: None,
        })
    }

    /// Appends one sample's line.
    pub(crate) fn add(&mut self, outcome: &Outcome) {
        if self.failed.is_some() {
            return;
        }
        let written = serde_json::to_writer(&mut self.records, outcome)
            .map_err(std::io::Error::from)
            .and_then(|()| self.records.write_all(b"\n"));
        match written {
            Ok(()) => self.samples += 1,
            Err(e) => self.failed = Some(e),
        }
    }

    /// The sample lines written so far.
    pub(crate) fn samples(&self) -> u64 {
        self.samples
    }

    /// Writes the file at `path`: `header`, the samples, the trailer.
    ///
    /// # Errors
    /// Writing failed (the target is then left as it was).
    pub(crate) fn finish(self, header: &Header, path: &Path) -> anyhow::Result<()> {
        let context = || format!("{}: cannot write the shard file", path.display());
        if let Some(e) = self.failed {
            return Err(e).with_context(context);
        }
        let mut records = self
            .records
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(context)?;
        records.seek(SeekFrom::Start(0)).with_context(context)?;
        let target = tempfile::NamedTempFile::new_in(&self.dir).with_context(context)?;
        let mut out = BufWriter::new(target);
        let mut hasher = Sha256::new();
        let mut line = serde_json::to_vec(header).with_context(context)?;
        line.push(b'\n');
        hasher.update(&line);
        out.write_all(&line).with_context(context)?;
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            let n = records.read(&mut buffer).with_context(context)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            out.write_all(&buffer[..n]).with_context(context)?;
        }
        let trailer = Trailer {
            samples: self.samples,
            sha256: format!("{:x}", hasher.finalize()),
        };
        let mut line = serde_json::to_vec(&trailer).with_context(context)?;
        line.push(b'\n');
        out.write_all(&line).with_context(context)?;
        let target = out
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(context)?;
        target.as_file().sync_all().with_context(context)?;
        // Readable like the report files (a temporary file is created private).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(target.path(), std::fs::Permissions::from_mode(0o644))
                .with_context(context)?;
        }
        target
            .persist(path)
            .map_err(|e| e.error)
            .with_context(context)?;
        Ok(())
    }
}

/// What a shard run knows when its models are done.
pub(crate) struct Run<'a> {
    pub shard: Shard,
    pub args: &'a Args,
    pub options: &'a EvaluationOptions,
    pub dataset_options: &'a DatasetOptions,
    pub candidate: &'a Path,
    pub found: &'a Baseline,
    pub dataset: &'a Dataset,
    pub digest: &'a DatasetDigest,
    pub dataset_samples: usize,
    /// This shard's evaluation (its samples' figures; the merge recomputes them).
    pub evaluation: &'a Evaluation,
    pub shape: Shape,
    pub sample_values: std::collections::BTreeMap<String, String>,
}

/// Writes the shard file of `run` to the output folder and says so on standard output.
///
/// # Errors
/// A bad-input [`Failure`] when the candidate cannot be read again or the file cannot be
/// written.
pub(crate) fn finish(writer: Writer, run: &Run<'_>) -> Result<ExitStatus, Failure> {
    let candidate_sha256 = modelci_baseline::digest::sha256_file(run.candidate)
        .with_context(|| format!("{}: cannot read the model", run.candidate.display()))
        .map_err(Failure::bad_input)?;
    let engine = &run.evaluation.execution.engine;
    let settings = format!(
        "{:?}\n{:?}",
        EvaluationOptions {
            jobs: 1,
            ..run.options.clone()
        },
        run.dataset_options
    );
    let range = super::range(run.shard, run.dataset_samples);
    let header = Header {
        format: FORMAT.to_owned(),
        version: VERSION,
        index: run.shard.index,
        total: run.shard.total,
        start: range.start as u64,
        end: range.end as u64,
        dataset_samples: run.dataset_samples as u64,
        fingerprint: Fingerprint {
            modelci: env!("CARGO_PKG_VERSION").to_owned(),
            baseline_sha256: run.found.provenance.sha256.clone(),
            candidate_sha256,
            dataset_sha256: run.digest.sha256.clone(),
            settings: format!("{:x}", Sha256::digest(settings.as_bytes())),
            engine: format!(
                "{} {}, {} thread(s), {}",
                engine.name.name(),
                engine.version,
                engine.threads,
                engine.graph_optimization
            ),
        },
        shape: run.shape,
        top_k: run.options.top_k,
        bootstrap: run.options.bootstrap,
        keep_flips: run.options.keep_flips,
        dataset: DatasetRecord {
            path: run.dataset.path().to_owned(),
            kind: run.dataset.kind(),
            digest: run.digest.clone(),
            text: run.dataset.text_summary(),
            class_names: run.evaluation.class_names.clone(),
        },
        provenance: run.found.provenance.clone(),
        models: run.evaluation.models.clone(),
        timings: run
            .evaluation
            .models
            .iter()
            .map(|m| TimingsRecord::of(&m.timings))
            .collect(),
        execution: run.evaluation.execution.clone(),
        sample_values: run.sample_values.clone(),
    };
    let path = run.args.output.output_dir.join(super::file_name(run.shard));
    let samples = writer.samples();
    writer.finish(&header, &path).map_err(Failure::bad_input)?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "eval-diff shard {}: samples {}..{} of {} ({samples}) → {}",
        run.shard,
        range.start,
        range.end,
        run.dataset_samples,
        path.display()
    );
    let _ = writeln!(
        out,
        "merge every shard's file with `eval-diff merge` to make the report"
    );
    Ok(ExitStatus::Success)
}
