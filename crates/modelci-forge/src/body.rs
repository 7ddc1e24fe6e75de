//! Comment bodies: the hidden marker, ordered sections, and fitting the host's size limit.
//!
//! A report is given as ordered [`Section`]s. When the body is too long for the host (GitHub:
//! 65,536 characters; GitLab: 1,000,000), droppable sections are removed from the last one
//! backwards and a line says where the full report is. Sections that are not droppable are only
//! cut as a last resort.

use std::fmt;

/// The hidden HTML comment that identifies one sticky comment: `<!-- modelci:TOOL:KEY -->`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    tool: String,
    key: String,
}

impl Marker {
    /// A marker for `tool` (e.g. `eval-diff`) and `key` (e.g. a matrix job name, so parallel
    /// jobs keep separate comments). Both are sanitized: only `A-Z a-z 0-9 . _ / -` are kept
    /// (others become `_`), runs of `-` collapse, so the marker can never close early (`-->`).
    pub fn new(tool: &str, key: &str) -> Self {
        Self {
            tool: sanitize(tool),
            key: sanitize(key),
        }
    }

    /// The sanitized tool name.
    pub fn tool(&self) -> &str {
        &self.tool
    }

    /// The sanitized key.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl fmt::Display for Marker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<!-- modelci:{}:{} -->", self.tool, self.key)
    }
}

/// Keeps marker-safe characters, collapses `-` runs, never returns an empty string.
fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-') {
            c
        } else {
            '_'
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_matches('-').to_owned();
    if out.is_empty() {
        "default".to_owned()
    } else {
        out
    }
}

/// One part of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Markdown text.
    pub text: String,
    /// May be left out when the comment is too long.
    pub droppable: bool,
}

impl Section {
    /// A section that is always kept (summary, verdict).
    pub fn keep(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            droppable: false,
        }
    }

    /// A section that may be left out when space runs short (details, tables, charts).
    pub fn droppable(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            droppable: true,
        }
    }
}

/// A body ready to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// Marker line, then the kept sections.
    pub body: String,
    /// Sections left out to fit.
    pub dropped: usize,
    /// True when even the kept sections had to be cut.
    pub truncated: bool,
}

/// Builds the body: marker, sections separated by blank lines, within `limit` characters.
pub fn compose(
    marker: &Marker,
    sections: &[Section],
    limit: usize,
    full_report_url: Option<&str>,
) -> Composed {
    let join = |kept: &[&Section]| {
        let mut body = format!("{marker}\n");
        for (i, s) in kept.iter().enumerate() {
            if i > 0 {
                body.push_str("\n\n");
            }
            body.push_str(s.text.trim_end());
        }
        body
    };
    let notice = |dropped: usize| {
        let where_ = full_report_url.map_or_else(
            || "See the CI job's log and artifacts for the full report.".to_owned(),
            |u| format!("Full report: {u}"),
        );
        format!("\n\n---\n_{dropped} section(s) left out to fit the comment size limit. {where_}_")
    };
    let mut kept: Vec<&Section> = sections.iter().collect();
    let mut dropped = 0;
    loop {
        let body = join(&kept);
        let extra = if dropped > 0 {
            notice(dropped)
        } else {
            String::new()
        };
        if body.chars().count() + extra.chars().count() <= limit {
            return Composed {
                body: body + &extra,
                dropped,
                truncated: false,
            };
        }
        match kept.iter().rposition(|s| s.droppable) {
            Some(i) => {
                kept.remove(i);
                dropped += 1;
            }
            None => break,
        }
    }
    // Only required sections are left and they are still too long: cut them.
    let extra = notice(dropped).replacen(
        "section(s) left out",
        "section(s) left out and the rest cut",
        1,
    );
    let room = limit.saturating_sub(extra.chars().count() + 1);
    let mut body: String = join(&kept).chars().take(room).collect();
    body.push('…');
    body.push_str(&extra);
    let body: String = body.chars().take(limit).collect();
    Composed {
        body,
        dropped,
        truncated: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_cannot_be_closed_early() {
        let m = Marker::new("eval --> diff", "gpu-->x<!--");
        let s = m.to_string();
        assert_eq!(s.matches("-->").count(), 1);
        assert!(s.ends_with(" -->"));
        assert_eq!(
            Marker::new("", "").to_string(),
            "<!-- modelci:default:default -->"
        );
    }

    #[test]
    fn fits_without_dropping() {
        let c = compose(
            &Marker::new("t", "k"),
            &[Section::keep("a"), Section::droppable("b")],
            1000,
            None,
        );
        assert_eq!(c.body, "<!-- modelci:t:k -->\na\n\nb");
        assert_eq!(c.dropped, 0);
    }

    #[test]
    fn drops_from_the_end_and_keeps_required() {
        let sections = [
            Section::keep("summary"),
            Section::droppable("x".repeat(500)),
            Section::keep("verdict"),
            Section::droppable("y".repeat(500)),
        ];
        let c = compose(
            &Marker::new("t", "k"),
            &sections,
            700,
            Some("https://ci/report"),
        );
        assert!(c.body.contains("summary") && c.body.contains("verdict"));
        assert!(c.body.contains("xxxx") && !c.body.contains("yyyy"));
        assert!(c.body.contains("https://ci/report"));
        assert_eq!(c.dropped, 1);
        assert!(c.body.chars().count() <= 700);
    }

    #[test]
    fn cuts_required_as_last_resort() {
        let c = compose(
            &Marker::new("t", "k"),
            &[Section::keep("z".repeat(5000))],
            1000,
            None,
        );
        assert!(c.truncated);
        assert!(c.body.chars().count() <= 1000);
    }
}
