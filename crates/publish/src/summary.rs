//! What a run tells people (a short summary, or `--json`) and CI (GitHub step outputs, a GitLab
//! dotenv report).

use std::io::Write;
use std::path::Path;

use serde::Serialize;

/// The machine-readable result of a publish run (`--json`).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Bundle name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Release tag.
    pub tag: String,
    /// Path of the bundle zip.
    pub bundle: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// True when nothing was sent (`--dry-run`).
    pub dry_run: bool,
    /// One entry per `--to` target, in order.
    pub targets: Vec<TargetResult>,
}

/// What happened at one target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetResult {
    /// The target as given (`github`, `dir:/srv/models`, …).
    pub target: String,
    /// `published`, `unchanged` (everything was already there) or `planned` (dry run).
    pub status: &'static str,
    /// Release page, registry reference or folder.
    pub url: Option<String>,
    /// Files sent or written.
    pub uploaded: Vec<String>,
    /// Files already there, identical.
    pub kept: Vec<String>,
    /// Files that were wrong and were replaced.
    pub replaced: Vec<String>,
}

impl Summary {
    /// The first release URL (GitHub or GitLab), for step outputs.
    #[must_use]
    pub fn release_url(&self) -> Option<&str> {
        self.targets
            .iter()
            .filter(|t| t.target == "github" || t.target == "gitlab")
            .find_map(|t| t.url.as_deref())
    }
}

/// Prints the summary (text, or JSON with `json`).
pub(crate) fn print(out: &mut dyn Write, s: &Summary, json: bool) -> std::io::Result<()> {
    if json {
        let text = serde_json::to_string_pretty(s).map_err(std::io::Error::other)?;
        return writeln!(out, "{text}");
    }
    // Names, versions, paths and URLs come from flags and hosts: each line escaped and bounded.
    let head = format!(
        "publish {} {}{}: {} ({} bytes, sha256 {})",
        s.name,
        s.version,
        if s.dry_run { " (dry run)" } else { "" },
        s.bundle,
        s.size,
        s.sha256
    );
    writeln!(out, "{}", modelci_cli::sanitize(&head))?;
    for t in &s.targets {
        let mut line = format!("  {:<10} {}", t.status, t.target);
        if let Some(url) = &t.url {
            line.push_str(&format!(" → {url}"));
        }
        let mut parts = Vec::new();
        for (label, list) in [
            ("uploaded", &t.uploaded),
            ("kept", &t.kept),
            ("replaced", &t.replaced),
        ] {
            if !list.is_empty() {
                parts.push(format!("{label} {}", list.join(", ")));
            }
        }
        if !parts.is_empty() {
            line.push_str(&format!(" ({})", parts.join("; ")));
        }
        writeln!(out, "{}", modelci_cli::sanitize(&line))?;
    }
    Ok(())
}

/// Writes GitHub step outputs (`bundle`, `sha256`, `version`, `tag`, `release-url`) when
/// `GITHUB_OUTPUT` is set, and `publish.env` in `dir` for GitLab's dotenv report in GitLab CI.
pub(crate) fn write_ci_outputs(
    s: &Summary,
    env: &modelci_ci::Env,
    dir: &Path,
) -> Result<(), modelci_ci::OutputError> {
    let url = s.release_url().unwrap_or_default();
    if let Some(path) = env.get(modelci_ci::EnvVars::GITHUB_OUTPUT) {
        modelci_ci::output::step_output::append_outputs(
            Path::new(path),
            &[
                ("bundle", s.bundle.as_str()),
                ("sha256", s.sha256.as_str()),
                ("version", s.version.as_str()),
                ("tag", s.tag.as_str()),
                ("release-url", url),
            ],
        )?;
    }
    if env.is_true(modelci_ci::EnvVars::GITLAB_CI) {
        modelci_ci::output::dotenv::write_dotenv(
            &dir.join("publish.env"),
            &[
                ("MODELCI_PUBLISH_BUNDLE", s.bundle.as_str()),
                ("MODELCI_PUBLISH_SHA256", s.sha256.as_str()),
                ("MODELCI_PUBLISH_VERSION", s.version.as_str()),
                ("MODELCI_PUBLISH_RELEASE_URL", url),
            ],
        )?;
    }
    Ok(())
}
