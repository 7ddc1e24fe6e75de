//! The GitHub half of the fake: `GET /user`, issue comments, `GET pulls/{n}`, and branches with
//! files (git refs and the contents API).
//!
//! Every request is first matched against GitHub's OpenAPI description ([`crate::openapi`]);
//! a request GitHub would refuse is recorded as a violation and refused here too. Responses are
//! built in GitHub's full shapes and checked against the documented response schema, so the
//! fake cannot drift into answers GitHub would never give.

use serde_json::{Value, json};

use crate::openapi::Mismatch;
use crate::server::{Ctx, Req, Resp};
use crate::state::{StoredComment, StoredFile, TokenKind};

/// Where GitHub Enterprise Server takes release asset uploads (`https://HOST/api/uploads/...`).
pub(crate) const UPLOADS_PREFIX: &str = "/api/uploads";

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
    let caller = token
        .and_then(|t| ctx.state.user_for(t))
        .filter(|(_, k)| matches!(k, TokenKind::Personal | TokenKind::Installation(_)));

    // `GET /user` is not in the subset of the description; its shape is GitHub's "private user".
    // Installation tokens have no user: GitHub refuses them (issue 12).
    if req.method == "GET" && req.path == "/user" && req.prefix != UPLOADS_PREFIX {
        return match caller {
            Some((u, TokenKind::Personal)) => {
                let mut v = user_json(&api_base(ctx, req), ctx.origin, &u.login, u.id);
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("name".into(), json!(u.login));
                    obj.insert("email".into(), Value::Null);
                    obj.insert("created_at".into(), json!("2020-01-01T00:00:00Z"));
                    obj.insert("updated_at".into(), json!("2020-01-01T00:00:00Z"));
                }
                Resp::json(200, &v)
            }
            Some(_) => not_accessible(
                "https://docs.github.com/rest/users/users#get-the-authenticated-user",
            ),
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
    let Some((user, kind)) = caller else {
        return bad_credentials();
    };
    // GitHub Enterprise Server takes release asset uploads at `/api/uploads` (the release's
    // `upload_url`), and only those there (issue 12).
    let uploading = op.id == "repos/upload-release-asset";
    let wrong_place = if uploading {
        req.prefix == "/api/v3"
    } else {
        req.prefix == UPLOADS_PREFIX
    };
    if wrong_place {
        return violation(
            ctx,
            req,
            404,
            "GitHub Enterprise Server serves release asset uploads under /api/uploads only (the release's upload_url)",
        );
    }
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
    let permitted = match kind {
        TokenKind::Installation(p) => match op.id.as_str() {
            // Comments on an issue need `issues: write`; on a pull request, `pull-requests`.
            "issues/create-comment"
                if ctx
                    .state
                    .issues
                    .issues
                    .iter()
                    .any(|i| i.number.to_string() == param("issue_number")) =>
            {
                p.issues_write
            }
            "issues/create-comment" | "issues/update-comment" | "issues/delete-comment" => {
                p.pull_requests_write
            }
            "repos/create-deployment" | "repos/create-deployment-status" => p.deployments_write,
            "issues/create" | "issues/update" => p.issues_write,
            _ => p.contents_write,
        },
        _ => true,
    };
    if writes && (!permitted || ctx.state.forbidden.contains(&repo)) {
        return not_accessible(op.docs_url().unwrap_or("https://docs.github.com/rest"));
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
        "repos/create-deployment"
        | "repos/create-deployment-status"
        | "repos/list-pull-requests-associated-with-commit" => {
            match crate::github_deployments::handle(ctx, req, &op.id, &param, &repo, &user) {
                Ok(answer) => answer,
                Err(resp) => return resp,
            }
        }
        id if id.contains("release") => {
            match crate::github_releases::handle(ctx, req, id, &param, &repo, &user) {
                Ok(answer) => answer,
                Err(resp) => return resp,
            }
        }
        "issues/list-for-repo" | "issues/create" | "issues/update" => {
            match crate::github_issues::handle(ctx, req, &op.id, &param, &repo, &user) {
                Ok(answer) => answer,
                Err(resp) => return resp,
            }
        }
        "pulls/get" => match pull_json(ctx, &api, &repo, number("pull_number")) {
            Some(v) => (200, v),
            None => return not_found(),
        },
        "git/get-ref" => {
            let name = param("ref");
            let head = name
                .strip_prefix("heads/")
                .and_then(|b| ctx.state.branches.get(&(repo.clone(), b.to_owned())));
            match head {
                Some(sha) => (200, ref_json(&api, &repo, &format!("refs/{name}"), sha)),
                None => return not_found(),
            }
        }
        "git/create-ref" => match create_ref(ctx, req, &repo) {
            Ok(v) => (201, v),
            Err(resp) => return resp,
        },
        "repos/get-content" => {
            let branch = req.query_param("ref").unwrap_or("main").to_owned();
            let path = param("path");
            match ctx
                .state
                .files
                .iter()
                .find(|f| f.repo == repo && f.branch == branch && f.path == path)
            {
                Some(f) => (200, content_json(&api, ctx.origin, f)),
                None => return not_found(),
            }
        }
        "repos/create-or-update-file-contents" => {
            match put_file(ctx, req, &repo, &param("path"), &user.login) {
                Ok((status, file, commit)) => {
                    let v = json!({
                        "content": content_json(&api, ctx.origin, &file),
                        "commit": commit,
                    });
                    (status, v)
                }
                Err(resp) => return resp,
            }
        }
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

/// `http://127.0.0.1:PORT` plus the API prefix the client used (`/api/v3` on Enterprise, also
/// for requests to its upload prefix).
pub(crate) fn api_base(ctx: &Ctx<'_>, req: &Req) -> String {
    let prefix = if req.prefix == UPLOADS_PREFIX {
        "/api/v3"
    } else {
        req.prefix.as_str()
    };
    format!("{}{prefix}", ctx.origin)
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
        "type": if login.ends_with("[bot]") { "Bot" } else { "User" },
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

/// `POST .../git/refs`: only branches (`refs/heads/...`) at a known commit.
fn create_ref(ctx: &mut Ctx<'_>, req: &Req, repo: &str) -> Result<Value, Resp> {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let field = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default();
    let (name, sha) = (field("ref").to_owned(), field("sha").to_owned());
    if !name.starts_with("refs/") || name.matches('/').count() < 2 {
        return Err(violation(
            ctx,
            req,
            422,
            "Reference name must start with 'refs' and have at least two slashes",
        ));
    }
    let Some(branch) = name.strip_prefix("refs/heads/") else {
        return Err(violation(ctx, req, 501, "the fake only creates branches"));
    };
    let known = ctx
        .state
        .branches
        .iter()
        .any(|((r, _), head)| r == repo && *head == sha);
    if !known {
        return Err(validation_failed("Object does not exist"));
    }
    let key = (repo.to_owned(), branch.to_owned());
    if ctx.state.branches.contains_key(&key) {
        return Err(validation_failed("Reference already exists"));
    }
    ctx.state.branches.insert(key, sha.clone());
    Ok(ref_json(&api_base(ctx, req), repo, &name, &sha))
}

/// `PUT .../contents/{path}`: creates (201) or, given the current blob SHA, replaces (200) a
/// file on an existing branch, as a new commit. Answers the status, the file and the commit.
fn put_file(
    ctx: &mut Ctx<'_>,
    req: &Req,
    repo: &str,
    path: &str,
    login: &str,
) -> Result<(u16, StoredFile, Value), Resp> {
    use base64::Engine as _;
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let branch = field("branch").unwrap_or_else(|| "main".into());
    let message = field("message").unwrap_or_default();
    let content: String = field("content")
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(content) else {
        return Err(violation(ctx, req, 422, "content is not valid Base64"));
    };
    let key = (repo.to_owned(), branch.clone());
    if !ctx.state.branches.contains_key(&key) {
        return Err(Resp::json(
            404,
            &json!({ "message": format!("Branch {branch} not found"), "documentation_url": "https://docs.github.com/rest/repos/contents#create-or-update-file-contents", "status": "404" }),
        ));
    }
    let existing = ctx
        .state
        .files
        .iter()
        .position(|f| f.repo == repo && f.branch == branch && f.path == path);
    if let Some(idx) = existing {
        match field("sha") {
            None => {
                return Err(violation(ctx, req, 422, "\"sha\" wasn't supplied."));
            }
            Some(sha) if sha != ctx.state.files[idx].sha => {
                return Err(Resp::json(
                    409,
                    &json!({ "message": format!("{path} does not match {sha}"), "documentation_url": "https://docs.github.com/rest/repos/contents#create-or-update-file-contents", "status": "409" }),
                ));
            }
            Some(_) => {}
        }
    }
    let blob = ctx.state.next_sha();
    let commit_sha = ctx.state.next_sha();
    let parent = ctx.state.branches.insert(key, commit_sha.clone());
    let now = ctx.state.now();
    let (status, file) = match existing {
        Some(idx) => {
            let f = &mut ctx.state.files[idx];
            f.bytes = bytes;
            f.sha = blob;
            f.commits += 1;
            (200, f.clone())
        }
        None => {
            let f = StoredFile {
                repo: repo.to_owned(),
                branch,
                path: path.to_owned(),
                bytes,
                sha: blob,
                commits: 1,
            };
            ctx.state.files.push(f.clone());
            (201, f)
        }
    };
    let api = api_base(ctx, req);
    let commit_url = |sha: &str| format!("{api}/repos/{repo}/git/commits/{sha}");
    let person =
        json!({ "date": now, "name": login, "email": format!("{login}@users.noreply.github.com") });
    let parents: Vec<Value> = parent
        .iter()
        .map(|p| json!({ "url": commit_url(p), "html_url": format!("{}/{repo}/commit/{p}", ctx.origin), "sha": p }))
        .collect();
    let commit = json!({
        "sha": commit_sha,
        "node_id": format!("C_kwDO{commit_sha}"),
        "url": commit_url(&commit_sha),
        "html_url": format!("{}/{repo}/commit/{commit_sha}", ctx.origin),
        "author": person,
        "committer": person,
        "message": message,
        "tree": { "url": format!("{api}/repos/{repo}/git/trees/{commit_sha}"), "sha": commit_sha },
        "parents": parents,
        "verification": { "verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null }
    });
    Ok((status, file, commit))
}

/// GitHub's git-ref object for a branch head.
fn ref_json(api: &str, repo: &str, name: &str, sha: &str) -> Value {
    json!({
        "ref": name,
        "node_id": format!("REF_kwDO{sha}"),
        "url": format!("{api}/repos/{repo}/git/{name}"),
        "object": {
            "type": "commit",
            "sha": sha,
            "url": format!("{api}/repos/{repo}/git/commits/{sha}")
        }
    })
}

/// GitHub's content-file object. `download_url` serves the raw bytes on github.com (the fake
/// uses `{origin}/{repo}/raw/{branch}/{path}`, the web UI's form).
fn content_json(api: &str, html: &str, f: &StoredFile) -> Value {
    use base64::Engine as _;
    let name = f.path.rsplit('/').next().unwrap_or(&f.path);
    let url = format!(
        "{api}/repos/{}/contents/{}?ref={}",
        f.repo, f.path, f.branch
    );
    let git = format!("{api}/repos/{}/git/blobs/{}", f.repo, f.sha);
    let web = format!("{html}/{}/blob/{}/{}", f.repo, f.branch, f.path);
    json!({
        "type": "file",
        "encoding": "base64",
        "size": f.bytes.len(),
        "name": name,
        "path": f.path,
        "content": base64::engine::general_purpose::STANDARD.encode(&f.bytes),
        "sha": f.sha,
        "url": url,
        "git_url": git,
        "html_url": web,
        "download_url": format!("{html}/{}/raw/{}/{}", f.repo, f.branch, f.path),
        "_links": { "git": git, "html": web, "self": url }
    })
}

/// 422 "Validation Failed" for a request the API understood but cannot apply.
fn validation_failed(message: &str) -> Resp {
    Resp::json(
        422,
        &json!({ "message": message, "documentation_url": "https://docs.github.com/rest", "status": "422" }),
    )
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

/// 403 as GitHub sends it to an installation token that lacks a permission (or has no user),
/// with the documentation link of the operation.
fn not_accessible(documentation_url: &str) -> Resp {
    Resp::json(
        403,
        &json!({
            "message": "Resource not accessible by integration",
            "documentation_url": documentation_url,
            "status": "403"
        }),
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
