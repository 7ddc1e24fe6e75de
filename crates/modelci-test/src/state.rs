//! The fake host's memory: users, comments, uploads, faults, and what happened.
//!
//! One `State` sits behind a mutex shared by the server thread and the test. Both code hosts
//! share it, so a test can seed data, inject faults and read back the outcome in one place.

use std::collections::{BTreeMap, HashSet};

/// What a token is, and so what the fake lets it do (the real services' rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenKind {
    /// A personal access token (GitHub classic `ghp_`, fine-grained `github_pat_`; GitLab
    /// personal): acts as its user, `GET /user` answers the user.
    Personal,
    /// A GitHub installation token (`ghs_`): Actions' `GITHUB_TOKEN` or a GitHub App's. Acts as
    /// `<slug>[bot]` (type `Bot`); `GET /user` answers 403 "Resource not accessible by
    /// integration", and so does every write its [`Permissions`] do not cover.
    Installation(Permissions),
    /// A GitLab project (or group) access token: acts as its bot user (`bot: true`), and
    /// `GET /user` answers that user.
    ProjectBot,
    /// A GitLab CI job token (`JOB-TOKEN`): accepted only where GitLab allows job tokens (`GET
    /// /job`, reading notes, releases, release links, generic packages); elsewhere (`GET /user`,
    /// writing notes, uploads) the header is ignored and GitLab answers 401.
    Job,
}

/// The repository permissions of a GitHub installation token (`permissions:` of a workflow).
/// Reading is always allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permissions {
    /// `contents: write`: releases and their assets, files, branches.
    pub contents_write: bool,
    /// `pull-requests: write`: pull request comments.
    pub pull_requests_write: bool,
    /// `deployments: write`: deployments and their statuses.
    pub deployments_write: bool,
    /// `issues: write`: issues (drift-check's sticky issue).
    pub issues_write: bool,
}

impl Permissions {
    /// Everything the README's workflows ask for.
    pub const WRITE_ALL: Self = Self {
        contents_write: true,
        pull_requests_write: true,
        deployments_write: true,
        issues_write: true,
    };
    /// Read-only, as `GITHUB_TOKEN` is on a pull request from a fork.
    pub const READ_ONLY: Self = Self {
        contents_write: false,
        pull_requests_write: false,
        deployments_write: false,
        issues_write: false,
    };
}

/// A user account known to the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeUser {
    /// Numeric id.
    pub id: u64,
    /// Login (GitHub) or username (GitLab).
    pub login: String,
    /// A bot account: GitHub `type: "Bot"` (`<slug>[bot]`), GitLab `bot: true`.
    pub bot: bool,
}

/// A comment (GitHub) or note (GitLab) as stored by the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredComment {
    /// Comment or note id (global, increasing).
    pub id: u64,
    /// `owner/repo` or the GitLab project path.
    pub repo: String,
    /// Issue, pull request or merge request number.
    pub number: u64,
    /// Author's login.
    pub author: String,
    /// Author's user id.
    pub author_id: u64,
    /// Markdown body.
    pub body: String,
    /// GitLab system note (never authored by a client).
    pub system: bool,
    /// Creation time, RFC 3339.
    pub created_at: String,
    /// Last update time, RFC 3339.
    pub updated_at: String,
}

/// A file stored by `POST /projects/:id/uploads`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUpload {
    /// Project path.
    pub project: String,
    /// File name as sent in the multipart part.
    pub filename: String,
    /// File content.
    pub bytes: Vec<u8>,
    /// The `url` returned to the client.
    pub url: String,
}

/// A file committed to a branch through the contents API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// `owner/repo`.
    pub repo: String,
    /// Branch name.
    pub branch: String,
    /// Path in the repository.
    pub path: String,
    /// File content.
    pub bytes: Vec<u8>,
    /// Blob SHA handed out (40 hex digits); changes with every commit.
    pub sha: String,
    /// How many commits wrote this file.
    pub commits: u32,
}

/// What an injected fault answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer with this status (e.g. 502) without touching state.
    Status(u16),
    /// Do the work, then answer with this status anyway: the client cannot know it succeeded.
    ProcessThenStatus(u16),
    /// 429 with `Retry-After: secs`.
    TooManyRequests {
        /// Seconds for the `Retry-After` header.
        retry_after: u64,
    },
    /// GitHub's secondary rate limit: 403 with `retry-after`, or with
    /// `x-ratelimit-remaining: 0` and `x-ratelimit-reset` (epoch seconds) when `retry_after` is
    /// `None`.
    SecondaryRateLimit {
        /// Seconds for `retry-after`, if sent.
        retry_after: Option<u64>,
        /// Seconds from now for `x-ratelimit-reset`.
        reset_in: u64,
    },
    /// A hostile or broken host: 200 with a body of this many bytes (spaces), for the size
    /// caps on answers (`docs/limits.md`), GitHub's and GitLab's alike.
    Oversized(usize),
    /// `302 Found` to this URL (a proxy or a hostile host sending the client, and maybe its
    /// token, elsewhere).
    Redirect(String),
}

/// A queued fault: the next `remaining` requests matching `method` and `path_contains` get it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// HTTP method to match; `None` matches all.
    pub method: Option<String>,
    /// Substring the request path must contain.
    pub path_contains: String,
    /// How many more requests get the fault.
    pub remaining: usize,
    /// The answer.
    pub kind: FaultKind,
}

/// One request seen by the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// Path without query string.
    pub path: String,
    /// Raw query string.
    pub query: String,
    /// Status the fake answered.
    pub status: u16,
}

/// Everything the fake remembers.
#[derive(Debug, Default)]
pub struct State {
    /// Users by id.
    pub users: BTreeMap<u64, FakeUser>,
    /// Token → (user id, kind).
    pub tokens: BTreeMap<String, (u64, TokenKind)>,
    /// All comments and notes, in id order.
    pub comments: Vec<StoredComment>,
    /// GitLab projects: numeric id → path.
    pub projects: BTreeMap<u64, String>,
    /// Uploads in order.
    pub uploads: Vec<StoredUpload>,
    /// GitHub branches: (`owner/repo`, branch) → head commit SHA.
    pub branches: BTreeMap<(String, String), String>,
    /// Files committed through the contents API.
    pub files: Vec<StoredFile>,
    /// Repositories or projects where writes are forbidden (fork PRs).
    pub forbidden: HashSet<String>,
    /// Pending faults.
    pub faults: Vec<Fault>,
    /// Requests in arrival order.
    pub log: Vec<LoggedRequest>,
    /// Requests the real API would reject, described.
    pub violations: Vec<String>,
    /// Last id handed out (comments, notes, uploads share it).
    pub last_id: u64,
    /// Fake clock, seconds since the start of the day.
    pub clock: u64,
    /// Deployments and their statuses (issue 6).
    pub deploy: crate::github_deployments::DeployState,
    /// Releases, release assets, generic packages and GitLab releases (issue 6).
    pub releases: crate::github_releases::ReleaseState,
    /// GitHub issues (drift-check's sticky issue).
    pub issues: crate::github_issues::IssueState,
}

impl State {
    /// A fresh id.
    pub fn next_id(&mut self) -> u64 {
        self.last_id += 1;
        self.last_id
    }

    /// A fresh 40-hex-digit SHA.
    pub fn next_sha(&mut self) -> String {
        format!("{:040x}", 0x5eed_0000_u64 + self.next_id())
    }

    /// The current fake time (advances one second per call), RFC 3339.
    pub fn now(&mut self) -> String {
        self.clock += 1;
        let t = self.clock;
        format!(
            "2026-01-{:02}T{:02}:{:02}:{:02}Z",
            1 + (t / 86_400) % 28,
            (t / 3600) % 24,
            (t / 60) % 60,
            t % 60
        )
    }

    /// Takes the first fault matching the request, if any, counting it down.
    pub fn take_fault(&mut self, method: &str, path: &str) -> Option<FaultKind> {
        let idx = self.faults.iter().position(|f| {
            f.remaining > 0
                && f.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && path.contains(&f.path_contains)
        })?;
        let fault = &mut self.faults[idx];
        fault.remaining -= 1;
        let kind = fault.kind.clone();
        if fault.remaining == 0 {
            self.faults.remove(idx);
        }
        Some(kind)
    }

    /// The user behind a token.
    pub fn user_for(&self, token: &str) -> Option<(FakeUser, TokenKind)> {
        let (id, kind) = self.tokens.get(token)?;
        Some((self.users.get(id)?.clone(), *kind))
    }

    /// Adds a user (or finds it by login) and returns its id.
    pub fn ensure_user(&mut self, login: &str) -> u64 {
        if let Some(u) = self.users.values().find(|u| u.login == login) {
            return u.id;
        }
        let id = 1000 + self.users.len() as u64 + 1;
        self.users.insert(
            id,
            FakeUser {
                id,
                login: login.to_owned(),
                bot: login.ends_with("[bot]"),
            },
        );
        id
    }

    /// Adds a bot account with a fixed id (or finds it by login) and returns its id.
    pub fn ensure_bot(&mut self, login: &str, id: u64) -> u64 {
        if let Some(u) = self.users.values().find(|u| u.login == login) {
            return u.id;
        }
        self.users.insert(
            id,
            FakeUser {
                id,
                login: login.to_owned(),
                bot: true,
            },
        );
        id
    }

    /// Stores a new comment and returns it.
    pub fn add_comment(
        &mut self,
        repo: &str,
        number: u64,
        author: &str,
        body: &str,
        system: bool,
    ) -> StoredComment {
        let author_id = self.ensure_user(author);
        let id = self.next_id();
        let now = self.now();
        let c = StoredComment {
            id,
            repo: repo.to_owned(),
            number,
            author: author.to_owned(),
            author_id,
            body: body.to_owned(),
            system,
            created_at: now.clone(),
            updated_at: now,
        };
        self.comments.push(c.clone());
        c
    }
}
