//! GitLab deployments in the fake (issue 6): `POST /projects/:id/deployments` and
//! `PUT /projects/:id/deployments/:deployment_id`, plus the merge requests of a commit
//! (`GET /projects/:id/repository/commits/:sha/merge_requests`, section 7 of `fixtures/API.md`);
//! deployments are checked against the parameter table of
//! `fixtures/API.md` section 6 (every parameter of "Create a deployment" is required; `status`
//! is one of `running`, `success`, `failed`, `canceled`). Stored with the GitHub half in
//! [`crate::github_deployments::DeployState`].

use serde_json::{Value, json};

use crate::github_deployments::{StoredDeployment, StoredDeploymentStatus};
use crate::server::{Ctx, Req, Resp};
use crate::state::{FakeUser, TokenKind};

/// Documented values of `status`.
const STATUSES: &[&str] = &["running", "success", "failed", "canceled"];

/// Handles a deployments request, or returns `None` for any other path.
pub(crate) fn handle(ctx: &mut Ctx<'_>, req: &Req) -> Option<Resp> {
    let segs: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    if let (
        "GET",
        [
            "projects",
            id,
            "repository",
            "commits",
            sha,
            "merge_requests",
        ],
    ) = (req.method.as_str(), segs.as_slice())
    {
        return Some(commit_merge_requests(ctx, req, &decode(id), sha));
    }
    let (project_ref, deployment) = match (req.method.as_str(), segs.as_slice()) {
        ("POST", ["projects", id, "deployments"]) => ((*id).to_owned(), None),
        ("PUT", ["projects", id, "deployments", dep]) => {
            ((*id).to_owned(), Some((*dep).to_owned()))
        }
        _ => return None,
    };
    Some(answer(
        ctx,
        req,
        &decode(&project_ref),
        deployment.as_deref(),
    ))
}

fn answer(ctx: &mut Ctx<'_>, req: &Req, project_ref: &str, deployment: Option<&str>) -> Resp {
    let params = match params(req) {
        Ok(p) => p,
        Err(e) => return violation(ctx, req, &e),
    };
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let required: &[&str] = if deployment.is_some() {
        &["status"]
    } else {
        &["environment", "sha", "ref", "tag", "status"]
    };
    for name in required {
        match get(name) {
            None => return violation(ctx, req, &format!("{name} is missing")),
            Some(v) if v.is_empty() => return violation(ctx, req, &format!("{name} is empty")),
            Some(_) => {}
        }
    }
    if let Some(tag) = get("tag")
        && tag != "true"
        && tag != "false"
    {
        return violation(ctx, req, "tag is invalid");
    }
    let status = get("status").unwrap_or_default();
    if !STATUSES.contains(&status.as_str()) {
        return violation(ctx, req, "status does not have a valid value");
    }
    if let Some(dep) = deployment
        && dep.parse::<u64>().is_err()
    {
        return violation(ctx, req, "deployment_id is invalid");
    }

    let (user, kind, project) = match caller_and_project(ctx, req, project_ref) {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    if kind == TokenKind::Job || ctx.state.forbidden.contains(&project) {
        return Resp::json(403, &json!({ "message": "403 Forbidden" }));
    }
    let web = ctx.origin.to_owned();
    let index = match deployment {
        None => {
            let id = ctx.state.next_id();
            ctx.state.deploy.deployments.push(StoredDeployment {
                id,
                host: "gitlab",
                repo: project.clone(),
                environment: get("environment").unwrap_or_default(),
                git_ref: get("ref").unwrap_or_default(),
                sha: get("sha").unwrap_or_default(),
                tag: get("tag").map(|t| t == "true"),
                payload: Value::Null,
                description: None,
                request: Value::Object(
                    params
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect(),
                ),
                creator: user.login.clone(),
                status: Some(status.clone()),
            });
            ctx.state.deploy.deployments.len() - 1
        }
        Some(dep) => {
            let id = dep.parse::<u64>().unwrap_or(0);
            let Some(i) = ctx
                .state
                .deploy
                .deployments
                .iter()
                .position(|d| d.id == id && d.repo == project && d.host == "gitlab")
            else {
                return Resp::json(404, &json!({ "message": "404 Not found" }));
            };
            ctx.state.deploy.deployments[i].status = Some(status.clone());
            i
        }
    };
    let d = ctx.state.deploy.deployments[index].clone();
    let status_id = ctx.state.next_id();
    ctx.state.deploy.statuses.push(StoredDeploymentStatus {
        id: status_id,
        deployment_id: d.id,
        state: status.clone(),
        environment_url: None,
        log_url: None,
        description: None,
    });
    let now = ctx.state.now();
    let code = if deployment.is_some() { 200 } else { 201 };
    Resp::json(
        code,
        &json!({
            "id": d.id,
            "iid": index + 1,
            "ref": d.git_ref,
            "sha": d.sha,
            "created_at": now,
            "status": status,
            "user": {
                "name": user.login, "username": user.login, "id": user.id, "state": "active",
                "avatar_url": format!("{web}/uploads/-/system/user/avatar/{}/avatar.png", user.id),
                "web_url": format!("{web}/{}", user.login)
            },
            "environment": { "id": 9, "name": d.environment, "external_url": null },
            "deployable": null
        }),
    )
}

/// `GET /projects/:id/repository/commits/:sha/merge_requests` (`fixtures/API.md` section 7): the
/// merge requests seeded with [`crate::FakeServer::seed_commit_pulls`] for the project path.
fn commit_merge_requests(ctx: &mut Ctx<'_>, req: &Req, project_ref: &str, sha: &str) -> Resp {
    const ALLOWED: &[&str] = &["state", "page", "per_page"];
    if let Some((name, _)) = req
        .query
        .iter()
        .find(|(k, _)| !ALLOWED.contains(&k.as_str()))
    {
        let why = format!("{name} is not a parameter of this endpoint");
        return violation(ctx, req, &why);
    }
    let (_, kind, project) = match caller_and_project(ctx, req, project_ref) {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    if kind == TokenKind::Job {
        return Resp::json(403, &json!({ "message": "403 Forbidden" }));
    }
    let project_id = ctx
        .state
        .projects
        .iter()
        .find(|(_, p)| **p == project)
        .map_or(0, |(id, _)| *id);
    let iids = ctx
        .state
        .deploy
        .commit_pulls
        .get(&(project.clone(), sha.to_owned()))
        .cloned()
        .unwrap_or_default();
    let web = ctx.origin.to_owned();
    let items: Vec<Value> = iids
        .iter()
        .map(|iid| {
            json!({
                "id": 1000 + iid,
                "iid": iid,
                "project_id": project_id,
                "title": format!("Merge request {iid}"),
                "description": "",
                "state": "merged",
                "target_branch": "main",
                "source_branch": format!("feature-{iid}"),
                "sha": sha,
                "web_url": format!("{web}/{project}/-/merge_requests/{iid}"),
            })
        })
        .collect();
    Resp::json(200, &Value::Array(items))
}

/// The caller (from `PRIVATE-TOKEN`) and the project path `project_ref` (an id or a path) names,
/// or GitLab's 401/404 answer.
fn caller_and_project(
    ctx: &Ctx<'_>,
    req: &Req,
    project_ref: &str,
) -> Result<(FakeUser, TokenKind, String), Resp> {
    let auth = req
        .header("private-token")
        .and_then(|t| ctx.state.user_for(t));
    let Some((user, kind)) = auth else {
        return Err(Resp::json(401, &json!({ "message": "401 Unauthorized" })));
    };
    let project = match project_ref.parse::<u64>() {
        Ok(n) => ctx.state.projects.get(&n).cloned(),
        Err(_) => ctx
            .state
            .projects
            .values()
            .find(|p| *p == project_ref)
            .cloned(),
    };
    match project {
        Some(project) => Ok((user, kind, project)),
        None => Err(Resp::json(
            404,
            &json!({ "message": "404 Project Not Found" }),
        )),
    }
}

/// Parameters from the query string and a form or JSON body.
fn params(req: &Req) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = req.query.clone();
    if req.body.is_empty() {
        return Ok(out);
    }
    let ctype = req.header("content-type").unwrap_or_default();
    if ctype.starts_with("application/json") {
        let v: Value = serde_json::from_slice(&req.body).map_err(|_| "body is not valid JSON")?;
        let obj = v.as_object().ok_or("body is not a JSON object")?;
        out.extend(obj.iter().map(|(k, v)| {
            let s = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), s)
        }));
    } else {
        out.extend(form_urlencoded::parse(&req.body).into_owned());
    }
    Ok(out)
}

/// Decodes `%XX` escapes of a project path.
fn decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Records a violation and answers 400 like GitLab.
fn violation(ctx: &mut Ctx<'_>, req: &Req, why: &str) -> Resp {
    ctx.state
        .violations
        .push(format!("{} {}{}: {why}", req.method, req.prefix, req.path));
    Resp::json(400, &json!({ "error": why }))
}
