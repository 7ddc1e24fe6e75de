//! Issues on GitHub.

use serde::Deserialize;

use super::{Issue, Issues, decode};
use crate::retry;
use crate::{Forge as _, ForgeError, GitHub};

/// Name used in messages.
const HOST: &str = "GitHub";

/// The parts of an issue this crate reads.
#[derive(Debug, Deserialize)]
struct Listed {
    number: u64,
    title: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    /// Present on pull requests, which GitHub lists among issues.
    #[serde(default)]
    pull_request: Option<serde_json::Value>,
}

impl From<Listed> for Issue {
    fn from(listed: Listed) -> Self {
        Self {
            number: listed.number,
            title: listed.title,
            body: listed.body.unwrap_or_default(),
            url: listed.html_url,
        }
    }
}

/// Pages read at most (100 issues each).
const MAX_PAGES: u32 = 50;

impl Issues for GitHub {
    fn open_issues(&self, label: &str) -> Result<Vec<Issue>, ForgeError> {
        let action = "list issues";
        let label: String = form_urlencoded::byte_serialize(label.as_bytes()).collect();
        let mut issues = Vec::new();
        for page in 1..=MAX_PAGES {
            let suffix = format!("/issues?state=open&labels={label}&per_page=100&page={page}");
            let bytes = retry::run(self.retry_policy(), || {
                self.deployments_call(action, http::Method::GET, &suffix, None)
            })?;
            let listed: Vec<Listed> = decode(HOST, action, &bytes)?;
            let last = listed.len() < 100;
            issues.extend(
                listed
                    .into_iter()
                    .filter(|i| i.pull_request.is_none())
                    .map(Issue::from),
            );
            if last {
                break;
            }
        }
        Ok(issues)
    }

    fn create_issue(&self, title: &str, body: &str, label: &str) -> Result<Issue, ForgeError> {
        let action = "open an issue";
        let request = serde_json::json!({ "title": title, "body": body, "labels": [label] });
        let bytes = retry::run_unapplied(self.retry_policy(), || {
            self.deployments_call(action, http::Method::POST, "/issues", Some(&request))
        })?;
        decode::<Listed>(HOST, action, &bytes).map(Issue::from)
    }

    fn update_issue(&self, number: u64, title: &str, body: &str) -> Result<Issue, ForgeError> {
        let action = "update an issue";
        let request = serde_json::json!({ "title": title, "body": body });
        let suffix = format!("/issues/{number}");
        let bytes = retry::run(self.retry_policy(), || {
            self.deployments_call(action, http::Method::PATCH, &suffix, Some(&request))
        })?;
        decode::<Listed>(HOST, action, &bytes).map(Issue::from)
    }

    fn close_issue(&self, number: u64, comment: &str) -> Result<(), ForgeError> {
        let action = "comment on an issue";
        let request = serde_json::json!({ "body": comment });
        let suffix = format!("/issues/{number}/comments");
        retry::run_unapplied(self.retry_policy(), || {
            self.deployments_call(action, http::Method::POST, &suffix, Some(&request))
        })?;
        let action = "close an issue";
        let request = serde_json::json!({ "state": "closed", "state_reason": "completed" });
        let suffix = format!("/issues/{number}");
        retry::run(self.retry_policy(), || {
            self.deployments_call(action, http::Method::PATCH, &suffix, Some(&request))
        })?;
        Ok(())
    }
}
