//! One trait for a code host, so a modelci binary never asks which host it talks to.
//!
//! # Tour
//!
//! - [`Forge`]: the operations modelci needs on a pull request (GitHub) or merge request
//!   (GitLab): who am I, list/create/update/delete comments, upload an image (GitLab) or commit
//!   one to an existing branch (GitHub's contents API). Blocking.
//! - [`connect`] builds a client from a [`ForgeConfig`] (kind, API URL, repository, token;
//!   [`ForgeConfig::from_host`] takes it from [`modelci_ci::resolve_host`]), the one way to
//!   connect.
//!   [`GitHub`] uses octocrab and works with GitHub Enterprise Server (`https://HOST/api/v3`);
//!   [`GitLab`] uses the `gitlab` crate's endpoints, sent by our own client whose answers are
//!   size-capped, and works with self-managed instances. Both use rustls.
//! - [`Releases`] ([`connect_releases`]): releases listed, their files downloaded and published
//!   the same way on both hosts (GitHub Releases; GitLab generic packages and release links).
//! - [`sticky::post`] keeps one comment per (tool, key) up to date, never duplicating it, and
//!   fits the body into the host's limit by dropping sections ([`body`]).
//! - [`retry`]: transient failures (5xx, 429, GitHub's secondary rate limit) are retried with
//!   jittered exponential backoff within a time budget; 401/403/404/422 are not.
//! - [`ForgeError`]: messages for users; [`ForgeError::Forbidden`] (fork pull requests, job
//!   tokens) is distinct so callers can warn and exit 0; its message names the permission to
//!   add ([`permissions`]). Tokens ([`Token`]) print as `***`; [`TokenKind`] tells installation
//!   tokens (`ghs_`, no user) from tokens with a user.

pub mod body;
mod bounded;
pub mod deployments;
mod error;
mod forge;
mod github;
mod gitlab;
mod gitlab_endpoints;
mod gitlab_rest;
pub mod issues;
pub mod permissions;
pub mod releases;
pub mod retry;
pub mod sticky;
mod token;
mod types;

pub use body::{Marker, Section};
pub use deployments::{Deployment, DeploymentState, DeploymentStatus, Deployments, NewDeployment};
pub use error::ForgeError;
pub use forge::{Forge, connect};
pub use github::GitHub;
pub use gitlab::GitLab;
pub use issues::{Health, Issue, IssueOutcome, Issues, connect_issues};
pub use releases::{
    AssetFile, Download, Package, Release, ReleaseAsset, ReleaseError, ReleaseOutcome,
    ReleaseRequest, Releases, connect_releases,
};
pub use retry::RetryPolicy;
pub use sticky::{Action, Mode, Outcome, StickyComment};
pub use token::{Token, TokenKind};
pub use types::{Comment, CommentId, ForgeConfig, ForgeKind, Markdown, User};
