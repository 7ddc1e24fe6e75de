//! The report's "Provenance" section: exactly which baseline and which data the numbers belong
//! to.

use std::fmt::Write as _;

use modelci_baseline::Provenance;
use modelci_baseline::digest::DatasetDigest;
use modelci_report::escape_markdown as esc;

/// The Markdown section (a heading and a two-column table).
#[must_use]
pub fn section(baseline: &Provenance, dataset: &DatasetDigest) -> String {
    let mut md = String::from("\n### Provenance\n\n| | |\n|---|---|\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(md, "| {k} | {v} |");
    };
    row("Baseline source", format!("`{}`", esc(&baseline.source)));
    if baseline.resolved != baseline.source {
        row("Resolved to", format!("`{}`", esc(&baseline.resolved)));
    }
    if let Some(v) = &baseline.version {
        row("Baseline version", esc(v));
    }
    row("Baseline sha256", format!("`{}`", baseline.sha256));
    if let Some(b) = &baseline.bundle_sha256 {
        row("Bundle sha256", format!("`{b}`"));
    }
    if let Some(p) = &baseline.published {
        row("Published", esc(p));
    }
    if let Some(c) = &baseline.commit {
        row("Built from commit", format!("`{}`", esc(c)));
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
    row("Dataset", format!("`{}`", esc(&dataset.path)));
    row(
        "Dataset sha256",
        format!("`{}` ({} file(s))", dataset.sha256, dataset.files),
    );
    md
}
