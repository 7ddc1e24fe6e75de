//! Test harness for modelci: an honest fake of the GitHub and GitLab REST APIs.
//!
//! # Why
//!
//! Code that talks to a code host is only as good as the fake it was tested against. This fake
//! refuses what the real services refuse: every GitHub request is checked against GitHub's own
//! OpenAPI description (`fixtures/openapi-subset.json`), every GitLab request against the
//! parameter tables of GitLab's docs (`fixtures/API.md`). A request the real API would reject is
//! a *violation*: it is answered like the real host would (404/422/400) and fails the test when
//! the [`FakeServer`] is dropped (or at [`FakeServer::assert_no_violations`]).
//!
//! # Tour
//!
//! - [`FakeServer::start`] serves both APIs on `127.0.0.1:0`: GitHub at [`FakeServer::github_url`]
//!   (or under `/api/v3`, like GitHub Enterprise Server, at [`FakeServer::github_enterprise_url`])
//!   and GitLab at [`FakeServer::gitlab_url`].
//! - Token kinds answer as on the real hosts (issue 12): a GitHub installation token
//!   ([`ACTIONS_TOKEN`], [`APP_TOKEN`]) acts as its `[bot]` and gets 403 "Resource not accessible
//!   by integration" on `GET /user` and on every write its [`Permissions`] lack ([`FORK_TOKEN`]
//!   is the read-only token of a fork's pull request); personal tokens ([`BOT_TOKEN`],
//!   [`PAT_TOKEN`]) act as their user; a GitLab project access token ([`PROJECT_TOKEN`]) acts as
//!   its bot user; GitLab's job token ([`JOB_TOKEN`]) is accepted only where GitLab accepts job
//!   tokens (elsewhere GitLab ignores the header and answers 401). Add more with
//!   [`FakeServer::add_user`].
//! - Seeded: token `bot-token` is user `modelci-bot`, `other-token` is `octo-reviewer`, GitLab job
//!   token `job-token` runs as `modelci-bot`, and GitLab project `modelci/demo` has id 42.
//! - Seed data with [`FakeServer::seed_comments`], deny writes with [`FakeServer::forbid_writes`],
//!   inject faults with [`FakeServer::inject`], and read results back with
//!   [`FakeServer::comments`], [`FakeServer::uploads`] and [`FakeServer::requests`].
//! - GitHub branches for the contents API: create one with [`FakeServer::add_branch`], read
//!   committed files back with [`FakeServer::files`].
//! - Releases (GitHub releases and assets, GitLab generic packages, releases and links): seed with
//!   [`FakeServer::seed_release`], break an upload with [`FakeServer::fail_release_upload`], make a
//!   GitLab release upcoming with [`FakeServer::set_gitlab_released_at`], read
//!   back with [`FakeServer::releases`], [`FakeServer::packages`] and
//!   [`FakeServer::gitlab_releases`].
//! - [`hints`]: the flags a binary's error messages tell users to give, to check against its
//!   `--help` (issue 15).
//! - Deployments (GitHub deployments and statuses, GitLab deployments) and the pull requests of a
//!   commit: [`FakeServer::seed_commit_pulls`], [`FakeServer::deployments`],
//!   [`FakeServer::deployment_statuses`].
//! - [`harness`]: running a built binary (exit code, stdout, stderr, report) and the
//!   repository's example data, shared by every binary's integration tests.
//! - [`mlserver`]: a real Seldon MLServer (Open Inference Protocol) started for a test and
//!   stopped with it.
//! - [`receiver`]: a local webhook receiver recording every body it is sent (Slack and JSON
//!   webhooks).
//! - [`snapshot`]: insta settings and report.json rendering that filter what changes from run
//!   to run (paths, versions, times), for the snapshot tests of every binary.

mod github;
mod github_deployments;
pub mod github_issues;
mod github_releases;
mod gitlab;
mod gitlab_deployments;
mod gitlab_issues;
mod gitlab_releases;
pub mod harness;
pub mod hints;
pub mod json_schema;
pub mod mlserver;
mod openapi;
mod raw;
pub mod receiver;
mod server;
pub mod snapshot;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

pub use github::MAX_COMMENT_CHARS as GITHUB_MAX_COMMENT_CHARS;
pub use github_deployments::{StoredDeployment, StoredDeploymentStatus};
pub use github_releases::{StoredAsset, StoredGitLabRelease, StoredPackageFile, StoredRelease};
pub use gitlab::MAX_NOTE_CHARS as GITLAB_MAX_NOTE_CHARS;
pub use raw::send_raw;
pub use state::{
    FakeUser, Fault, FaultKind, LoggedRequest, Permissions, StoredComment, StoredFile,
    StoredUpload, TokenKind,
};

use state::State;

/// The token of the seeded bot user `modelci-bot`.
pub const BOT_TOKEN: &str = "bot-token";
/// The login of the seeded bot user.
pub const BOT_LOGIN: &str = "modelci-bot";
/// The token of a second user, `octo-reviewer`.
pub const OTHER_TOKEN: &str = "other-token";
/// The login of the second user.
pub const OTHER_LOGIN: &str = "octo-reviewer";
/// A GitLab CI job token, running as `modelci-bot`.
pub const JOB_TOKEN: &str = "job-token";
/// Actions' `GITHUB_TOKEN` (an installation token, `ghs_`) with the write permissions the
/// README's workflows grant (`contents`, `pull-requests`, `deployments`): acts as
/// [`ACTIONS_LOGIN`]; `GET /user` answers 403.
pub const ACTIONS_TOKEN: &str = "ghs_fakeActionsToken0000000000000000000";
/// Actions' `GITHUB_TOKEN` on a pull request from a fork: read-only, every write answers 403.
pub const FORK_TOKEN: &str = "ghs_fakeForkReadOnlyToken00000000000000";
/// The author of comments written with `GITHUB_TOKEN`.
pub const ACTIONS_LOGIN: &str = "github-actions[bot]";
/// The user id of [`ACTIONS_LOGIN`] on github.com.
pub const ACTIONS_USER_ID: u64 = 41_898_282;
/// A GitHub App installation token (`ghs_`) with every write permission, acting as
/// [`APP_LOGIN`]; `GET /user` answers 403.
pub const APP_TOKEN: &str = "ghs_fakeAppInstallationToken00000000000";
/// The bot of the GitHub App behind [`APP_TOKEN`].
pub const APP_LOGIN: &str = "modelci-app[bot]";
/// A classic personal access token (`ghp_`) of [`BOT_LOGIN`].
pub const PAT_TOKEN: &str = "ghp_fakePersonalAccessToken000000000000";
/// A GitLab project access token (`glpat-`): acts as its bot user [`PROJECT_BOT_LOGIN`].
pub const PROJECT_TOKEN: &str = "glpat-fakeProjectAccessToken00";
/// The bot user of [`PROJECT_TOKEN`] (GitLab names them `project_<id>_bot_<hash>`).
pub const PROJECT_BOT_LOGIN: &str = "project_42_bot_5f0c1e2d";
/// The seeded GitLab project path.
pub const GITLAB_PROJECT: &str = "modelci/demo";
/// The seeded GitLab project id.
pub const GITLAB_PROJECT_ID: u64 = 42;

/// A running fake code host. Dropping it stops the server and fails the test if any request
/// broke the API's rules.
pub struct FakeServer {
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    addr: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Starts the fake on an ephemeral loopback port.
    ///
    /// # Panics
    ///
    /// When the port cannot be bound or the embedded API description does not parse; both are
    /// test-environment failures.
    #[allow(clippy::panic)]
    pub fn start() -> Self {
        let spec = match openapi::Spec::load() {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        let server = match tiny_http::Server::http("127.0.0.1:0") {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("fake server cannot bind 127.0.0.1:0: {e}"),
        };
        let Some(addr) = server.server_addr().to_ip() else {
            panic!("fake server is not on an IP socket");
        };
        let mut st = State::default();
        let bot = st.ensure_user(BOT_LOGIN);
        let other = st.ensure_user(OTHER_LOGIN);
        st.tokens
            .insert(BOT_TOKEN.into(), (bot, TokenKind::Personal));
        st.tokens
            .insert(OTHER_TOKEN.into(), (other, TokenKind::Personal));
        st.tokens.insert(JOB_TOKEN.into(), (bot, TokenKind::Job));
        st.tokens
            .insert(PAT_TOKEN.into(), (bot, TokenKind::Personal));
        let actions = st.ensure_bot(ACTIONS_LOGIN, ACTIONS_USER_ID);
        let write_all = TokenKind::Installation(Permissions::WRITE_ALL);
        st.tokens.insert(ACTIONS_TOKEN.into(), (actions, write_all));
        st.tokens.insert(
            FORK_TOKEN.into(),
            (actions, TokenKind::Installation(Permissions::READ_ONLY)),
        );
        let app = st.ensure_bot(APP_LOGIN, 7_100_001);
        st.tokens.insert(APP_TOKEN.into(), (app, write_all));
        let project_bot = st.ensure_bot(PROJECT_BOT_LOGIN, 9_042);
        st.tokens
            .insert(PROJECT_TOKEN.into(), (project_bot, TokenKind::ProjectBot));
        st.projects.insert(GITLAB_PROJECT_ID, GITLAB_PROJECT.into());
        let state = Arc::new(Mutex::new(st));
        let origin = format!("http://{addr}");
        let thread = {
            let (server, state) = (Arc::clone(&server), Arc::clone(&state));
            std::thread::spawn(move || server::serve(&server, &state, &spec, &origin))
        };
        Self {
            state,
            server,
            addr,
            thread: Some(thread),
        }
    }

    /// Base URL for GitHub clients (`http://127.0.0.1:PORT`, like `https://api.github.com`).
    pub fn github_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL in GitHub Enterprise Server form (`http://127.0.0.1:PORT/api/v3`).
    pub fn github_enterprise_url(&self) -> String {
        format!("http://{}/api/v3", self.addr)
    }

    /// GitLab API URL (`http://127.0.0.1:PORT/api/v4`).
    pub fn gitlab_url(&self) -> String {
        format!("http://{}/api/v4", self.addr)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a user with a personal token (or a GitLab job token) and returns its id.
    pub fn add_user(&self, token: &str, login: &str, kind: TokenKind) -> u64 {
        let mut st = self.lock();
        let id = st.ensure_user(login);
        st.tokens.insert(token.to_owned(), (id, kind));
        id
    }

    /// Adds a GitLab project.
    pub fn add_gitlab_project(&self, id: u64, path: &str) {
        self.lock().projects.insert(id, path.to_owned());
    }

    /// Adds `count` comments by `author` to issue/PR/MR `number` of `repo` (`owner/repo` or a
    /// GitLab project path). Bodies are `"{prefix} {i}"`.
    pub fn seed_comments(&self, repo: &str, number: u64, author: &str, count: usize, prefix: &str) {
        let mut st = self.lock();
        for i in 0..count {
            st.add_comment(repo, number, author, &format!("{prefix} {i}"), false);
        }
    }

    /// Adds one comment and returns its id.
    pub fn add_comment(&self, repo: &str, number: u64, author: &str, body: &str) -> u64 {
        self.lock()
            .add_comment(repo, number, author, body, false)
            .id
    }

    /// Adds a GitLab system note (e.g. "added 1 commit"), authored by `author`.
    pub fn add_system_note(&self, project: &str, mr: u64, author: &str, body: &str) -> u64 {
        self.lock().add_comment(project, mr, author, body, true).id
    }

    /// Makes every write to `repo` (GitHub `owner/repo` or GitLab project path) answer 403, as
    /// for a pull request from a fork whose token may not write.
    pub fn forbid_writes(&self, repo: &str) {
        self.lock().forbidden.insert(repo.to_owned());
    }

    /// The next `times` requests whose method is `method` (any when `None`) and whose path
    /// contains `path_contains` are answered with `kind`.
    pub fn inject(&self, method: Option<&str>, path_contains: &str, times: usize, kind: FaultKind) {
        self.lock().faults.push(Fault {
            method: method.map(str::to_owned),
            path_contains: path_contains.to_owned(),
            remaining: times,
            kind,
        });
    }

    /// Comments and notes (system notes included) on `number` of `repo`, oldest first.
    pub fn comments(&self, repo: &str, number: u64) -> Vec<StoredComment> {
        self.lock()
            .comments
            .iter()
            .filter(|c| c.repo == repo && c.number == number)
            .cloned()
            .collect()
    }

    /// Comments on `number` of `repo` written by `author`, oldest first.
    pub fn comments_by(&self, repo: &str, number: u64, author: &str) -> Vec<StoredComment> {
        self.comments(repo, number)
            .into_iter()
            .filter(|c| c.author == author)
            .collect()
    }

    /// Files uploaded so far.
    pub fn uploads(&self) -> Vec<StoredUpload> {
        self.lock().uploads.clone()
    }

    /// Creates branch `branch` in GitHub repository `repo` (`owner/repo`), empty.
    pub fn add_branch(&self, repo: &str, branch: &str) {
        let mut st = self.lock();
        let sha = st.next_sha();
        st.branches
            .insert((repo.to_owned(), branch.to_owned()), sha);
    }

    /// Files committed through GitHub's contents API so far.
    pub fn files(&self) -> Vec<StoredFile> {
        self.lock().files.clone()
    }

    /// Deployments created so far (GitHub and GitLab), in order.
    pub fn deployments(&self) -> Vec<StoredDeployment> {
        self.lock().deploy.deployments.clone()
    }

    /// Deployment statuses (GitHub) and status changes (GitLab) so far, in order.
    pub fn deployment_statuses(&self) -> Vec<StoredDeploymentStatus> {
        self.lock().deploy.statuses.clone()
    }

    /// Makes `GET /repos/{repo}/commits/{sha}/pulls` answer pull requests `numbers`.
    pub fn seed_commit_pulls(&self, repo: &str, sha: &str, numbers: &[u64]) {
        self.lock()
            .deploy
            .commit_pulls
            .insert((repo.to_owned(), sha.to_owned()), numbers.to_vec());
    }

    /// GitHub issues created so far (open and closed), in creation order.
    pub fn issues(&self) -> Vec<github_issues::StoredIssue> {
        self.lock().issues.issues.clone()
    }

    /// Makes GitHub's issue list show open pull request `number` of `repo` (GitHub lists pull
    /// requests among issues).
    pub fn seed_open_pull(&self, repo: &str, number: u64) {
        self.lock()
            .issues
            .open_pulls
            .push((repo.to_owned(), number));
    }

    /// GitHub releases (drafts included) with their assets, in creation order.
    pub fn releases(&self) -> Vec<StoredRelease> {
        self.lock().releases.releases.clone()
    }

    /// Adds a GitHub release for `tag` to `repo` (`owner/repo`), a draft or published, with
    /// `assets` (name, bytes) fully uploaded, and returns its id.
    pub fn seed_release(
        &self,
        repo: &str,
        tag: &str,
        draft: bool,
        assets: &[(&str, &[u8])],
    ) -> u64 {
        let mut st = self.lock();
        let author = st.ensure_user(BOT_LOGIN);
        let id = st.next_id();
        let now = st.now();
        let mut release = StoredRelease {
            id,
            repo: repo.to_owned(),
            tag: tag.to_owned(),
            name: tag.to_owned(),
            body: String::new(),
            draft,
            prerelease: false,
            target: "main".to_owned(),
            author: (BOT_LOGIN.to_owned(), author),
            created_at: now.clone(),
            published_at: (!draft).then(|| now.clone()),
            assets: Vec::new(),
            publications: u32::from(!draft),
        };
        for (name, bytes) in assets {
            let asset_id = st.next_id();
            release.assets.push(StoredAsset {
                id: asset_id,
                name: (*name).to_owned(),
                content_type: "application/octet-stream".to_owned(),
                bytes: bytes.to_vec(),
                state: "uploaded".to_owned(),
                created_at: now.clone(),
                uploader: (BOT_LOGIN.to_owned(), author),
            });
        }
        st.releases.releases.push(release);
        id
    }

    /// Cuts off the next `count` release asset downloads after half their bytes.
    pub fn truncate_release_downloads(&self, count: usize) {
        self.lock().releases.truncate_downloads = count;
    }

    /// Marks GitHub release `id` as a prerelease (or not).
    pub fn set_prerelease(&self, id: u64, prerelease: bool) {
        let mut st = self.lock();
        if let Some(r) = st.releases.releases.iter_mut().find(|r| r.id == id) {
            r.prerelease = prerelease;
        }
    }

    /// Lets `after` release asset uploads through, then breaks the next one off: half its bytes
    /// are kept as an asset in state `open` and the client gets 502 (GitHub documents that a
    /// failed upload may leave such an asset behind).
    pub fn fail_release_upload(&self, after: usize) {
        self.lock().releases.fail_upload_after = Some(after);
    }

    /// GitLab generic package files, every upload (duplicates included), in order.
    pub fn packages(&self) -> Vec<StoredPackageFile> {
        self.lock().releases.packages.clone()
    }

    /// GitLab releases with their links, in creation order.
    pub fn gitlab_releases(&self) -> Vec<StoredGitLabRelease> {
        self.lock().releases.gitlab_releases.clone()
    }

    /// Sets the `released_at` of GitLab release `tag` of `project` (a time after the fake's
    /// clock, such as `2099-01-01T00:00:00Z`, makes it an upcoming release).
    pub fn set_gitlab_released_at(&self, project: &str, tag: &str, released_at: &str) {
        let mut st = self.lock();
        if let Some(r) = st
            .releases
            .gitlab_releases
            .iter_mut()
            .find(|r| r.project == project && r.tag == tag)
        {
            r.released_at = released_at.to_owned();
        }
    }

    /// Makes tag `tag` exist in GitLab project `project` (a release for it then needs no `ref`).
    pub fn add_gitlab_tag(&self, project: &str, tag: &str) {
        self.lock()
            .releases
            .gitlab_tags
            .push((project.to_owned(), tag.to_owned()));
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.lock().log.clone()
    }

    /// Removes and returns the recorded violations (for tests of the fake itself).
    pub fn take_violations(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().violations)
    }

    /// Panics, listing them, if any request broke the API's rules.
    #[allow(clippy::panic)]
    pub fn assert_no_violations(&self) {
        let v = self.take_violations();
        if !v.is_empty() {
            panic!(
                "the fake code host saw {} request(s) the real API would reject:\n  {}",
                v.len(),
                v.join("\n  ")
            );
        }
    }
}

impl std::fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if !std::thread::panicking() {
            self.assert_no_violations();
        }
    }
}
