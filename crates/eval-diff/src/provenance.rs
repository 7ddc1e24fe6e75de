//! The report's "Provenance" section: exactly which baseline and which data the numbers belong
//! to.
//!
//! Paths and digests are code spans built by [`modelci_report::code_span`]: Markdown escapes
//! do not apply inside a code span (GitHub would show `\_`), so the text goes in as it is and
//! only what GFM handles before code spans (`|` in a table, line breaks) is dealt with.

use std::fmt::Write as _;

use modelci_baseline::Provenance;
use modelci_baseline::digest::DatasetDigest;
use modelci_report::{code_span as code, escape_markdown as esc};

/// The Markdown section (a heading and a two-column table).
#[must_use]
pub fn section(baseline: &Provenance, dataset: &DatasetDigest) -> String {
    let mut md = String::from("\n### Provenance\n\n| | |\n|---|---|\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(md, "| {k} | {v} |");
    };
    row("Baseline source", code(&baseline.source));
    if baseline.resolved != baseline.source {
        row("Resolved to", code(&baseline.resolved));
    }
    if let Some(v) = &baseline.version {
        row("Baseline version", esc(v));
    }
    row("Baseline sha256", code(&baseline.sha256));
    if let Some(b) = &baseline.bundle_sha256 {
        row("Bundle sha256", code(b));
    }
    if let Some(p) = &baseline.published {
        row("Published", esc(p));
    }
    if let Some(c) = &baseline.commit {
        row("Built from commit", code(c));
    }
    row(
        "Verified against",
        format!(
            "{}{}",
            esc(&baseline.verified),
            if baseline.cached {
                " (from the cache)"
            } else {
                ""
            }
        ),
    );
    row("Dataset", code(&dataset.path));
    row(
        "Dataset sha256",
        format!("{} ({} file(s))", code(&dataset.sha256), dataset.files),
    );
    md
}
