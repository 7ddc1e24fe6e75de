//! The GitHub half of the fake: `GET /user`, issue comments and `GET pulls/{n}`.
//!
//! Every request is first matched against GitHub's OpenAPI description ([`crate::openapi`]);
//! a request GitHub would refuse is recorded as a violation and refused here too. Responses are
//! built in GitHub's full shapes and checked against the documented response schema, so the
//! fake cannot drift into answers GitHub would never give.

use serde_json::{Value, json};

use crate::openapi::Mismatch;
use crate::server::{Ctx, Req, Resp};
use crate::state::{StoredComment, TokenKind};

/// GitHub's limit on a comment body, in characters ("Body is too long").
pub const MAX_COMMENT_CHARS: usize = 65_536;

/// Handles one GitHub request (API prefix already stripped).
pub(crate) fn handle(ctx: &mut Ctx<'_>, req: &Req) -> Resp {
    let token = req
        .header("authorization")
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("token "))
        })
        .map(str::trim);
    let user = token
        .and_then(|t| ctx.state.user_for(t))
        .filter(|(_, k)| *k == TokenKind::Personal);

    // `GET /user` is not in the subset of the description; its shape is GitHub's "private user".
    if req.method == "GET" && req.path == "/user" {
        return match user {
            Some((u, _)) => {
                let mut v = user_json(&api_base(ctx, req), ctx.origin, &u.login, u.id);
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("name".into(), json!(u.login));
                    obj.insert("email".into(), Value::Null);
                    obj.insert("created_at".into(), json!("2020-01-01T00:00:00Z"));
                    obj.insert("updated_at".into(), json!("2020-01-01T00:00:00Z"));
                }
                Resp::json(200, &v)
            }
            None => bad_credentials(),
        };
    }

    let op = match ctx.spec.find(&req.method, &req.path) {
        Ok(op) => op,
        // GitHub accepts POST for "update a comment" although it documents PATCH, and octocrab
        // relies on that.
        Err(Mismatch::NoMethod) if req.method == "POST" => {
            match ctx.spec.find("PATCH", &req.path) {
                Ok(op) if op.id == "issues/update-comment" => op,
                _ => {
                    return violation(
                        ctx,
                        req,
                        404,
                        "no such operation in GitHub's API description",
                    );
                }
            }
        }
        Err(_) => {
            return violation(
                ctx,
                req,
                404,
                "no such operation in GitHub's API description",
            );
        }
    };
    if let Err(e) = ctx.spec.check_request(&op, &req.query, Some(&req.body)) {
        return violation(ctx, req, 422, &e);
    }
    let Some((user, _)) = user else {
        return bad_credentials();
    };
    let param = |name: &str| {
        op.path_params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let repo = format!("{}/{}", param("owner"), param("repo"));
    let number = |name: &str| param(name).parse::<u64>().unwrap_or(0);
    let writes = req.method != "GET";
    if writes && ctx.state.forbidden.contains(&repo) {
        return Resp::json(
            403,
            &json!({
                "message": "Resource not accessible by integration",
                "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
                "status": "403"
            }),
        );
    }
    let body_text = || {
        serde_json::from_slice::<Value>(&req.body)
            .ok()
            .and_then(|v| v.get("body").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default()
    };
    let api = api_base(ctx, req);

    let (status, value) = match op.id.as_str() {
        "issues/list-comments" => return list_comments(ctx, req, &repo, number("issue_number")),
        "issues/create-comment" => {
            let body = body_text();
            if body.chars().count() > MAX_COMMENT_CHARS {
                return violation(
                    ctx,
                    req,
                    422,
                    "Body is too long (maximum is 65536 characters)",
                );
            }
            let c = ctx
                .state
                .add_comment(&repo, number("issue_number"), &user.login, &body, false);
            (201, comment_json(&api, ctx.origin, &c))
        }
        "issues/update-comment" | "issues/delete-comment" => {
            let id = number("comment_id");
            let Some(idx) = ctx
                .state
                .comments
                .iter()
                .position(|c| c.id == id && c.repo == repo)
            else {
                return not_found();
            };
            if ctx.state.comments[idx].author != user.login {
                return violation(ctx, req, 403, "changing a comment written by someone else");
            }
            if op.id == "issues/delete-comment" {
                ctx.state.comments.remove(idx);
                return Resp {
                    status: 204,
                    headers: Vec::new(),
                    body: Vec::new(),
                };
            }
            let body = body_text();
            if body.chars().count() > MAX_COMMENT_CHARS {
                return violation(
                    ctx,
                    req,
                    422,
                    "Body is too long (maximum is 65536 characters)",
                );
            }
            let now = ctx.state.now();
            let c = &mut ctx.state.comments[idx];
            c.body = body;
            c.updated_at = now;
            let c = c.clone();
            (200, comment_json(&api, ctx.origin, &c))
        }
        "pulls/get" => match pull_json(ctx, &api, &repo, number("pull_number")) {
            Some(v) => (200, v),
            None => return not_found(),
        },
        other => {
            return violation(
                ctx,
                req,
                501,
                &format!("the fake does not implement `{other}`"),
            );
        }
    };
    if let Err(e) = ctx.spec.check_response(&op, status, &value) {
        ctx.state
            .violations
            .push(format!("fake bug: {} {}: {e}", req.method, req.path));
    }
    Resp::json(status, &value)
}

/// `GET .../issues/{n}/comments` with GitHub's page/per_page rules and `Link` header.
fn list_comments(ctx: &mut Ctx<'_>, req: &Req, repo: &str, number: u64) -> Resp {
    let per_page = req
        .query_param("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page = req
        .query_param("page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let api = api_base(ctx, req);
    let all: Vec<&StoredComment> = ctx
        .state
        .comments
        .iter()
        .filter(|c| c.repo == repo && c.number == number && !c.system)
        .collect();
    let last = all.len().div_ceil(per_page).max(1);
    let items: Vec<Value> = all
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|c| comment_json(&api, ctx.origin, c))
        .collect();
    let url = |p: usize| {
        let mut q: Vec<(String, String)> = req
            .query
            .iter()
            .filter(|(k, _)| k != "page" && k != "per_page")
            .cloned()
            .collect();
        q.push(("per_page".into(), per_page.to_string()));
        q.push(("page".into(), p.to_string()));
        let qs = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(q)
            .finish();
        format!("{api}{}?{qs}", req.path)
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("<{}>; rel=\"prev\"", url(page - 1)));
    }
    if page < last {
        links.push(format!("<{}>; rel=\"next\"", url(page + 1)));
        links.push(format!("<{}>; rel=\"last\"", url(last)));
    }
    if page > 1 {
        links.push(format!("<{}>; rel=\"first\"", url(1)));
    }
    let resp = Resp::json(200, &Value::Array(items));
    if links.is_empty() {
        resp
    } else {
        resp.with("Link", links.join(", "))
    }
}

/// `http://127.0.0.1:PORT` plus the API prefix the client used (`/api/v3` on Enterprise).
fn api_base(ctx: &Ctx<'_>, req: &Req) -> String {
    format!("{}{}", ctx.origin, req.prefix)
}

/// GitHub's simple-user object.
pub(crate) fn user_json(api: &str, html: &str, login: &str, id: u64) -> Value {
    let u = format!("{api}/users/{login}");
    json!({
        "login": login,
        "id": id,
        "node_id": format!("U_kgDO{id:08}"),
        "avatar_url": format!("{html}/avatars/u/{id}?v=4"),
        "gravatar_id": "",
        "url": u,
        "html_url": format!("{html}/{login}"),
        "followers_url": format!("{u}/followers"),
        "following_url": format!("{u}/following{{/other_user}}"),
        "gists_url": format!("{u}/gists{{/gist_id}}"),
        "starred_url": format!("{u}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{u}/subscriptions"),
        "organizations_url": format!("{u}/orgs"),
        "repos_url": format!("{u}/repos"),
        "events_url": format!("{u}/events{{/privacy}}"),
        "received_events_url": format!("{u}/received_events"),
        "type": "User",
        "user_view_type": "public",
        "site_admin": false
    })
}

/// GitHub's issue-comment object.
fn comment_json(api: &str, html: &str, c: &StoredComment) -> Value {
    json!({
        "id": c.id,
        "node_id": format!("IC_kwDO{:010}", c.id),
        "url": format!("{api}/repos/{}/issues/comments/{}", c.repo, c.id),
        "html_url": format!("{html}/{}/pull/{}#issuecomment-{}", c.repo, c.number, c.id),
        "body": c.body,
        "user": user_json(api, html, &c.author, c.author_id),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "issue_url": format!("{api}/repos/{}/issues/{}", c.repo, c.number),
        "author_association": "NONE",
        "performed_via_github_app": null,
        "reactions": {
            "url": format!("{api}/repos/{}/issues/comments/{}/reactions", c.repo, c.id),
            "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0,
            "confused": 0, "heart": 0, "rocket": 0, "eyes": 0
        },
        "pin": null
    })
}

/// GitHub's pull-request object: the documented example, renumbered for this repository.
fn pull_json(ctx: &Ctx<'_>, api: &str, repo: &str, number: u64) -> Option<Value> {
    let mut v = ctx.spec.example("pull-request")?;
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
    let comments = ctx
        .state
        .comments
        .iter()
        .filter(|c| c.repo == repo && c.number == number)
        .count();
    obj.insert("comments".into(), json!(comments));
    Some(v)
}

/// Records a violation and answers like GitHub would.
fn violation(ctx: &mut Ctx<'_>, req: &Req, status: u16, why: &str) -> Resp {
    ctx.state
        .violations
        .push(format!("{} {}{}: {why}", req.method, req.prefix, req.path));
    let message = match status {
        404 => "Not Found".to_owned(),
        422 => format!("Invalid request.\n\n{why}"),
        _ => why.to_owned(),
    };
    Resp::json(
        status,
        &json!({ "message": message, "documentation_url": "https://docs.github.com/rest", "status": status.to_string() }),
    )
}

/// 401 as GitHub sends it.
fn bad_credentials() -> Resp {
    Resp::json(
        401,
        &json!({ "message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401" }),
    )
}

/// 404 as GitHub sends it.
fn not_found() -> Resp {
    Resp::json(
        404,
        &json!({ "message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404" }),
    )
}
