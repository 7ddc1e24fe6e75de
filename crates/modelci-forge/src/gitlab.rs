//! GitLab (gitlab.com and self-managed): the `gitlab` crate's typed endpoints, sent by our own
//! bounded client ([`crate::gitlab_rest`]).
//!
//! The crate describes each endpoint (path, parameters, body); [`crate::gitlab_rest::Rest`] puts
//! it under the API URL, authenticates (`PRIVATE-TOKEN` or `JOB-TOKEN`) and reads at most a
//! capped answer, so this module sees status and headers (`Retry-After`, `X-Next-Page`) and
//! retries by the rules of [`crate::retry`]. Uploads and note deletion have no endpoint in the
//! crate; they are in [`crate::gitlab_endpoints`].

use crate::error::decode;
use std::path::Path;

use gitlab::api::Endpoint;
use gitlab::api::common::SortOrder;
use gitlab::api::projects::merge_requests::notes::{
    CreateMergeRequestNote, EditMergeRequestNote, MergeRequestNotes,
};
use serde::Deserialize;

use crate::gitlab_endpoints::{DeleteNote, ProjectUpload};
use crate::gitlab_rest::{Answer, Rest, SendError};
use crate::retry::{self, classify};
use crate::{
    Comment, CommentId, Forge, ForgeError, ForgeKind, Markdown, RetryPolicy, Token, TokenKind, User,
};

/// Name used in messages.
const HOST: &str = "GitLab";
/// Most pages followed when listing (100 notes each).
const MAX_PAGES: usize = 1000;

/// A client for one GitLab project. Blocking.
pub struct GitLab {
    client: Rest,
    project: String,
    job_token: bool,
    policy: RetryPolicy,
    api_url: String,
    token: Token,
}

impl std::fmt::Debug for GitLab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitLab")
            .field("project", &self.project)
            .finish_non_exhaustive()
    }
}

/// The parts of a note this crate reads.
#[derive(Debug, Deserialize)]
struct Note {
    id: u64,
    body: String,
    author: NoteAuthor,
    #[serde(default)]
    system: bool,
}

/// A note's author.
#[derive(Debug, Deserialize)]
struct NoteAuthor {
    id: u64,
    username: String,
    /// Project and group access tokens act as bot users.
    #[serde(default)]
    bot: bool,
}

/// The answer of `POST /projects/:id/uploads`.
#[derive(Debug, Deserialize)]
struct Uploaded {
    markdown: String,
}

/// The answer of `GET /job`.
#[derive(Debug, Deserialize)]
struct Job {
    user: NoteAuthor,
}

impl GitLab {
    /// A client for project `project` (path such as `group/project`, or numeric id) at
    /// `api_url` (`https://gitlab.com/api/v4` or `https://HOST[/PREFIX]/api/v4`). Connecting
    /// checks the token (`GET /user`, or `GET /job` for a job token), with retries.
    pub fn new(
        api_url: &str,
        project: &str,
        token: &Token,
        policy: RetryPolicy,
    ) -> Result<Self, ForgeError> {
        let bad_url = || ForgeError::Config {
            message: format!("GitLab API URL `{api_url}` is not `https://HOST/api/v4`"),
        };
        let (scheme, rest) = api_url.split_once("://").ok_or_else(bad_url)?;
        let host = rest
            .trim_end_matches('/')
            .strip_suffix("/api/v4")
            .ok_or_else(bad_url)?;
        if host.is_empty() || !matches!(scheme, "http" | "https") {
            return Err(bad_url());
        }
        if project.trim().is_empty() {
            return Err(ForgeError::Config {
                message: "GitLab project is empty".into(),
            });
        }
        let job_token = token.kind() == TokenKind::GitLabJob;
        let client = Rest::new(api_url, token).map_err(|message| ForgeError::Config {
            message: format!("GitLab API URL: {message}"),
        })?;
        let gitlab = Self {
            client,
            project: project.trim().to_owned(),
            job_token,
            policy,
            api_url: api_url.trim_end_matches('/').to_owned(),
            token: token.clone(),
        };
        gitlab.check_token()?;
        Ok(gitlab)
    }

    /// Connecting checks the token as the `gitlab` crate did (`GET /job` for a job token,
    /// `GET /user` for the others), with retries; a refusal keeps its status (401 is
    /// [`ForgeError::Unauthorized`], for a job token too).
    fn check_token(&self) -> Result<(), ForgeError> {
        let action = "check the token";
        let check = |ep: &dyn Fn() -> Result<Answer, ForgeError>| {
            retry::run(&self.policy, || {
                let (status, headers, bytes) = ep()?;
                if status.is_success() {
                    Ok(())
                } else {
                    Err(classify(HOST, action, status.as_u16(), &headers, &bytes))
                }
            })
        };
        if self.job_token {
            let ep = gitlab::api::job::Job::builder()
                .build()
                .map_err(build_error)?;
            check(&|| self.send(action, &ep, &[]))
        } else {
            let ep = gitlab::api::users::CurrentUser::builder()
                .build()
                .map_err(build_error)?;
            check(&|| self.send(action, &ep, &[]))
        }
    }

    /// Sends one endpoint (plus extra query parameters) and collects the answer (bounded).
    fn send<E: Endpoint>(
        &self,
        action: &'static str,
        ep: &E,
        extra: &[(&str, String)],
    ) -> Result<Answer, ForgeError> {
        self.client.send(ep, extra).map_err(|e| match e {
            SendError::Encode(message) => ForgeError::Config {
                message: format!("cannot encode the request: {message}"),
            },
            SendError::Request(message) | SendError::Transport(message) => ForgeError::Transport {
                host: HOST,
                action,
                message,
            },
        })
    }

    /// Sends with retries and turns error statuses into [`ForgeError`] (also used by
    /// [`crate::issues`]).
    pub(crate) fn call<E: Endpoint>(
        &self,
        action: &'static str,
        ep: &E,
        extra: &[(&str, String)],
    ) -> Result<Answer, ForgeError> {
        retry::run(&self.policy, || self.call_once(action, ep, extra))
    }

    /// For [`crate::releases`]: one call of `ep` with retries (`retry: true`, idempotent
    /// requests) or once, returning status, headers and body of any answer that arrived
    /// (callers need 404 to mean "absent").
    pub(crate) fn releases_call<E: Endpoint>(
        &self,
        action: &'static str,
        ep: &E,
        retry: bool,
    ) -> Result<Answer, ForgeError> {
        if retry {
            self.call(action, ep, &[])
        } else {
            retry::run_unapplied(&self.policy, || self.call_once(action, ep, &[]))
        }
    }

    /// For [`crate::releases`]: the project path or id of this client.
    pub(crate) fn releases_project(&self) -> &str {
        &self.project
    }

    /// For [`crate::releases`]: the API root and the token, for downloads.
    pub(crate) fn releases_credentials(&self) -> (&str, &Token) {
        (&self.api_url, &self.token)
    }

    /// For [`crate::releases`]: the full URL of API endpoint `endpoint` (`projects/…`).
    pub(crate) fn releases_url(&self, endpoint: &str) -> Result<String, ForgeError> {
        self.client
            .url(endpoint)
            .map(|u| u.to_string())
            .map_err(|e| ForgeError::Config {
                message: format!("cannot build the URL of `{endpoint}`: {e}"),
            })
    }

    /// For [`crate::deployments`]: the project (path or id) and one call of `ep`, once
    /// (`retry: false`) or with retries, returning the body of a successful answer.
    pub(crate) fn deployments_call<E: Endpoint>(
        &self,
        action: &'static str,
        ep: &E,
        retry: bool,
    ) -> Result<Vec<u8>, ForgeError> {
        let answer = if retry {
            self.call(action, ep, &[])
        } else {
            retry::run_unapplied(&self.policy, || self.call_once(action, ep, &[]))
        };
        answer.map(|(_, _, bytes)| bytes)
    }

    /// For [`crate::deployments`]: the project path or id this client is for.
    pub(crate) fn deployments_project(&self) -> &str {
        &self.project
    }

    /// Sends once and turns error statuses into [`ForgeError`].
    pub(crate) fn call_once<E: Endpoint>(
        &self,
        action: &'static str,
        ep: &E,
        extra: &[(&str, String)],
    ) -> Result<Answer, ForgeError> {
        let (status, headers, bytes) = self.send(action, ep, extra)?;
        if status.is_success() {
            return Ok((status, headers, bytes));
        }
        match classify(HOST, action, status.as_u16(), &headers, &bytes) {
            // GitLab ignores a job token where it does not accept one (notes, uploads, `/user`)
            // and answers 401 as if no token were sent: the job token is valid (connecting
            // checked it), it just may not do this.
            ForgeError::Unauthorized { .. } if self.job_token => Err(ForgeError::Forbidden {
                host: HOST,
                action,
                message: "401 Unauthorized: GitLab does not accept CI_JOB_TOKEN here".into(),
            }),
            other => Err(other),
        }
    }
}

/// The page after `page` from GitLab's `X-Next-Page` header; `None` on the last page (or a
/// header that does not move forward, so a broken host cannot loop).
pub(crate) fn next_page(headers: &http::HeaderMap, page: u64) -> Option<u64> {
    headers
        .get("x-next-page")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| *n > page)
}

/// Our comment from a note.
fn to_comment(n: Note) -> Comment {
    Comment {
        id: CommentId(n.id),
        author_is_bot: n.author.bot,
        author: n.author.username,
        body: n.body,
        url: None,
    }
}

/// Wraps endpoint-builder errors (only possible with missing fields, a bug here).
pub(crate) fn build_error(e: impl std::fmt::Display) -> ForgeError {
    ForgeError::Config {
        message: format!("cannot build the GitLab request: {e}"),
    }
}

impl Forge for GitLab {
    fn kind(&self) -> ForgeKind {
        ForgeKind::GitLab
    }

    fn retry_policy(&self) -> &RetryPolicy {
        &self.policy
    }

    fn current_user(&self) -> Result<Option<User>, ForgeError> {
        let action = "read the token's user";
        if self.job_token {
            let ep = gitlab::api::job::Job::builder()
                .build()
                .map_err(build_error)?;
            let (_, _, bytes) = self.call(action, &ep, &[])?;
            let job: Job = decode(HOST, action, &bytes)?;
            return Ok(Some(User {
                login: job.user.username,
                id: job.user.id,
            }));
        }
        let ep = gitlab::api::users::CurrentUser::builder()
            .build()
            .map_err(build_error)?;
        let (_, _, bytes) = self.call(action, &ep, &[])?;
        let user: NoteAuthor = decode(HOST, action, &bytes)?;
        Ok(Some(User {
            login: user.username,
            id: user.id,
        }))
    }

    fn list_comments(&self, change: u64) -> Result<Vec<Comment>, ForgeError> {
        let action = "list merge request notes";
        let ep = MergeRequestNotes::builder()
            .project(self.project.as_str())
            .merge_request(change)
            .sort(SortOrder::Ascending)
            .build()
            .map_err(build_error)?;
        let mut out = Vec::new();
        let mut page = 1u64;
        for _ in 0..MAX_PAGES {
            let extra = [("page", page.to_string()), ("per_page", "100".to_owned())];
            let (_, headers, bytes) = self.call(action, &ep, &extra)?;
            let notes: Vec<Note> = decode(HOST, action, &bytes)?;
            out.extend(notes.into_iter().filter(|n| !n.system).map(to_comment));
            match crate::gitlab::next_page(&headers, page) {
                Some(n) => page = n,
                None => break,
            }
        }
        out.sort_by_key(|c| c.id);
        Ok(out)
    }

    fn create_comment(&self, change: u64, body: &str) -> Result<Comment, ForgeError> {
        let action = "create a merge request note";
        let ep = CreateMergeRequestNote::builder()
            .project(self.project.as_str())
            .merge_request(change)
            .body(body)
            .build()
            .map_err(build_error)?;
        let (_, _, bytes) =
            retry::run_unapplied(&self.policy, || self.call_once(action, &ep, &[]))?;
        Ok(to_comment(decode(HOST, action, &bytes)?))
    }

    fn update_comment(
        &self,
        change: u64,
        id: CommentId,
        body: &str,
    ) -> Result<Comment, ForgeError> {
        let action = "update a merge request note";
        let ep = EditMergeRequestNote::builder()
            .project(self.project.as_str())
            .merge_request(change)
            .note(id.0)
            .body(body)
            .build()
            .map_err(build_error)?;
        let (_, _, bytes) = self.call(action, &ep, &[])?;
        Ok(to_comment(decode(HOST, action, &bytes)?))
    }

    fn delete_comment(&self, change: u64, id: CommentId) -> Result<(), ForgeError> {
        let ep = DeleteNote {
            project: &self.project,
            merge_request: change,
            note: id.0,
        };
        self.call("delete a merge request note", &ep, &[])
            .map(|_| ())
    }

    fn publish_image(
        &self,
        _branch: &str,
        _path: &str,
        _bytes: &[u8],
    ) -> Result<String, ForgeError> {
        Err(ForgeError::Unsupported {
            host: HOST,
            what: "commit images to a branch (it has uploads)",
        })
    }

    fn upload_image(&self, path: &Path) -> Result<Markdown, ForgeError> {
        let action = "upload an image";
        let data = std::fs::read(path).map_err(|source| ForgeError::Io {
            path: path.to_owned(),
            source,
        })?;
        let filename = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("image.png")
            .to_owned();
        let ep = ProjectUpload {
            project: &self.project,
            filename: &filename,
            data: &data,
        };
        if !ep.encodable() {
            return Err(ForgeError::Config {
                message: format!("`{}` cannot be sent as multipart data", path.display()),
            });
        }
        let (_, _, bytes) = self.call(action, &ep, &[])?;
        let up: Uploaded = decode(HOST, action, &bytes)?;
        Ok(Markdown(up.markdown))
    }
}
