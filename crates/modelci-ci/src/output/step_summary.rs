//! The GitHub Actions job summary: Markdown appended to the file at `GITHUB_STEP_SUMMARY`.
//!
//! GitHub refuses a step's summary larger than 1 MiB and shows an error instead of it. A model
//! report with many classes can pass that, so we cut it ourselves, at a line boundary, close an
//! open code fence, and say where the full report is.

use std::borrow::Cow;
use std::fs;
use std::io;
use std::path::Path;

use super::OutputError;
use super::atomic::append;

/// GitHub's size limit for one step's summary, in bytes.
pub const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;

/// What [`append_step_summary`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryWrite {
    /// Bytes appended.
    pub bytes: usize,
    /// Whether the Markdown was cut to fit.
    pub truncated: bool,
}

/// `markdown`, cut so that `already_written + result.len() <= limit`.
///
/// When cut, the text ends at a line boundary, any open ``` fence is closed, and a note says the
/// summary was truncated, linking `full_report` when given. If not even the note fits, the result
/// is empty.
#[must_use]
pub fn fit_summary<'a>(
    markdown: &'a str,
    already_written: usize,
    limit: usize,
    full_report: Option<&str>,
) -> Cow<'a, str> {
    let budget = limit.saturating_sub(already_written);
    if markdown.len() <= budget {
        return Cow::Borrowed(markdown);
    }
    let note = match full_report {
        Some(url) => format!(
            "\n\n> **Note:** this summary was truncated to fit GitHub's 1 MiB limit. \
             See the [full report]({url}).\n"
        ),
        None => "\n\n> **Note:** this summary was truncated to fit GitHub's 1 MiB limit. \
                 See the full report in the run's artifacts.\n"
            .to_owned(),
    };
    // Room for the note and a fence closer we may need.
    const FENCE_CLOSER: &str = "\n```";
    let Some(room) = budget.checked_sub(note.len() + FENCE_CLOSER.len()) else {
        return Cow::Borrowed("");
    };
    let mut cut = room.min(markdown.len());
    while !markdown.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut kept = &markdown[..cut];
    if let Some(nl) = kept.rfind('\n') {
        kept = &kept[..nl];
    }
    let open_fences = kept
        .lines()
        .filter(|l| l.trim_start().starts_with("```"))
        .count();
    let mut out = String::with_capacity(budget);
    out.push_str(kept);
    if open_fences % 2 == 1 {
        out.push_str(FENCE_CLOSER);
    }
    out.push_str(&note);
    Cow::Owned(out)
}

/// Appends `markdown` to the summary file at `path`, cut to fit what is already there.
///
/// # Errors
///
/// [`OutputError::Io`] when the file cannot be read or written.
pub fn append_step_summary(
    path: &Path,
    markdown: &str,
    full_report: Option<&str>,
) -> Result<SummaryWrite, OutputError> {
    let existing = match fs::metadata(path) {
        Ok(m) => usize::try_from(m.len()).unwrap_or(usize::MAX),
        Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
        Err(source) => {
            return Err(OutputError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    let fitted = fit_summary(markdown, existing, STEP_SUMMARY_LIMIT, full_report);
    if !fitted.is_empty() {
        append(path, &fitted)?;
    }
    Ok(SummaryWrite {
        bytes: fitted.len(),
        truncated: fitted.as_ref() != markdown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_summary_is_untouched() {
        assert!(matches!(
            fit_summary("# hi\n", 0, 100, None),
            Cow::Borrowed("# hi\n")
        ));
    }

    #[test]
    fn cut_at_line_boundary_with_note() {
        let md = "line one\nline two\nline three\n".repeat(20);
        let out = fit_summary(&md, 0, 300, Some("https://x/run/1"));
        assert!(out.len() <= 300, "{}", out.len());
        assert!(out.ends_with("See the [full report](https://x/run/1).\n"));
        let body = out.split("\n\n> **Note:**").next().unwrap_or_default();
        assert!(body.lines().all(|l| l.starts_with("line ")), "{body}");
    }

    #[test]
    fn closes_an_open_fence() {
        let md = format!("```text\n{}", "x\n".repeat(500));
        let out = fit_summary(&md, 0, 400, None);
        assert!(out.len() <= 400);
        assert!(out.contains("x\n```\n\n> **Note:**"), "{out}");
    }

    #[test]
    fn multibyte_text_is_cut_on_a_char_boundary() {
        let md = "é".repeat(1000);
        let out = fit_summary(&md, 0, 500, None);
        assert!(out.len() <= 500);
    }

    #[test]
    fn counts_what_is_already_written() {
        let out = fit_summary("abcdef", 95, 100, None);
        assert_eq!(out, "");
    }
}
