//! Deployments in the fake (issue 6): GitHub's `POST .../deployments`, `POST
//! .../deployments/{id}/statuses` and `GET .../commits/{sha}/pulls`, and the memory shared with
//! the GitLab half ([`crate::gitlab_deployments`]).
//!
//! Requests arrive here already matched and checked against GitHub's OpenAPI description by
//! [`crate::github`]; answers are full GitHub objects, checked against the response schemas
//! there. What the fake does not model: GitHub resolves `ref` to a commit and answers 422 for an
//! unknown ref; the fake accepts any ref and hands out a fresh SHA unless the ref is a branch it
//! knows.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::server::{Ctx, Req, Resp};
use crate::state::FakeUser;

/// A deployment as stored by the fake (GitHub or GitLab).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDeployment {
    /// Deployment id.
    pub id: u64,
    /// `github` or `gitlab`.
    pub host: &'static str,
    /// `owner/repo` or the GitLab project path.
    pub repo: String,
    /// Environment name.
    pub environment: String,
    /// The ref deployed.
    pub git_ref: String,
    /// The commit (sent by GitLab clients; made up for GitHub).
    pub sha: String,
    /// GitLab's `tag` flag (`None` on GitHub).
    pub tag: Option<bool>,
    /// GitHub's `payload` (JSON object or string), `Null` on GitLab.
    pub payload: Value,
    /// Description (GitHub).
    pub description: Option<String>,
    /// The request body as sent (GitHub JSON; GitLab parameters as a JSON object).
    pub request: Value,
    /// Who created it.
    pub creator: String,
    /// GitLab's current status (`running`, `success`, ...); `None` on GitHub (see statuses).
    pub status: Option<String>,
}

/// A deployment status (GitHub), or a GitLab status change, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeploymentStatus {
    /// Status id.
    pub id: u64,
    /// The deployment.
    pub deployment_id: u64,
    /// `in_progress`, `success`, `failure` (GitHub) or `running`, `success`, `failed` (GitLab).
    pub state: String,
    /// `environment_url` (GitHub).
    pub environment_url: Option<String>,
    /// `log_url` (GitHub).
    pub log_url: Option<String>,
    /// Description (GitHub).
    pub description: Option<String>,
}

/// The fake's memory of deployments.
#[derive(Debug, Default)]
pub struct DeployState {
    /// Deployments in creation order.
    pub deployments: Vec<StoredDeployment>,
    /// Statuses in creation order.
    pub statuses: Vec<StoredDeploymentStatus>,
    /// (`owner/repo`, commit SHA) → pull request numbers, seeded by tests.
    pub commit_pulls: BTreeMap<(String, String), Vec<u64>>,
}

/// Handles the three operations; `Ok` is the status and body to check and send.
pub(crate) fn handle(
    ctx: &mut Ctx<'_>,
    req: &Req,
    op: &str,
    param: &dyn Fn(&str) -> String,
    repo: &str,
    user: &FakeUser,
) -> Result<(u16, Value), Resp> {
    let api = crate::github::api_base(ctx, req);
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    match op {
        "repos/create-deployment" => {
            let git_ref = text("ref").unwrap_or_default();
            let sha = match ctx.state.branches.get(&(repo.to_owned(), git_ref.clone())) {
                Some(head) => head.clone(),
                None => ctx.state.next_sha(),
            };
            let id = ctx.state.next_id();
            let d = StoredDeployment {
                id,
                host: "github",
                repo: repo.to_owned(),
                environment: text("environment").unwrap_or_else(|| "production".into()),
                git_ref,
                sha,
                tag: None,
                payload: body.get("payload").cloned().unwrap_or(json!({})),
                description: text("description"),
                request: body.clone(),
                creator: user.login.clone(),
                status: None,
            };
            ctx.state.deploy.deployments.push(d.clone());
            let now = ctx.state.now();
            Ok((201, deployment_json(&api, ctx.origin, &d, user, &now)))
        }
        "repos/create-deployment-status" => {
            let deployment_id = param("deployment_id").parse::<u64>().unwrap_or(0);
            let Some(d) = ctx
                .state
                .deploy
                .deployments
                .iter()
                .find(|d| d.id == deployment_id && d.repo == repo && d.host == "github")
                .cloned()
            else {
                return Err(Resp::json(
                    404,
                    &json!({ "message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404" }),
                ));
            };
            if text("description").is_some_and(|t| t.chars().count() > 140) {
                return Err(violation(
                    ctx,
                    req,
                    "description is too long (maximum is 140 characters)",
                ));
            }
            let id = ctx.state.next_id();
            let status = StoredDeploymentStatus {
                id,
                deployment_id,
                state: text("state").unwrap_or_default(),
                environment_url: text("environment_url"),
                log_url: text("log_url").or_else(|| text("target_url")),
                description: text("description"),
            };
            ctx.state.deploy.statuses.push(status.clone());
            let now = ctx.state.now();
            let environment = text("environment").unwrap_or_else(|| d.environment.clone());
            Ok((
                201,
                status_json(&api, ctx.origin, &d, &status, &environment, user, &now),
            ))
        }
        _ => {
            // repos/list-pull-requests-associated-with-commit
            let sha = param("commit_sha");
            let numbers = ctx
                .state
                .deploy
                .commit_pulls
                .get(&(repo.to_owned(), sha))
                .cloned()
                .unwrap_or_default();
            let mut items = Vec::new();
            for n in numbers {
                match pull_simple_json(ctx, &api, repo, n) {
                    Some(v) => items.push(v),
                    None => {
                        return Err(violation(
                            ctx,
                            req,
                            "fake bug: no pull-request-simple example",
                        ));
                    }
                }
            }
            Ok((200, Value::Array(items)))
        }
    }
}

/// GitHub's deployment object.
fn deployment_json(
    api: &str,
    html: &str,
    d: &StoredDeployment,
    user: &FakeUser,
    now: &str,
) -> Value {
    let url = format!("{api}/repos/{}/deployments/{}", d.repo, d.id);
    json!({
        "url": url,
        "id": d.id,
        "node_id": format!("DE_kwDO{:010}", d.id),
        "sha": d.sha,
        "ref": d.git_ref,
        "task": "deploy",
        "payload": d.payload,
        "original_environment": d.environment,
        "environment": d.environment,
        "description": d.description,
        "creator": crate::github::user_json(api, html, &user.login, user.id),
        "created_at": now,
        "updated_at": now,
        "statuses_url": format!("{url}/statuses"),
        "repository_url": format!("{api}/repos/{}", d.repo),
        "transient_environment": false,
        "production_environment": d.environment == "production",
    })
}

/// GitHub's deployment-status object.
fn status_json(
    api: &str,
    html: &str,
    d: &StoredDeployment,
    s: &StoredDeploymentStatus,
    environment: &str,
    user: &FakeUser,
    now: &str,
) -> Value {
    let deployment_url = format!("{api}/repos/{}/deployments/{}", d.repo, d.id);
    json!({
        "url": format!("{deployment_url}/statuses/{}", s.id),
        "id": s.id,
        "node_id": format!("DES_kwDO{:010}", s.id),
        "state": s.state,
        "creator": crate::github::user_json(api, html, &user.login, user.id),
        "description": s.description.clone().unwrap_or_default(),
        "environment": environment,
        "target_url": s.log_url.clone().unwrap_or_default(),
        "created_at": now,
        "updated_at": now,
        "deployment_url": deployment_url,
        "repository_url": format!("{api}/repos/{}", d.repo),
        "environment_url": s.environment_url.clone().unwrap_or_default(),
        "log_url": s.log_url.clone().unwrap_or_default(),
    })
}

/// GitHub's pull-request-simple object: the documented example, renumbered.
fn pull_simple_json(ctx: &Ctx<'_>, api: &str, repo: &str, number: u64) -> Option<Value> {
    let mut v = ctx
        .spec
        .example("pull-request-simple-items")?
        .as_array()?
        .first()?
        .clone();
    let obj = v.as_object_mut()?;
    obj.insert("number".into(), json!(number));
    obj.insert(
        "url".into(),
        json!(format!("{api}/repos/{repo}/pulls/{number}")),
    );
    obj.insert(
        "html_url".into(),
        json!(format!("{}/{repo}/pull/{number}", ctx.origin)),
    );
    obj.insert(
        "issue_url".into(),
        json!(format!("{api}/repos/{repo}/issues/{number}")),
    );
    // GitHub's example lists a team without the `type` its own schema requires; no reviewers.
    obj.insert("requested_teams".into(), json!([]));
    obj.insert("requested_reviewers".into(), json!([]));
    Some(v)
}

/// Records a violation and answers 422 like GitHub.
fn violation(ctx: &mut Ctx<'_>, req: &Req, why: &str) -> Resp {
    ctx.state
        .violations
        .push(format!("{} {}{}: {why}", req.method, req.prefix, req.path));
    Resp::json(
        422,
        &json!({ "message": format!("Validation Failed: {why}"), "documentation_url": "https://docs.github.com/rest", "status": "422" }),
    )
}
