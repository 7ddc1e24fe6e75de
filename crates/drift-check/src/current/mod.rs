//! Current data, streamed into per-feature counters shaped by the reference.
//!
//! Memory is the counters (a few per reference point or category), never the rows: a log of
//! millions of requests is read once, line by line. `--window N` keeps the last N rows: the
//! file is read twice, once to count its rows and once to count the last N.

mod csv_rows;
pub(crate) mod dataset;
pub(crate) mod v2;

use modelci_eval::TextOptions;
use std::path::Path;

use anyhow::bail;
use modelci_drift::Reference;
use modelci_drift::monitor::Counts;

/// What the current data held.
#[derive(Debug)]
pub struct Tally {
    /// One counter per reference feature, in the reference's order.
    pub counts: Vec<Counts>,
    /// Rows counted (after the window).
    pub rows: u64,
    /// Rows in the file (before the window).
    pub rows_in_file: u64,
    /// Malformed log lines skipped.
    pub bad_lines: u64,
}

/// How the current file is read.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Keep only the last N rows.
    pub window: Option<u64>,
    /// Malformed log lines tolerated (each with a warning).
    pub max_bad_lines: u64,
    /// Only log records from this time on (`--since`, [`crate::since`]).
    pub since: Option<chrono::DateTime<chrono::Utc>>,
}

/// Counts rows into the counters, skipping the first `skip` rows (the window).
#[derive(Clone)]
pub(crate) struct Sink {
    pub(crate) counts: Vec<Counts>,
    skip: u64,
    pub(crate) rows: u64,
    /// Rows of records older than `--since`: in the file, not counted.
    pub(crate) before_since: u64,
}

impl Sink {
    fn new(reference: &Reference, skip: u64) -> Self {
        Self {
            counts: reference
                .features
                .iter()
                .map(|f| Counts::new(&f.summary))
                .collect(),
            skip,
            rows: 0,
            before_since: 0,
        }
    }

    /// Whether the next row is counted (false while the window's start is not reached).
    pub(crate) fn take_row(&mut self) -> bool {
        if self.skip > 0 {
            self.skip -= 1;
            false
        } else {
            self.rows += 1;
            true
        }
    }
}

/// Whether the file is a JSON Lines log (by extension).
pub(crate) fn is_log(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["jsonl", "ndjson", "json"].contains(&e.to_ascii_lowercase().as_str()))
}

/// Streams `path` into counters for every reference feature.
///
/// # Errors
/// One line naming the file: unreadable, columns or tensors that do not match the reference,
/// more malformed lines than allowed, no row in the window.
pub fn read(
    path: &Path,
    reference: &Reference,
    (options, text): (ReadOptions, Option<&TextOptions>),
    warn: &mut dyn FnMut(String),
) -> anyhow::Result<Tally> {
    // With `--tokenizer`, a .csv or .jsonl is a dataset of texts, not rows or a log.
    let log = text.is_none() && is_log(path);
    if options.since.is_some() && !log {
        bail!(
            "{}: --since reads the time of each record of a JSON Lines log (.jsonl); for rows without a time use --window N",
            path.display()
        );
    }
    let pass = |sink: &mut Sink, warn: &mut dyn FnMut(String)| -> anyhow::Result<u64> {
        if log {
            v2::read(path, reference, sink, options, warn)
        } else if dataset::reads_as_dataset(path, text.is_some()) {
            dataset::read(path, text, reference, sink)
        } else {
            csv_rows::read(path, reference, sink)
        }
    };
    let mut skip = 0;
    if let Some(window) = options.window {
        // First pass: how many rows the file holds (warnings come from the second pass).
        let mut counting = Sink::new(reference, u64::MAX);
        pass(&mut counting, &mut |_| {})?;
        let in_file = u64::MAX - counting.skip;
        skip = in_file.saturating_sub(window);
    }
    let mut sink = Sink::new(reference, skip);
    let bad_lines = pass(&mut sink, warn)?;
    if sink.rows == 0 {
        if options.since.is_some() && sink.before_since > 0 {
            bail!(
                "{}: no rows to check: all {} are older than --since",
                path.display(),
                sink.before_since
            );
        }
        bail!("{}: no rows to check", path.display());
    }
    Ok(Tally {
        counts: sink.counts,
        rows: sink.rows,
        rows_in_file: sink.rows + skip + sink.before_since,
        bad_lines,
    })
}
