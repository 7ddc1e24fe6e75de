//! A token type that cannot leak into logs.

use std::fmt;

/// How a token authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenKind {
    /// GitHub token (`GITHUB_TOKEN`, PAT, app token) or GitLab personal/project access token.
    Personal,
    /// GitLab CI job token (`CI_JOB_TOKEN`): can read notes, cannot write them.
    GitLabJob,
}

/// An API token. `Debug` and `Display` print `***`; only this crate reads the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    secret: String,
    kind: TokenKind,
}

impl Token {
    /// A GitHub token or GitLab personal/project access token.
    pub fn new(secret: impl Into<String>) -> Self {
        Self {
            secret: secret.into().trim().to_owned(),
            kind: TokenKind::Personal,
        }
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
}
