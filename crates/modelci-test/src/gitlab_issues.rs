//! The fake's GitLab issues (doc/api/issues.md): list, create, edit (`state_event=close`), and
//! issue notes. Stored with GitHub's in [`crate::github_issues::IssueState`]; iids start at
//! 1000 so their notes never mix with merge request notes of the same number.

use serde_json::{Value, json};

use crate::github_issues::{StoredIssue, split_labels};
use crate::gitlab::{note_json, user_json};
use crate::server::{Ctx, Req, Resp};
use crate::state::FakeUser;

/// Answers one issue request whose parameters were already checked against the rules.
#[allow(clippy::too_many_arguments)]
pub(crate) fn answer(
    ctx: &mut Ctx<'_>,
    req: &Req,
    api: &str,
    path: &[&str],
    text: &dyn Fn(&str) -> Option<String>,
    project: &str,
    project_id: u64,
    user: &FakeUser,
) -> Resp {
    let web = ctx.origin.to_owned();
    let iid = text("issue_iid")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    match (req.method.as_str(), path.len()) {
        ("GET", 3) => {
            let state = text("state").unwrap_or_else(|| "all".into());
            let labels = split_labels(text("labels").as_deref());
            let items: Vec<Value> = ctx
                .state
                .issues
                .issues
                .iter()
                .rev()
                .filter(|i| i.repo == project)
                .filter(|i| state == "all" || gitlab_state(i) == state)
                .filter(|i| labels.iter().all(|l| i.labels.contains(l)))
                .map(|i| issue_json(&web, api, project_id, i))
                .collect();
            let page = crate::gitlab::Page::of(
                text("page").and_then(|p| p.parse().ok()),
                text("per_page").and_then(|p| p.parse().ok()),
                items.len(),
            );
            let shown: Vec<Value> = items
                .into_iter()
                .skip(page.skip())
                .take(page.per_page)
                .collect();
            page.answer(req, api, shown)
        }
        ("POST", 3) => {
            let now = ctx.state.now();
            let number = 1000
                + ctx
                    .state
                    .issues
                    .issues
                    .iter()
                    .filter(|i| i.repo == project)
                    .count() as u64;
            let issue = StoredIssue {
                repo: project.to_owned(),
                number,
                title: text("title").unwrap_or_default(),
                body: text("description").unwrap_or_default(),
                labels: split_labels(text("labels").as_deref()),
                state: "open".into(),
                state_reason: None,
                author: user.login.clone(),
                author_id: user.id,
                created_at: now.clone(),
                updated_at: now,
            };
            ctx.state.issues.issues.push(issue.clone());
            Resp::json(201, &issue_json(&web, api, project_id, &issue))
        }
        ("PUT", 4) => {
            let now = ctx.state.now();
            let Some(issue) = ctx
                .state
                .issues
                .issues
                .iter_mut()
                .find(|i| i.repo == project && i.number == iid)
            else {
                return Resp::json(404, &json!({ "message": "404 Not found" }));
            };
            if let Some(title) = text("title") {
                issue.title = title;
            }
            if let Some(description) = text("description") {
                issue.body = description;
            }
            match text("state_event").as_deref() {
                Some("close") => {
                    issue.state = "closed".into();
                    issue.state_reason = Some("completed".into());
                }
                Some("reopen") => {
                    issue.state = "open".into();
                    issue.state_reason = Some("reopened".into());
                }
                _ => {}
            }
            issue.updated_at = now;
            let issue = issue.clone();
            Resp::json(200, &issue_json(&web, api, project_id, &issue))
        }
        ("POST", 5) => {
            if !ctx
                .state
                .issues
                .issues
                .iter()
                .any(|i| i.repo == project && i.number == iid)
            {
                return Resp::json(404, &json!({ "message": "404 Issue Not Found" }));
            }
            let body = text("body").unwrap_or_default();
            let c = ctx
                .state
                .add_comment(project, iid, &user.login, &body, false);
            let mut note = note_json(&web, project_id, &c);
            note["noteable_type"] = json!("Issue");
            Resp::json(201, &note)
        }
        _ => Resp::json(404, &json!({ "message": "404 Not Found" })),
    }
}

fn gitlab_state(issue: &StoredIssue) -> &'static str {
    if issue.state == "closed" {
        "closed"
    } else {
        "opened"
    }
}

/// GitLab's issue object (the fields of the documented example that matter here).
fn issue_json(web: &str, api: &str, project_id: u64, issue: &StoredIssue) -> Value {
    json!({
        "id": 600_000 + issue.number,
        "iid": issue.number,
        "project_id": project_id,
        "title": issue.title,
        "description": issue.body,
        "state": gitlab_state(issue),
        "labels": issue.labels,
        "author": user_json(web, &issue.author, issue.author_id),
        "assignees": [],
        "assignee": null,
        "milestone": null,
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "closed_at": if issue.state == "closed" { Value::String(issue.updated_at.clone()) } else { Value::Null },
        "web_url": format!("{web}/{}/-/issues/{}", issue.repo, issue.number),
        "user_notes_count": 0,
        "confidential": false,
        "_links": {
            "self": format!("{api}/projects/{project_id}/issues/{}", issue.number),
            "notes": format!("{api}/projects/{project_id}/issues/{}/notes", issue.number),
            "project": format!("{api}/projects/{project_id}")
        }
    })
}
