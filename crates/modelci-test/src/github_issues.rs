//! The fake's GitHub issues: list (with GitHub's pull requests among them), create, update.
//!
//! As on GitHub, issues and pull requests share one number space and the list endpoint returns
//! both (a pull request carries a `pull_request` key), so a client that forgets to skip them
//! is caught. Creating or updating needs `issues: write` for an installation token.

use serde_json::{Value, json};

use crate::github::user_json;
use crate::server::{Ctx, Req, Resp};
use crate::state::FakeUser;

/// An issue the fake holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIssue {
    /// `owner/repo`.
    pub repo: String,
    /// Issue number (from 1000, clear of the pull request numbers tests use).
    pub number: u64,
    /// Title.
    pub title: String,
    /// Body (Markdown).
    pub body: String,
    /// Label names.
    pub labels: Vec<String>,
    /// `open` or `closed`.
    pub state: String,
    /// Why it was closed (`completed`, `not_planned`), when closed.
    pub state_reason: Option<String>,
    /// Login of the author.
    pub author: String,
    /// Id of the author.
    pub author_id: u64,
    /// Creation and update times.
    pub created_at: String,
    /// Last update.
    pub updated_at: String,
}

/// The fake's memory of issues.
#[derive(Debug, Default)]
pub struct IssueState {
    /// Issues in creation order.
    pub issues: Vec<StoredIssue>,
    /// Pull requests seeded as open on the list endpoint: (`owner/repo`, number).
    pub open_pulls: Vec<(String, u64)>,
}

/// Handles `issues/list-for-repo`, `issues/create` and `issues/update`.
pub(crate) fn handle(
    ctx: &mut Ctx<'_>,
    req: &Req,
    op: &str,
    param: &dyn Fn(&str) -> String,
    repo: &str,
    user: &FakeUser,
) -> Result<(u16, Value), Resp> {
    let api = crate::github::api_base(ctx, req);
    let html = ctx.origin.to_owned();
    match op {
        "issues/list-for-repo" => {
            let state = req.query_param("state").unwrap_or("open").to_owned();
            let labels = split_labels(req.query_param("labels"));
            let per_page: usize = req
                .query_param("per_page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(30)
                .min(100);
            let page: usize = req
                .query_param("page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1)
                .max(1);
            let mut all: Vec<Value> = Vec::new();
            // GitHub lists pull requests as issues too; without labels filter they show up.
            if labels.is_empty() && state != "closed" {
                for (pull_repo, number) in &ctx.state.issues.open_pulls {
                    if pull_repo == repo {
                        let mut pull = issue_json(&api, &html, &pull_stub(repo, *number, user));
                        pull["pull_request"] = json!({
                            "url": format!("{api}/repos/{repo}/pulls/{number}"),
                            "html_url": format!("{html}/{repo}/pull/{number}"),
                            "diff_url": format!("{html}/{repo}/pull/{number}.diff"),
                            "patch_url": format!("{html}/{repo}/pull/{number}.patch"),
                        });
                        all.push(pull);
                    }
                }
            }
            for issue in ctx.state.issues.issues.iter().rev() {
                let state_ok = state == "all" || issue.state == state;
                let labels_ok = labels.iter().all(|l| issue.labels.contains(l));
                if issue.repo == repo && state_ok && labels_ok {
                    all.push(issue_json(&api, &html, issue));
                }
            }
            let page_items: Vec<Value> = all
                .into_iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .collect();
            Ok((200, Value::Array(page_items)))
        }
        "issues/create" => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            let title = match &body["title"] {
                Value::String(s) if !s.is_empty() => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return Err(validation_failed("title wasn't supplied.")),
            };
            let now = ctx.state.now();
            let number = 1000
                + ctx
                    .state
                    .issues
                    .issues
                    .iter()
                    .filter(|i| i.repo == repo)
                    .count() as u64;
            let issue = StoredIssue {
                repo: repo.to_owned(),
                number,
                title,
                body: body["body"].as_str().unwrap_or("").to_owned(),
                labels: labels_of(&body),
                state: "open".into(),
                state_reason: None,
                author: user.login.clone(),
                author_id: user.id,
                created_at: now.clone(),
                updated_at: now,
            };
            ctx.state.issues.issues.push(issue.clone());
            Ok((201, issue_json(&api, &html, &issue)))
        }
        "issues/update" => {
            let number: u64 = param("issue_number").parse().unwrap_or(0);
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            let now = ctx.state.now();
            let Some(issue) = ctx
                .state
                .issues
                .issues
                .iter_mut()
                .find(|i| i.repo == repo && i.number == number)
            else {
                return Err(Resp::json(
                    404,
                    &json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest/issues/issues#update-an-issue", "status": "404"}),
                ));
            };
            if let Some(text) = body["body"].as_str() {
                issue.body = text.to_owned();
            }
            if let Some(title) = body["title"].as_str() {
                issue.title = title.to_owned();
            }
            if body.get("labels").is_some() {
                issue.labels = labels_of(&body);
            }
            match body["state"].as_str() {
                Some("closed") if issue.state != "closed" => {
                    issue.state = "closed".into();
                    issue.state_reason = Some(
                        body["state_reason"]
                            .as_str()
                            .unwrap_or("completed")
                            .to_owned(),
                    );
                }
                Some("open") if issue.state != "open" => {
                    issue.state = "open".into();
                    issue.state_reason = Some("reopened".into());
                }
                _ => {}
            }
            issue.updated_at = now;
            let issue = issue.clone();
            Ok((200, issue_json(&api, &html, &issue)))
        }
        _ => Err(Resp::json(
            501,
            &json!({"message": "not implemented by the fake"}),
        )),
    }
}

/// A comma-separated label list (GitHub's `labels` query, GitLab's `labels` parameter).
pub(crate) fn split_labels(list: Option<&str>) -> Vec<String> {
    list.map(|l| {
        l.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

fn labels_of(body: &Value) -> Vec<String> {
    body["labels"]
        .as_array()
        .map(|labels| {
            labels
                .iter()
                .filter_map(|l| l.as_str().or_else(|| l["name"].as_str()).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn pull_stub(repo: &str, number: u64, user: &FakeUser) -> StoredIssue {
    StoredIssue {
        repo: repo.to_owned(),
        number,
        title: format!("Pull request {number}"),
        body: String::new(),
        labels: Vec::new(),
        state: "open".into(),
        state_reason: None,
        author: user.login.clone(),
        author_id: user.id,
        created_at: "2026-01-01T00:00:00Z".into(),
        updated_at: "2026-01-01T00:00:00Z".into(),
    }
}

fn validation_failed(message: &str) -> Resp {
    Resp::json(
        422,
        &json!({"message": "Validation Failed", "errors": [{"resource": "Issue", "code": "missing_field", "field": "title", "message": message}], "documentation_url": "https://docs.github.com/rest/issues/issues#create-an-issue", "status": "422"}),
    )
}

/// GitHub's issue object, with every field the description requires.
fn issue_json(api: &str, html: &str, issue: &StoredIssue) -> Value {
    let url = format!("{api}/repos/{}/issues/{}", issue.repo, issue.number);
    let labels: Vec<Value> = issue
        .labels
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "id": 7000 + i as u64,
                "node_id": format!("LA_kwDO{i:08}"),
                "url": format!("{api}/repos/{}/labels/{name}", issue.repo),
                "name": name,
                "description": null,
                "color": "ededed",
                "default": false
            })
        })
        .collect();
    json!({
        "id": 500_000 + issue.number,
        "node_id": format!("I_kwDO{:010}", issue.number),
        "url": url,
        "repository_url": format!("{api}/repos/{}", issue.repo),
        "labels_url": format!("{url}/labels{{/name}}"),
        "comments_url": format!("{url}/comments"),
        "events_url": format!("{url}/events"),
        "html_url": format!("{html}/{}/issues/{}", issue.repo, issue.number),
        "number": issue.number,
        "state": issue.state,
        "state_reason": issue.state_reason,
        "title": issue.title,
        "body": issue.body,
        "user": user_json(api, html, &issue.author, issue.author_id),
        "labels": labels,
        "assignee": null,
        "assignees": [],
        "milestone": null,
        "locked": false,
        "active_lock_reason": null,
        "comments": 0,
        "closed_at": if issue.state == "closed" { Value::String(issue.updated_at.clone()) } else { Value::Null },
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "author_association": "NONE"
    })
}
