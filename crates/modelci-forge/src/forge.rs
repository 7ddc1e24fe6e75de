//! The trait every code host implements, and the function that picks one.

use std::path::Path;

use crate::{
    Comment, CommentId, Deployments, ForgeConfig, ForgeError, ForgeKind, GitHub, GitLab, Markdown,
    RetryPolicy, User,
};

/// One repository on one code host. Methods block; transient failures of idempotent requests
/// are retried within the client's [`RetryPolicy`].
pub trait Forge: Send + Sync + std::fmt::Debug {
    /// Which host this is.
    fn kind(&self) -> ForgeKind;

    /// The retry budget this client was built with.
    fn retry_policy(&self) -> &RetryPolicy;

    /// The user the token belongs to (a CI job token's user on GitLab), or `None` when no user
    /// stands behind it: a GitHub installation token (Actions' `GITHUB_TOKEN`, a GitHub App),
    /// which is never sent to `GET /user`, or a token GitHub refuses there with 403.
    fn current_user(&self) -> Result<Option<User>, ForgeError>;

    /// Every comment on pull/merge request `change`, from all pages, oldest first. GitLab system
    /// notes are left out.
    fn list_comments(&self, change: u64) -> Result<Vec<Comment>, ForgeError>;

    /// Posts a comment. Not idempotent, so only failures proving the request was not applied
    /// (rate limiting) are retried here; use [`crate::sticky::post`] for duplicate-safe retries.
    fn create_comment(&self, change: u64, body: &str) -> Result<Comment, ForgeError>;

    /// Replaces a comment's body.
    fn update_comment(&self, change: u64, id: CommentId, body: &str)
    -> Result<Comment, ForgeError>;

    /// Deletes a comment.
    fn delete_comment(&self, change: u64, id: CommentId) -> Result<(), ForgeError>;

    /// Uploads an image and returns Markdown that shows it in a comment. GitHub has no such API
    /// and answers [`ForgeError::Unsupported`]; callers fall back (e.g. to a link).
    fn upload_image(&self, path: &Path) -> Result<Markdown, ForgeError>;

    /// Commits `bytes` as file `path` on branch `branch` of the repository (creating or
    /// replacing it) and returns a URL that displays the file, for images in comments on
    /// public repositories (GitHub's contents API).
    ///
    /// The branch must already exist: the API description offers no way to create a branch
    /// without a base commit, and basing it on the code would copy the code; create an orphan
    /// branch once instead. A missing branch is [`ForgeError::Config`], naming the commands.
    /// GitLab has uploads ([`Forge::upload_image`]) and answers [`ForgeError::Unsupported`].
    fn publish_image(&self, branch: &str, path: &str, bytes: &[u8]) -> Result<String, ForgeError>;
}

/// Builds the client for `config.kind`: the one way to connect (issue 13). It records
/// deployments ([`Deployments`]) and, being a [`Forge`], posts comments; a `&dyn Forge` is one
/// coercion away. A binary needs nothing else:
///
/// ```no_run
/// use modelci_forge::{Forge, ForgeConfig, ForgeKind, Token, connect};
/// let mut config = ForgeConfig::new(ForgeKind::GitHub, "owner/repo", Token::new("ghp_..."));
/// config.api_url = Some("https://github.example.com/api/v3".into());
/// let forge: Box<dyn Forge> = connect(&config)?;
/// let me = forge.current_user()?; // `None` for an installation token (`ghs_…`)
/// # Ok::<(), modelci_forge::ForgeError>(())
/// ```
pub fn connect(config: &ForgeConfig) -> Result<Box<dyn Deployments>, ForgeError> {
    let url = config
        .api_url
        .as_deref()
        .unwrap_or(config.kind.default_api_url());
    Ok(match config.kind {
        ForgeKind::GitHub => Box::new(GitHub::new(
            url,
            &config.repo,
            &config.token,
            config.retry.clone(),
        )?),
        ForgeKind::GitLab => Box::new(GitLab::new(
            url,
            &config.repo,
            &config.token,
            config.retry.clone(),
        )?),
    })
}
