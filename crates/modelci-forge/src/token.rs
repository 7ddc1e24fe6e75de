//! A token type that cannot leak into logs.

use std::fmt;

/// How a token authenticates, and whether a user stands behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenKind {
    /// A token with a user behind it: a GitHub personal token (classic `ghp_`, fine-grained
    /// `github_pat_`), OAuth (`gho_`) or user-to-server (`ghu_`) token, a GitLab personal,
    /// project or group access token (the last two act as a bot user), or a token whose form
    /// says nothing (callers fall back if the host refuses `GET /user`).
    Personal,
    /// A GitHub installation token (`ghs_`): Actions' `GITHUB_TOKEN` or a GitHub App's. No user
    /// stands behind it: GitHub answers `GET /user` with 403 "Resource not accessible by
    /// integration", and its comments are authored by a bot (`github-actions[bot]`,
    /// `<app-slug>[bot]`).
    Installation,
    /// GitLab CI job token (`CI_JOB_TOKEN`): can read notes, releases and packages; cannot
    /// write notes.
    GitLabJob,
}

/// An API token. `Debug` and `Display` print `***`; only this crate reads the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    secret: String,
    kind: TokenKind,
}

impl Token {
    /// A GitHub token or GitLab personal/project access token; its kind is read from GitHub's
    /// documented prefixes (`ghs_` is an installation token, everything else
    /// [`TokenKind::Personal`]).
    pub fn new(secret: impl Into<String>) -> Self {
        let secret = secret.into().trim().to_owned();
        let kind = if secret.starts_with("ghs_") {
            TokenKind::Installation
        } else {
            TokenKind::Personal
        };
        Self { secret, kind }
    }

    /// A GitLab CI job token (`CI_JOB_TOKEN`).
    pub fn gitlab_job(secret: impl Into<String>) -> Self {
        Self {
            secret: secret.into().trim().to_owned(),
            kind: TokenKind::GitLabJob,
        }
    }

    /// How this token authenticates.
    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    /// The secret, for the HTTP client only.
    pub(crate) fn expose(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({:?}, ***)", self.kind)
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secret() {
        let t = Token::new("ghp_secret");
        assert!(!format!("{t:?}").contains("secret"));
        assert_eq!(t.to_string(), "***");
    }

    #[test]
    fn kinds_follow_githubs_prefixes() {
        assert_eq!(Token::new("ghs_abc").kind(), TokenKind::Installation);
        for personal in [
            "ghp_abc",
            "github_pat_abc",
            "gho_abc",
            "ghu_abc",
            "glpat-abc",
            "x",
        ] {
            assert_eq!(
                Token::new(personal).kind(),
                TokenKind::Personal,
                "{personal}"
            );
        }
        assert_eq!(Token::gitlab_job("j").kind(), TokenKind::GitLabJob);
        assert!(!format!("{:?}", Token::new("ghs_secret")).contains("secret"));
    }
}
