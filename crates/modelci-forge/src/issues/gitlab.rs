//! Issues on GitLab, through the `gitlab` crate's issue endpoints.

use gitlab::api::projects::issues::notes::CreateIssueNote;
use gitlab::api::projects::issues::{
    CreateIssue, EditIssue, IssueState, IssueStateEvent, Issues as ProjectIssues,
};
use serde::Deserialize;

use super::{Issue, Issues, decode};
use crate::gitlab::build_error;
use crate::retry;
use crate::{Forge as _, ForgeError, GitLab};

/// Name used in messages.
const HOST: &str = "GitLab";

/// Pages read at most (100 issues each).
const MAX_PAGES: u64 = 50;

/// The parts of an issue this crate reads.
#[derive(Debug, Deserialize)]
struct Listed {
    iid: u64,
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    web_url: Option<String>,
}

impl From<Listed> for Issue {
    fn from(listed: Listed) -> Self {
        Self {
            number: listed.iid,
            title: listed.title,
            body: listed.description.unwrap_or_default(),
            url: listed.web_url,
        }
    }
}

impl Issues for GitLab {
    fn open_issues(&self, label: &str) -> Result<Vec<Issue>, ForgeError> {
        let action = "list issues";
        let ep = ProjectIssues::builder()
            .project(self.deployments_project())
            .state(IssueState::Opened)
            .label(label)
            .build()
            .map_err(build_error)?;
        let mut issues = Vec::new();
        let mut page = 1u64;
        for _ in 0..MAX_PAGES {
            let extra = [("page", page.to_string()), ("per_page", "100".to_owned())];
            let (_, headers, bytes) = self.call(action, &ep, &extra)?;
            let listed: Vec<Listed> = decode(HOST, action, &bytes)?;
            issues.extend(listed.into_iter().map(Issue::from));
            match crate::gitlab::next_page(&headers, page) {
                Some(n) => page = n,
                None => break,
            }
        }
        Ok(issues)
    }

    fn create_issue(&self, title: &str, body: &str, label: &str) -> Result<Issue, ForgeError> {
        let action = "open an issue";
        let ep = CreateIssue::builder()
            .project(self.deployments_project())
            .title(title)
            .description(body)
            .label(label)
            .build()
            .map_err(build_error)?;
        let (_, _, bytes) =
            retry::run_unapplied(self.retry_policy(), || self.call_once(action, &ep, &[]))?;
        decode::<Listed>(HOST, action, &bytes).map(Issue::from)
    }

    fn update_issue(&self, number: u64, title: &str, body: &str) -> Result<Issue, ForgeError> {
        let action = "update an issue";
        let ep = EditIssue::builder()
            .project(self.deployments_project())
            .issue(number)
            .title(title)
            .description(body)
            .build()
            .map_err(build_error)?;
        let (_, _, bytes) = self.call(action, &ep, &[])?;
        decode::<Listed>(HOST, action, &bytes).map(Issue::from)
    }

    fn close_issue(&self, number: u64, comment: &str) -> Result<(), ForgeError> {
        let action = "comment on an issue";
        let note = CreateIssueNote::builder()
            .project(self.deployments_project())
            .issue(number)
            .body(comment)
            .build()
            .map_err(build_error)?;
        retry::run_unapplied(self.retry_policy(), || self.call_once(action, &note, &[]))?;
        let action = "close an issue";
        let ep = EditIssue::builder()
            .project(self.deployments_project())
            .issue(number)
            .state_event(IssueStateEvent::Close)
            .build()
            .map_err(build_error)?;
        self.call(action, &ep, &[])?;
        Ok(())
    }
}
