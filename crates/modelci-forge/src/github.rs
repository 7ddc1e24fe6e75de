//! GitHub (github.com and Enterprise Server) through octocrab.
//!
//! octocrab provides the HTTP stack (rustls, timeouts, auth header, base URL with a path for
//! Enterprise Server) and the strict models. Requests go through its raw `_get`/`_post`/`_patch`/
//! `_delete` so that this module sees status and headers (`Retry-After`, `x-ratelimit-*`,
//! `Link`) and can retry by the rules of [`crate::retry`]; octocrab's own retry layer is off.
//! Comments are edited with PATCH, as GitHub documents (octocrab's `update_comment` sends POST).
//! Images are committed to an existing branch with the contents API ([`Forge::publish_image`]).

use crate::error::decode;
use std::path::Path;

use http::{HeaderMap, StatusCode};
use octocrab::Octocrab;
use octocrab::service::middleware::retry::RetryConfig;

use crate::retry::{self, classify};
use crate::{
    Comment, CommentId, Forge, ForgeError, ForgeKind, Markdown, RetryPolicy, Token, TokenKind, User,
};

/// Name used in messages.
const HOST: &str = "GitHub";
/// Most pages followed when listing (100 comments each).
const MAX_PAGES: usize = 1000;

/// A client for one GitHub repository. Blocking: it owns a single-threaded tokio runtime.
pub struct GitHub {
    runtime: tokio::runtime::Runtime,
    client: Octocrab,
    owner: String,
    repo: String,
    policy: RetryPolicy,
    token: Token,
    base: String,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("owner", &self.owner)
            .field("repo", &self.repo)
            .finish_non_exhaustive()
    }
}

/// An HTTP answer: status, headers, body.
type Answer = (StatusCode, HeaderMap, Vec<u8>);

impl GitHub {
    /// A client for `owner/repo` at `api_url` (`https://api.github.com`, or
    /// `https://HOST/api/v3` for GitHub Enterprise Server).
    pub fn new(
        api_url: &str,
        repo: &str,
        token: &Token,
        policy: RetryPolicy,
    ) -> Result<Self, ForgeError> {
        if token.kind() == TokenKind::GitLabJob {
            return Err(ForgeError::Config {
                message: "GitHub needs a GitHub token, not a GitLab job token".into(),
            });
        }
        let (owner, name) = repo
            .split_once('/')
            .filter(|(o, r)| valid_name(o) && valid_name(r))
            .ok_or_else(|| ForgeError::Config {
                message: format!("GitHub repository `{repo}` is not `owner/repo`"),
            })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ForgeError::Config {
                message: format!("cannot start the HTTP runtime: {e}"),
            })?;
        let base = api_url.trim_end_matches('/').to_owned();
        let client = build_client(&runtime, &base, token)?;
        Ok(Self {
            runtime,
            client,
            owner: owner.to_owned(),
            repo: name.to_owned(),
            policy,
            token: token.clone(),
            base,
        })
    }

    /// Sends one request and collects the answer.
    fn send(
        &self,
        action: &'static str,
        method: http::Method,
        uri: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Answer, ForgeError> {
        let transport = |e: octocrab::Error| ForgeError::Transport {
            host: HOST,
            action,
            message: e.to_string(),
        };
        self.runtime.block_on(async {
            let resp = match method {
                http::Method::GET => self.client._get(uri).await,
                http::Method::POST => self.client._post(uri, body).await,
                http::Method::PATCH => self.client._patch(uri, body).await,
                http::Method::PUT => self.client._put(uri, body).await,
                _ => self.client._delete(uri, body).await,
            }
            .map_err(transport)?;
            let status = resp.status();
            let headers = resp.headers().clone();
            let bytes = crate::bounded::read_body(resp, crate::bounded::MAX_ANSWER_BYTES)
                .await
                .map_err(|message| ForgeError::Decode {
                    host: HOST,
                    action,
                    message,
                })?;
            Ok((status, headers, bytes))
        })
    }

    /// Sends and turns an error status into a [`ForgeError`].
    fn call(
        &self,
        action: &'static str,
        method: http::Method,
        uri: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Answer, ForgeError> {
        let (status, headers, bytes) = self.send(action, method, uri, body)?;
        if status.is_success() {
            Ok((status, headers, bytes))
        } else {
            Err(classify(HOST, action, status.as_u16(), &headers, &bytes))
        }
    }

    /// `/repos/{owner}/{repo}`.
    fn repo_path(&self) -> String {
        format!("/repos/{}/{}", self.owner, self.repo)
    }

    /// For [`crate::releases`]: sends `method` to `uri` (a path under the API root such as
    /// `/repos/{owner}/{repo}/releases?per_page=100`, or an absolute `Link` URL) once, returning
    /// the headers and body of a successful answer.
    pub(crate) fn releases_call(
        &self,
        action: &'static str,
        method: http::Method,
        uri: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(HeaderMap, Vec<u8>), ForgeError> {
        self.call(action, method, uri, body)
            .map(|(_, headers, bytes)| (headers, bytes))
    }

    /// For [`crate::releases`]: POSTs raw `bytes` to `url` (a release's `upload_url`) once.
    ///
    /// The URL is used as GitHub gives it: `https://uploads.github.com/...` on github.com,
    /// `https://HOST/api/uploads/...` on Enterprise Server. The API client would put its base
    /// path in front of the latter (`/api/v3/api/uploads/...`, issue 12), so the upload goes
    /// through a client rooted at the URL's origin.
    pub(crate) fn releases_upload(
        &self,
        action: &'static str,
        url: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<Vec<u8>, ForgeError> {
        let transport = |message: String| ForgeError::Transport {
            host: HOST,
            action,
            message,
        };
        let uploader = match origin(url) {
            Some(origin) if !url.starts_with(&format!("{}/", self.base)) => {
                build_client(&self.runtime, &origin, &self.token)?
            }
            _ => self.client.clone(),
        };
        let (status, headers, body) = self.runtime.block_on(async {
            let len = bytes.len();
            let request = http::Request::builder()
                .method(http::Method::POST)
                .uri(url)
                .header(http::header::CONTENT_TYPE, content_type)
                .header(http::header::CONTENT_LENGTH, len)
                .body(bytes)
                .map_err(|e| transport(e.to_string()))?;
            let resp = uploader
                .execute(request)
                .await
                .map_err(|e| transport(e.to_string()))?;
            let status = resp.status();
            let headers = resp.headers().clone();
            let bytes = crate::bounded::read_body(resp, crate::bounded::MAX_ANSWER_BYTES)
                .await
                .map_err(transport)?;
            Ok::<_, ForgeError>((status, headers, bytes))
        })?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(classify(HOST, action, status.as_u16(), &headers, &body))
        }
    }

    /// For [`crate::releases`]: the token, for asset downloads.
    pub(crate) fn releases_token(&self) -> &Token {
        &self.token
    }

    /// For [`crate::releases`]: `/repos/{owner}/{repo}`.
    pub(crate) fn releases_repo_path(&self) -> String {
        self.repo_path()
    }

    /// For [`crate::deployments`]: sends `method` to `/repos/{owner}/{repo}{suffix}` once and
    /// returns the body of a successful answer (callers choose the retry rule).
    pub(crate) fn deployments_call(
        &self,
        action: &'static str,
        method: http::Method,
        suffix: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Vec<u8>, ForgeError> {
        let uri = format!("{}{suffix}", self.repo_path());
        self.call(action, method, &uri, body)
            .map(|(_, _, bytes)| bytes)
    }
}

/// An octocrab client for requests under `base`, sending `token`, with octocrab's retries off.
fn build_client(
    runtime: &tokio::runtime::Runtime,
    base: &str,
    token: &Token,
) -> Result<Octocrab, ForgeError> {
    let _guard = runtime.enter();
    Octocrab::builder()
        .base_uri(base)
        .map_err(|_| ForgeError::Config {
            message: format!("`{base}` is not a valid API URL"),
        })?
        .personal_token(token.expose().to_owned())
        .add_retry_config(RetryConfig::None)
        .set_connect_timeout(Some(std::time::Duration::from_secs(15)))
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .build()
        .map_err(|e| ForgeError::Config {
            message: format!("cannot build the GitHub client: {e}"),
        })
}

/// The origin (`scheme://authority`) of an absolute URL, `None` for a path.
fn origin(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    Some(format!("{}://{}", uri.scheme_str()?, uri.authority()?))
}

/// Our comment from octocrab's.
fn to_comment(c: octocrab::models::issues::Comment) -> Comment {
    Comment {
        id: CommentId(c.id.0),
        author_is_bot: c.user.r#type == "Bot",
        author: c.user.login,
        body: c.body.unwrap_or_default(),
        url: Some(c.html_url.to_string()),
    }
}

/// The `rel="next"` URL of a `Link` header.
pub(crate) fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get("link")?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
    })
}

/// Branch names and file paths this crate commits to: letters, digits, `-`, `_`, `.`, and `/`
/// between non-empty parts that are not `.` or `..`. Nothing needs escaping in a URL.
fn valid_ref_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('/')
            .all(|part| valid_name(part) && part != "." && part != "..")
}

/// GitHub owner and repository names: letters, digits, `-`, `_`, `.`.
fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl Forge for GitHub {
    fn kind(&self) -> ForgeKind {
        ForgeKind::GitHub
    }

    fn retry_policy(&self) -> &RetryPolicy {
        &self.policy
    }

    fn current_user(&self) -> Result<Option<User>, ForgeError> {
        // Installation tokens have no user; GitHub refuses them on `/user` (issue 12).
        if self.token.kind() == TokenKind::Installation {
            return Ok(None);
        }
        let action = "read the token's user";
        let answer = retry::run(&self.policy, || {
            self.call(action, http::Method::GET, "/user", None)
        });
        let bytes = match answer {
            Ok((_, _, bytes)) => bytes,
            // A token of unknown form that turns out to be an installation token.
            Err(e) if e.is_forbidden() => return Ok(None),
            Err(e) => return Err(e),
        };
        let user: octocrab::models::Author = decode(HOST, action, &bytes)?;
        Ok(Some(User {
            login: user.login,
            id: user.id.0,
        }))
    }

    fn list_comments(&self, change: u64) -> Result<Vec<Comment>, ForgeError> {
        let action = "list comments";
        let mut url = format!("{}/issues/{change}/comments?per_page=100", self.repo_path());
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let (_, headers, bytes) = retry::run(&self.policy, || {
                self.call(action, http::Method::GET, &url, None)
            })?;
            let page: Vec<octocrab::models::issues::Comment> = decode(HOST, action, &bytes)?;
            out.extend(page.into_iter().map(to_comment));
            match next_link(&headers) {
                Some(next) => url = next,
                None => break,
            }
        }
        out.sort_by_key(|c| c.id);
        Ok(out)
    }

    fn create_comment(&self, change: u64, body: &str) -> Result<Comment, ForgeError> {
        let action = "create a comment";
        let uri = format!("{}/issues/{change}/comments", self.repo_path());
        let payload = serde_json::json!({ "body": body });
        let (_, _, bytes) = retry::run_unapplied(&self.policy, || {
            self.call(action, http::Method::POST, &uri, Some(&payload))
        })?;
        Ok(to_comment(decode(HOST, action, &bytes)?))
    }

    fn update_comment(
        &self,
        _change: u64,
        id: CommentId,
        body: &str,
    ) -> Result<Comment, ForgeError> {
        let action = "update a comment";
        let uri = format!("{}/issues/comments/{}", self.repo_path(), id.0);
        let payload = serde_json::json!({ "body": body });
        let (_, _, bytes) = retry::run(&self.policy, || {
            self.call(action, http::Method::PATCH, &uri, Some(&payload))
        })?;
        Ok(to_comment(decode(HOST, action, &bytes)?))
    }

    fn delete_comment(&self, _change: u64, id: CommentId) -> Result<(), ForgeError> {
        let action = "delete a comment";
        let uri = format!("{}/issues/comments/{}", self.repo_path(), id.0);
        retry::run(&self.policy, || {
            self.call(
                action,
                http::Method::DELETE,
                &uri,
                None::<&serde_json::Value>,
            )
        })
        .map(|_| ())
    }

    fn publish_image(&self, branch: &str, path: &str, bytes: &[u8]) -> Result<String, ForgeError> {
        use base64::Engine as _;
        for (what, value) in [("branch", branch), ("file path", path)] {
            if !valid_ref_path(value) {
                return Err(ForgeError::Config {
                    message: format!(
                        "{what} `{value}` may only use letters, digits, `-`, `_`, `.` and `/`"
                    ),
                });
            }
        }
        let action = "find the image branch";
        let uri = format!("{}/git/ref/heads/{branch}", self.repo_path());
        match retry::run(&self.policy, || {
            self.call(action, http::Method::GET, &uri, None)
        }) {
            Ok(_) => {}
            Err(ForgeError::NotFound { .. }) => {
                return Err(ForgeError::Config {
                    message: format!(
                        "branch `{branch}` does not exist in {}/{}; create it once with `git switch --orphan {branch} && git commit --allow-empty -m charts && git push origin {branch}`",
                        self.owner, self.repo
                    ),
                });
            }
            Err(e) => return Err(e),
        }

        let action = "read the image file on the branch";
        let uri = format!("{}/contents/{path}?ref={branch}", self.repo_path());
        let existing = match retry::run(&self.policy, || {
            self.call(action, http::Method::GET, &uri, None)
        }) {
            Ok((_, _, bytes)) => {
                let v: serde_json::Value = decode(HOST, action, &bytes)?;
                let sha = v.get("sha").and_then(serde_json::Value::as_str);
                Some(sha.map(str::to_owned).ok_or_else(|| ForgeError::Decode {
                    host: HOST,
                    action,
                    message: format!("`{path}` is not a file"),
                })?)
            }
            Err(ForgeError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };

        let action = "commit an image to the branch";
        let uri = format!("{}/contents/{path}", self.repo_path());
        let mut payload = serde_json::json!({
            "message": format!("modelci: update {path}"),
            "content": base64::engine::general_purpose::STANDARD.encode(bytes),
            "branch": branch,
        });
        if let (Some(sha), Some(obj)) = (existing, payload.as_object_mut()) {
            obj.insert("sha".into(), serde_json::Value::String(sha));
        }
        let (_, _, answer) = retry::run_unapplied(&self.policy, || {
            self.call(action, http::Method::PUT, &uri, Some(&payload))
        })?;
        let v: serde_json::Value = decode(HOST, action, &answer)?;
        let content = v.get("content");
        let field = |name: &str| {
            content
                .and_then(|c| c.get(name))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        field("download_url")
            .or_else(|| field("html_url").map(|u| u.replacen("/blob/", "/raw/", 1)))
            .ok_or_else(|| ForgeError::Decode {
                host: HOST,
                action,
                message: "the answer has no download_url or html_url".into(),
            })
    }

    fn upload_image(&self, _path: &Path) -> Result<Markdown, ForgeError> {
        Err(ForgeError::Unsupported {
            host: HOST,
            what: "upload images for comments",
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_link_header() {
        let mut h = HeaderMap::new();
        h.insert(
            "link",
            http::HeaderValue::from_static(
                "<https://api.github.com/x?page=2>; rel=\"next\", <https://api.github.com/x?page=5>; rel=\"last\"",
            ),
        );
        assert_eq!(next_link(&h).unwrap(), "https://api.github.com/x?page=2");
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn checks_branch_and_path() {
        assert!(valid_ref_path("modelci/eval-diff/default/7/metrics.png"));
        assert!(valid_ref_path("modelci-charts"));
        assert!(!valid_ref_path("a//b"));
        assert!(!valid_ref_path("a/../b"));
        assert!(!valid_ref_path("a b"));
        assert!(!valid_ref_path("a?ref=x"));
    }

    #[test]
    fn rejects_bad_repo() {
        let t = Token::new("t");
        assert!(GitHub::new("https://api.github.com", "noslash", &t, RetryPolicy::none()).is_err());
        assert!(GitHub::new("https://api.github.com", "a/b c", &t, RetryPolicy::none()).is_err());
    }
}
