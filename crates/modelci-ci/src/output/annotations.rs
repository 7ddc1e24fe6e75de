//! GitHub Actions annotations (`::error::` / `::warning::` / `::notice::` lines on stdout).
//!
//! GitHub shows at most 10 annotations of each kind per step and silently drops the rest. Rather
//! than let a user miss that there were more, [`render_annotations`] keeps the first nine of a
//! kind and turns the tenth into "N more ...: see the job summary".

use std::fmt;

use super::GateOutcome;
use super::workflow_command::{escape_data, escape_property};

/// GitHub's per-step limit for each kind of annotation.
pub const MAX_ANNOTATIONS_PER_KIND: usize = 10;

/// The kind (severity) of an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AnnotationLevel {
    /// `::error`: a failed gate.
    Error,
    /// `::warning`: worth a look, not a failure.
    Warning,
    /// `::notice`: information.
    Notice,
}

impl AnnotationLevel {
    fn command(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Notice => "notice",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Self::Error => "errors",
            Self::Warning => "warnings",
            Self::Notice => "notices",
        }
    }
}

/// One annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Its kind.
    pub level: AnnotationLevel,
    /// Short title shown in bold.
    pub title: Option<String>,
    /// File in the repository to attach it to.
    pub file: Option<String>,
    /// Line in `file`.
    pub line: Option<u32>,
    /// The message; may span lines.
    pub message: String,
}

impl Annotation {
    /// An annotation with a title and message, attached to no file.
    #[must_use]
    pub fn new(
        level: AnnotationLevel,
        title: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            level,
            title: Some(title.into()),
            file: None,
            line: None,
            message: message.into(),
        }
    }

    /// The workflow command line, without a trailing newline.
    #[must_use]
    pub fn to_command(&self) -> String {
        let mut props = Vec::new();
        if let Some(file) = &self.file {
            props.push(format!("file={}", escape_property(file)));
        }
        if let Some(line) = self.line {
            props.push(format!("line={line}"));
        }
        if let Some(title) = &self.title {
            props.push(format!("title={}", escape_property(title)));
        }
        let sep = if props.is_empty() { "" } else { " " };
        format!(
            "::{}{sep}{}::{}",
            self.level.command(),
            props.join(","),
            escape_data(&self.message)
        )
    }
}

impl fmt::Display for Annotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_command())
    }
}

/// One error annotation per failed gate, titled with the gate's name.
#[must_use]
pub fn gate_annotations(gates: &[GateOutcome]) -> Vec<Annotation> {
    gates
        .iter()
        .filter(|g| !g.passed)
        .map(|g| {
            let message = if g.measured.is_empty() {
                g.message.clone()
            } else {
                format!("{} (measured: {})", g.message, g.measured)
            };
            Annotation::new(
                AnnotationLevel::Error,
                format!("Gate failed: {}", g.name),
                message,
            )
        })
        .collect()
}

/// The command lines for `annotations`, newline-terminated, capped at
/// [`MAX_ANNOTATIONS_PER_KIND`] per kind with a final "N more" line where some were cut.
#[must_use]
pub fn render_annotations(annotations: &[Annotation]) -> String {
    let mut out = String::new();
    for level in [
        AnnotationLevel::Error,
        AnnotationLevel::Warning,
        AnnotationLevel::Notice,
    ] {
        let of_level: Vec<&Annotation> = annotations.iter().filter(|a| a.level == level).collect();
        let (shown, hidden) = if of_level.len() > MAX_ANNOTATIONS_PER_KIND {
            let keep = MAX_ANNOTATIONS_PER_KIND - 1;
            (&of_level[..keep], of_level.len() - keep)
        } else {
            (&of_level[..], 0)
        };
        for a in shown {
            out.push_str(&a.to_command());
            out.push('\n');
        }
        if hidden > 0 {
            let more = Annotation::new(
                level,
                format!("{hidden} more {}", level.plural()),
                format!(
                    "GitHub shows {MAX_ANNOTATIONS_PER_KIND} annotations of a kind per step; \
                     {hidden} more {} are in the job summary and the full report.",
                    level.plural()
                ),
            );
            out.push_str(&more.to_command());
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_title_and_message() {
        let a = Annotation {
            level: AnnotationLevel::Warning,
            title: Some("acc: 90%, top-1".into()),
            file: Some("models/a,b.onnx".into()),
            line: Some(3),
            message: "dropped 5%\nsee: report".into(),
        };
        assert_eq!(
            a.to_command(),
            "::warning file=models/a%2Cb.onnx,line=3,title=acc%3A 90%25%2C top-1::dropped 5%25%0Asee: report"
        );
    }

    #[test]
    fn no_properties() {
        let a = Annotation {
            level: AnnotationLevel::Notice,
            title: None,
            file: None,
            line: None,
            message: "hi".into(),
        };
        assert_eq!(a.to_command(), "::notice::hi");
    }

    #[test]
    fn caps_each_kind_separately() {
        let mut all: Vec<Annotation> = (0..12)
            .map(|i| Annotation::new(AnnotationLevel::Error, format!("e{i}"), "m"))
            .collect();
        all.extend(
            (0..10).map(|i| Annotation::new(AnnotationLevel::Warning, format!("w{i}"), "m")),
        );
        let out = render_annotations(&all);
        let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error")).collect();
        let warnings = out.lines().filter(|l| l.starts_with("::warning")).count();
        assert_eq!(errors.len(), 10);
        assert_eq!(warnings, 10);
        assert!(
            errors[9].starts_with("::error title=3 more errors::"),
            "{}",
            errors[9]
        );
        assert!(errors[8].contains("title=e8"));
    }

    #[test]
    fn only_failed_gates_are_annotated() {
        let gates = [
            GateOutcome {
                name: "accuracy".into(),
                passed: true,
                measured: "0.95".into(),
                message: "ok".into(),
            },
            GateOutcome {
                name: "latency, p95".into(),
                passed: false,
                measured: "12 ms".into(),
                message: "over budget".into(),
            },
        ];
        let a = gate_annotations(&gates);
        assert_eq!(a.len(), 1);
        assert_eq!(
            a[0].to_command(),
            "::error title=Gate failed%3A latency%2C p95::over budget (measured: 12 ms)"
        );
    }
}
