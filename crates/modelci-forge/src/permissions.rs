//! Which permission each call needs, per host, so a refusal names the one to add (issue 12).
//!
//! GitHub: the repository permissions of an installation token (a workflow's `permissions:`, a
//! GitHub App's settings) or of a fine-grained personal token; classic personal tokens need the
//! `repo` scope (`public_repo` for public repositories). GitLab: the scope of a personal,
//! project or group access token; the CI job token is accepted only by the releases, release
//! links and generic packages APIs (and `GET /job`), never for notes, uploads or `GET /user`.
//! `docs/ci.md` has the same table per binary.

/// What a call needs on GitHub and on GitLab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needed {
    /// The GitHub repository permission, e.g. `pull-requests: write`.
    pub github: &'static str,
    /// The GitLab token scope, e.g. `api`.
    pub gitlab: &'static str,
    /// Whether GitLab accepts the CI job token for it.
    pub job_token: bool,
}

/// The calls of this crate (their `action` text) and what each needs.
pub const TABLE: &[(&str, Needed)] = &[
    ("create a comment", WRITE_PR),
    ("update a comment", WRITE_PR),
    ("delete a comment", WRITE_PR),
    ("list comments", READ_PR),
    ("create a merge request note", WRITE_PR),
    ("update a merge request note", WRITE_PR),
    ("delete a merge request note", WRITE_PR),
    ("list merge request notes", READ_PR),
    ("upload an image", WRITE_PR),
    ("find the image branch", READ_CONTENTS),
    ("read the image file on the branch", READ_CONTENTS),
    ("commit an image to the branch", WRITE_CONTENTS),
    ("list releases", READ_RELEASES),
    ("read a release asset", READ_RELEASES),
    ("read the release", READ_RELEASES),
    ("list the release links", READ_RELEASES),
    ("download a package file", READ_RELEASES),
    ("create a draft release", WRITE_RELEASES),
    ("upload a release asset", WRITE_RELEASES),
    ("delete a release asset", WRITE_RELEASES),
    ("publish the release", WRITE_RELEASES),
    ("upload a package file", WRITE_RELEASES),
    ("create the release", WRITE_RELEASES),
    ("create a release link", WRITE_RELEASES),
    ("delete a release link", WRITE_RELEASES),
    ("create a deployment", WRITE_DEPLOYMENTS),
    ("set a deployment status", WRITE_DEPLOYMENTS),
    ("update a deployment", WRITE_DEPLOYMENTS),
    ("list the pull requests of a commit", READ_PR),
    ("list the merge requests of a commit", READ_PR),
    // Issues are listed only to be written (the sticky issue): name what the whole needs.
    ("list issues", WRITE_ISSUES),
    ("open an issue", WRITE_ISSUES),
    ("update an issue", WRITE_ISSUES),
    ("comment on an issue", WRITE_ISSUES),
    ("close an issue", WRITE_ISSUES),
];

/// A row of [`TABLE`].
const fn need(github: &'static str, gitlab: &'static str, job_token: bool) -> Needed {
    Needed {
        github,
        gitlab,
        job_token,
    }
}

/// Opening, updating, commenting on and closing issues.
const WRITE_ISSUES: Needed = need("issues: write", "api", false);
/// Writing pull request comments / merge request notes.
const WRITE_PR: Needed = need("pull-requests: write", "api", false);
/// Reading pull/merge requests and their comments.
const READ_PR: Needed = need("pull-requests: read", "read_api", false);
/// Reading files and branches.
const READ_CONTENTS: Needed = need("contents: read", "read_api", false);
/// Writing files to a branch.
const WRITE_CONTENTS: Needed = need("contents: write", "api", false);
/// Reading releases, their assets and packages.
const READ_RELEASES: Needed = need("contents: read", "read_api", true);
/// Creating releases, assets and packages.
const WRITE_RELEASES: Needed = need("contents: write", "api", true);
/// Recording deployments.
const WRITE_DEPLOYMENTS: Needed = need("deployments: write", "api", false);

/// What `action` needs, if it is one of this crate's calls.
pub fn needed(action: &str) -> Option<Needed> {
    TABLE.iter().find(|(a, _)| *a == action).map(|(_, n)| *n)
}

/// The end of a refusal message: which permission to add (one sentence, no line break).
pub fn hint(host: &str, action: &str) -> String {
    let Some(n) = needed(action) else {
        return "check the token's permissions".to_owned();
    };
    if host == "GitLab" {
        let job = if n.job_token {
            ""
        } else {
            "; CI_JOB_TOKEN cannot do this"
        };
        format!(
            "the token needs the `{}` scope (a project access token with the Developer role, as the masked CI/CD variable GITLAB_TOKEN){job}",
            n.gitlab
        )
    } else {
        format!(
            "the token needs `{}` (add it to the workflow's `permissions:`, or to the GitHub App or fine-grained token); a pull request from a fork only gets a read-only GITHUB_TOKEN",
            n.github
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_names_a_permission() {
        assert!(hint("GitHub", "create a comment").contains("`pull-requests: write`"));
        assert!(hint("GitHub", "upload a release asset").contains("`contents: write`"));
        assert!(hint("GitHub", "create a deployment").contains("`deployments: write`"));
        assert!(hint("GitHub", "open an issue").contains("`issues: write`"));
        assert!(hint("GitLab", "create a merge request note").contains("`api` scope"));
        assert!(hint("GitLab", "create a merge request note").contains("CI_JOB_TOKEN cannot"));
        assert!(!hint("GitLab", "create the release").contains("CI_JOB_TOKEN"));
        assert!(TABLE.iter().all(|(_, n)| !n.github.is_empty()));
        assert!(!hint("GitHub", "create a comment").contains('\n'));
    }
}
