//! `auto`, the default inside a pull/merge request: the latest published bundle built from the
//! target branch (the releases of the run's code host: GitHub, or GitLab in a merge request),
//! else the candidate's path on the target branch (git:
//! `origin/BRANCH`, `BRANCH`, else the branch's tip fetched with `git fetch --depth=1`), else
//! nothing yet.

use std::path::Path;

use crate::releases::{MAX_MANIFESTS, ReleaseTarget};
use crate::{Baseline, BaselineError, Context, git_source, release};

/// What `auto` found; `None` when there is no baseline yet.
pub(crate) fn resolve(ctx: &Context) -> Result<Option<Baseline>, BaselineError> {
    let origin = "auto";
    let Some(branch) = ctx.ci.change.as_ref().and_then(|c| c.base_ref.clone()) else {
        return Err(BaselineError::input(
            origin,
            "auto needs a pull/merge request with a target branch; pass --baseline SOURCE",
        ));
    };
    if ctx.ci.forge.kind().is_some() {
        let target = ReleaseTarget::from_context(origin, None, ctx)?;
        let listed = target.list(origin, ctx)?;
        for release in listed
            .releases
            .iter()
            .filter(|r| r.published)
            .take(MAX_MANIFESTS)
        {
            let Some(manifest) = listed.manifest(origin, release, ctx)? else {
                continue;
            };
            if manifest.source.branch.as_deref() == Some(branch.as_str()) {
                let mut found = release::fetch_release(origin, &target, &listed, release, ctx)?;
                found.provenance.source = origin.to_owned();
                return Ok(Some(found));
            }
        }
    }
    let Some(candidate) = &ctx.candidate else {
        return Ok(None);
    };
    let path = git_path(candidate);
    for reference in [format!("origin/{branch}"), branch.clone()] {
        match git_source(origin, &reference, &path, ctx) {
            Ok(mut found) => {
                found.provenance.source = origin.to_owned();
                return Ok(Some(found));
            }
            // The file is there but unusable (an LFS pointer, a pinned checksum that does not
            // match): say so rather than pretend there is no baseline.
            Err(e) if !e.to_string().contains("git show") => return Err(e),
            Err(_) => {}
        }
    }
    // CI checkouts are often shallow and hold only the change's branch: fetch the target
    // branch's tip (one commit) and look there.
    if fetch_branch(&ctx.repo_dir, &branch) {
        match git_source(origin, "FETCH_HEAD", &path, ctx) {
            Ok(mut found) => {
                found.provenance.source = origin.to_owned();
                found.provenance.resolved = format!("git:origin/{branch}:{path}");
                return Ok(Some(found));
            }
            Err(e) if !e.to_string().contains("git show") => return Err(e),
            Err(_) => {}
        }
    }
    Ok(None)
}

/// `git fetch --depth=1 origin BRANCH`; true when it worked.
fn fetch_branch(repo_dir: &Path, branch: &str) -> bool {
    !branch.starts_with('-')
        && std::process::Command::new("git")
            .arg("-C")
            .arg(repo_dir)
            .args(["fetch", "--quiet", "--depth=1", "--no-tags", "origin"])
            .arg(branch)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// The candidate's path for `git show REF:PATH`, relative to the current folder.
fn git_path(candidate: &Path) -> String {
    let text = candidate.to_string_lossy().replace('\\', "/");
    if candidate.is_absolute() || text.starts_with("./") || text.starts_with("../") {
        text
    } else {
        format!("./{text}")
    }
}
