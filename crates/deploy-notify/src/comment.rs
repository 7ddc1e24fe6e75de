//! The comment on the pull requests the deployed commit belongs to: one sticky comment per
//! environment (marker key `deploy-ENV`), updated by later deployments to the same environment.

use modelci_forge::{Forge, ForgeError, Marker, Section, StickyComment, sticky};
use modelci_report::{code_span_prose, escape_markdown};

use crate::metrics::format_value;
use crate::summary::{Status, Summary};

/// The tool name in the comment marker.
pub const TOOL: &str = "deploy-notify";

/// The marker key of `environment`'s comment.
#[must_use]
pub fn key(environment: &str) -> String {
    format!("deploy-{environment}")
}

/// The comment's Markdown (without the marker).
#[must_use]
pub fn markdown(s: &Summary) -> String {
    let icon = match s.status {
        Status::Success => "🚀",
        Status::Failure => "❌",
    };
    let mut out = format!(
        "### {icon} {} {} deployed to {}: {}\n\n",
        code_span_prose(&s.model),
        escape_markdown(&s.version),
        escape_markdown(&s.environment),
        s.status.name()
    );
    let mut links = Vec::new();
    if let Some(url) = &s.links.release {
        links.push(format!(
            "[release {}]({})",
            escape_markdown(&s.git_ref),
            url_text(url)
        ));
    }
    if let Some(url) = &s.links.environment {
        links.push(format!("[environment]({})", url_text(url)));
    }
    if let Some(url) = &s.links.run {
        links.push(format!("[CI run]({})", url_text(url)));
    }
    if !links.is_empty() {
        out.push_str(&links.join(" · "));
        out.push_str("\n\n");
    }
    if let Some(smoke) = &s.smoke {
        out.push_str(&format!(
            "**Smoke check** against {}: {}\n\n",
            code_span_prose(&smoke.model_name),
            escape_markdown(&smoke.short())
        ));
    }
    if !s.metrics.is_empty() {
        out.push_str("| metric | value |\n|---|---|\n");
        for m in &s.metrics {
            out.push_str(&format!(
                "| {} | {} |\n",
                escape_markdown(&m.name),
                format_value(m.value)
            ));
        }
    }
    out
}

/// Keeps a URL from closing the Markdown link early.
fn url_text(url: &str) -> String {
    url.replace(' ', "%20")
        .replace(')', "%29")
        .replace('(', "%28")
}

/// Posts or updates the comment on every pull request in `pulls`; returns the comment URLs.
///
/// # Errors
/// The first [`ForgeError`] (after retries).
pub fn post(forge: &dyn Forge, pulls: &[u64], s: &Summary) -> Result<Vec<String>, ForgeError> {
    let sections = [Section::keep(markdown(s))];
    let request = StickyComment {
        marker: Marker::new(TOOL, &key(&s.environment)),
        mode: sticky::Mode::Update,
        sections: &sections,
        full_report_url: s.links.run.as_deref(),
    };
    let mut urls = Vec::new();
    for &number in pulls {
        let outcome = sticky::post(forge, number, &request)?;
        if let Some(url) = outcome.comment.and_then(|c| c.url) {
            urls.push(url);
        }
    }
    Ok(urls)
}
