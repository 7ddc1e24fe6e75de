//! Provenance for the manifest: commit, branch, repository and the creation time, from flags,
//! the CI environment ([`modelci_ci`]) and, outside CI, git. Never the wall clock: the time is
//! `SOURCE_DATE_EPOCH` (the reproducible-builds convention) or the commit's time.

use anyhow::{Context as _, anyhow};
use modelci_bundle::Source;
use modelci_ci::{CiContext, Env};

use crate::args::Args;

/// What the manifest records about where the model came from.
pub(crate) struct Provenance {
    /// Commit, branch, tag, repository.
    pub source: Source,
    /// Seconds since the Unix epoch.
    pub created: Option<u64>,
}

/// Collects provenance for the bundle of `args`, releasing tag `tag`.
pub(crate) fn provenance(
    args: &Args,
    env: &Env,
    context: &CiContext,
    tag: &str,
) -> anyhow::Result<Provenance> {
    let commit = args
        .commit
        .clone()
        .or_else(|| context.change.as_ref().and_then(|c| c.head_sha.clone()))
        .or_else(|| context.commit_sha.clone())
        .or_else(|| git(&["rev-parse", "HEAD"]));
    if let Some(c) = &commit
        && (c.len() < 7 || c.len() > 64 || !c.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(anyhow!("--commit {c}: not a commit hash"));
    }
    let branch = args
        .branch
        .clone()
        .or_else(|| context.change.as_ref().and_then(|c| c.base_ref.clone()))
        .or_else(|| {
            (env.get("GITHUB_REF_TYPE") == Some("branch"))
                .then(|| env.get("GITHUB_REF_NAME").map(str::to_owned))
                .flatten()
        })
        .or_else(|| env.get("CI_COMMIT_BRANCH").map(str::to_owned))
        .filter(|b| !b.is_empty());
    let created = match env.get("SOURCE_DATE_EPOCH") {
        Some(text) => Some(text.trim().parse::<u64>().with_context(|| {
            format!("SOURCE_DATE_EPOCH={text}: not a number of seconds since 1970")
        })?),
        None => commit
            .as_deref()
            .and_then(|c| git(&["show", "-s", "--format=%ct", c]))
            .and_then(|t| t.parse().ok()),
    };
    Ok(Provenance {
        source: Source {
            commit,
            branch,
            tag: Some(tag.to_owned()),
            repository: context.repository.as_ref().map(ToString::to_string),
        },
        created,
    })
}

/// The trimmed output of a successful git command, if git is there and agrees.
fn git(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}
