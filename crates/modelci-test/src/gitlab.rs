//! The GitLab half of the fake: `GET /user`, `GET /job`, merge request notes, uploads.
//!
//! Tokens as on GitLab (issue 12): personal and project access tokens (`PRIVATE-TOKEN`) act as
//! their (bot) user everywhere; the CI job token (`JOB-TOKEN`) only where GitLab allows it
//! (`GET /job`, reading notes, and the release and package endpoints of
//! [`crate::gitlab_releases`]); elsewhere GitLab ignores the header and answers
//! `401 {"message":"401 Unauthorized"}` (the API's `authenticate!`).
//!
//! GitLab publishes no usable OpenAPI description for these endpoints, so the parameter rules of
//! `fixtures/API.md` (GitLab's docs) are written down below as a table ([`RULES`]) and every
//! request is checked against it: route, required parameters and their types, wherever GitLab
//! reads them from (query string, form body, JSON body or multipart form).

use serde_json::{Value, json};

use crate::server::{Ctx, Req, Resp};
use crate::state::{FakeUser, StoredComment, TokenKind};

/// GitLab's limit on a note body, in characters.
pub const MAX_NOTE_CHARS: usize = 1_000_000;
/// GitLab's limit on an issue description, in characters.
const MAX_DESCRIPTION_CHARS: usize = 1_048_576;

/// The type of a parameter, as GitLab's docs give it.
#[derive(Debug, Clone, Copy)]
enum Ty {
    /// `integer`.
    Int,
    /// `integer or string` (project id or URL-encoded path).
    IntOrString,
    /// `string` with a maximum length in characters.
    Text(usize),
    /// `boolean`.
    Bool,
    /// One of a fixed set of strings.
    OneOf(&'static [&'static str]),
    /// A multipart file part.
    File,
}

/// One endpoint and its parameters: (name, type, required).
struct Rule {
    method: &'static str,
    path: &'static [&'static str],
    params: &'static [(&'static str, Ty, bool)],
}

/// Shared by every project-scoped endpoint.
const ID: (&str, Ty, bool) = ("id", Ty::IntOrString, true);
/// Merge request IID path parameter.
const MR: (&str, Ty, bool) = ("merge_request_iid", Ty::Int, true);
/// Page number.
const PAGE: (&str, Ty, bool) = ("page", Ty::Int, false);
/// Page size.
const PER_PAGE: (&str, Ty, bool) = ("per_page", Ty::Int, false);

/// The parameter rules from `fixtures/API.md` (section 1 and 2) plus the two endpoints the
/// `gitlab` crate calls while connecting.
const RULES: &[Rule] = &[
    Rule {
        method: "GET",
        path: &["user"],
        params: &[],
    },
    Rule {
        method: "GET",
        path: &["job"],
        params: &[],
    },
    Rule {
        method: "GET",
        path: &[
            "projects",
            ":id",
            "merge_requests",
            ":merge_request_iid",
            "notes",
        ],
        params: &[
            ID,
            MR,
            ("sort", Ty::OneOf(&["asc", "desc"]), false),
            ("order_by", Ty::OneOf(&["created_at", "updated_at"]), false),
            PAGE,
            PER_PAGE,
        ],
    },
    Rule {
        method: "POST",
        path: &[
            "projects",
            ":id",
            "merge_requests",
            ":merge_request_iid",
            "notes",
        ],
        params: &[
            ID,
            MR,
            ("body", Ty::Text(MAX_NOTE_CHARS), true),
            ("created_at", Ty::Text(64), false),
            ("merge_request_diff_head_sha", Ty::Text(64), false),
            ("internal", Ty::Bool, false),
        ],
    },
    Rule {
        method: "PUT",
        path: &[
            "projects",
            ":id",
            "merge_requests",
            ":merge_request_iid",
            "notes",
            ":note_id",
        ],
        params: &[
            ID,
            MR,
            ("note_id", Ty::Int, true),
            ("body", Ty::Text(MAX_NOTE_CHARS), true),
            ("confidential", Ty::Bool, false),
        ],
    },
    Rule {
        method: "DELETE",
        path: &[
            "projects",
            ":id",
            "merge_requests",
            ":merge_request_iid",
            "notes",
            ":note_id",
        ],
        params: &[ID, MR, ("note_id", Ty::Int, true)],
    },
    // Issues (doc/api/issues.md, doc/api/notes.md), for drift-check's sticky issue.
    Rule {
        method: "GET",
        path: &["projects", ":id", "issues"],
        params: &[
            ID,
            ("state", Ty::OneOf(&["opened", "closed", "all"]), false),
            ("labels", Ty::Text(1024), false),
            ("order_by", Ty::OneOf(&["created_at", "updated_at"]), false),
            ("sort", Ty::OneOf(&["asc", "desc"]), false),
            PAGE,
            PER_PAGE,
        ],
    },
    Rule {
        method: "POST",
        path: &["projects", ":id", "issues"],
        params: &[
            ID,
            ("title", Ty::Text(255), true),
            ("description", Ty::Text(MAX_DESCRIPTION_CHARS), false),
            ("labels", Ty::Text(1024), false),
            ("confidential", Ty::Bool, false),
        ],
    },
    Rule {
        method: "PUT",
        path: &["projects", ":id", "issues", ":issue_iid"],
        params: &[
            ID,
            ("issue_iid", Ty::Int, true),
            ("title", Ty::Text(255), false),
            ("description", Ty::Text(MAX_DESCRIPTION_CHARS), false),
            ("labels", Ty::Text(1024), false),
            ("state_event", Ty::OneOf(&["close", "reopen"]), false),
        ],
    },
    Rule {
        method: "POST",
        path: &["projects", ":id", "issues", ":issue_iid", "notes"],
        params: &[
            ID,
            ("issue_iid", Ty::Int, true),
            ("body", Ty::Text(MAX_NOTE_CHARS), true),
            ("internal", Ty::Bool, false),
        ],
    },
    Rule {
        method: "POST",
        path: &["projects", ":id", "uploads"],
        params: &[ID, ("file", Ty::File, true)],
    },
];

/// A parameter value: text, or a file part (name, bytes).
#[derive(Debug, Clone)]
enum Param {
    Text(String),
    File(String, Vec<u8>),
}

/// Handles one GitLab request (the `/api/v4` prefix already stripped).
pub(crate) fn handle(ctx: &mut Ctx<'_>, req: &Req) -> Resp {
    if let Some(resp) = crate::gitlab_deployments::handle(ctx, req) {
        return resp;
    }
    if let Some(resp) = crate::gitlab_releases::handle(ctx, req) {
        return resp;
    }
    let segs: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let Some((rule, mut params)) = RULES.iter().find_map(|r| match_rule(r, &req.method, &segs))
    else {
        return violation(ctx, req, 404, "404 Not Found", "no such endpoint in API.md");
    };
    params.extend(
        req.query
            .iter()
            .map(|(k, v)| (k.clone(), Param::Text(v.clone()))),
    );
    match body_params(req) {
        Ok(b) => params.extend(b),
        Err(e) => return violation(ctx, req, 400, &e, &e),
    }
    for (name, ty, required) in rule.params {
        match params.iter().find(|(n, _)| n == name) {
            None if *required => {
                let msg = format!("{name} is missing");
                return violation(ctx, req, 400, &msg, &msg);
            }
            None => {}
            Some((_, value)) => {
                if let Err(e) = check(*ty, value) {
                    let msg = format!("{name} {e}");
                    return violation(ctx, req, 400, &msg, &msg);
                }
            }
        }
    }
    let text = |name: &str| {
        params.iter().find_map(|(n, v)| match v {
            Param::Text(t) if n == name => Some(t.clone()),
            _ => None,
        })
    };

    // GitLab accepts a job token for `GET /job` and for reading notes; on `GET /user`, note
    // writes and uploads it ignores the header and answers 401 (issue 12).
    // Issues never accept it (drift-check's sticky issue needs a token with the `api` scope).
    let job_token_allowed =
        req.method == "GET" && rule.path != ["user"] && rule.path.get(2) != Some(&"issues");
    let Some((user, kind)) = caller(ctx, req, job_token_allowed) else {
        return unauthorized();
    };
    let web = ctx.origin.to_owned();

    match rule.path {
        ["user"] => {
            return Resp::json(200, &user_json(&web, &user.login, user.id));
        }
        ["job"] if kind == TokenKind::Job => {
            return Resp::json(
                200,
                &json!({
                    "id": 8001, "status": "running", "stage": "test", "name": "modelci",
                    "ref": "feature", "tag": false, "allow_failure": false,
                    "web_url": format!("{web}/jobs/8001"),
                    "user": user_json(&web, &user.login, user.id),
                    "pipeline": { "id": 7001, "project_id": 42, "ref": "feature", "status": "running" }
                }),
            );
        }
        ["job"] => return unauthorized(),
        _ => {}
    }

    let id = text("id").unwrap_or_default();
    let project = if let Ok(n) = id.parse::<u64>() {
        ctx.state.projects.get(&n).cloned()
    } else {
        ctx.state.projects.values().find(|p| **p == id).cloned()
    };
    let Some(project) = project else {
        return Resp::json(404, &json!({ "message": "404 Project Not Found" }));
    };
    let project_id = ctx
        .state
        .projects
        .iter()
        .find(|(_, p)| **p == project)
        .map(|(n, _)| *n)
        .unwrap_or(0);
    let writes = req.method != "GET";
    if writes && (kind == TokenKind::Job || ctx.state.forbidden.contains(&project)) {
        return Resp::json(403, &json!({ "message": "403 Forbidden" }));
    }
    let int = |name: &str| text(name).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);

    if rule.path.get(2) == Some(&"issues") {
        let api = format!("{}{}", ctx.origin, req.prefix);
        return crate::gitlab_issues::answer(
            ctx, req, &api, rule.path, &text, &project, project_id, &user,
        );
    }

    if rule.path.last() == Some(&"uploads") {
        let Some(Param::File(filename, bytes)) = params
            .iter()
            .find(|(n, _)| n == "file")
            .map(|(_, v)| v.clone())
        else {
            return violation(ctx, req, 400, "file is invalid", "file is not a file part");
        };
        let upload_id = ctx.state.next_id();
        let secret = format!(
            "{:032x}",
            (upload_id as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
        );
        let alt = filename
            .rsplit_once('.')
            .map_or(filename.as_str(), |(stem, _)| stem)
            .to_owned();
        let url = format!("/uploads/{secret}/{filename}");
        ctx.state.uploads.push(crate::state::StoredUpload {
            project: project.clone(),
            filename: filename.clone(),
            bytes,
            url: url.clone(),
        });
        return Resp::json(
            201,
            &json!({
                "id": upload_id,
                "alt": alt,
                "url": url,
                "full_path": format!("/-/project/{project_id}/uploads/{secret}/{filename}"),
                "markdown": format!("![{alt}]({url})")
            }),
        );
    }

    let mr = int("merge_request_iid");
    let api = format!("{}{}", ctx.origin, req.prefix);
    match req.method.as_str() {
        "GET" => list_notes(ctx, req, &api, &project, project_id, mr, &text),
        "POST" => {
            let c = ctx.state.add_comment(
                &project,
                mr,
                &user.login,
                &text("body").unwrap_or_default(),
                false,
            );
            Resp::json(201, &note_json(&web, project_id, &c))
        }
        _ => {
            let note = int("note_id");
            let Some(idx) = ctx
                .state
                .comments
                .iter()
                .position(|c| c.id == note && c.repo == project && c.number == mr)
            else {
                return Resp::json(404, &json!({ "message": "404 Not found" }));
            };
            if ctx.state.comments[idx].author != user.login {
                return violation(
                    ctx,
                    req,
                    403,
                    "403 Forbidden",
                    "changing a note written by someone else",
                );
            }
            if req.method == "DELETE" {
                ctx.state.comments.remove(idx);
                return Resp {
                    status: 204,
                    headers: Vec::new(),
                    body: Vec::new(),
                };
            }
            let now = ctx.state.now();
            let c = &mut ctx.state.comments[idx];
            c.body = text("body").unwrap_or_default();
            c.updated_at = now;
            let c = c.clone();
            Resp::json(200, &note_json(&web, project_id, &c))
        }
    }
}

/// The caller of a GitLab request: `PRIVATE-TOKEN` (a personal or project access token) or,
/// where GitLab accepts job tokens (`job_token_allowed`), `JOB-TOKEN`. Elsewhere GitLab ignores
/// a job token, so the request is anonymous (`None`, answered 401 by the caller).
pub(crate) fn caller(
    ctx: &Ctx<'_>,
    req: &Req,
    job_token_allowed: bool,
) -> Option<(FakeUser, TokenKind)> {
    if let Some(t) = req.header("private-token") {
        ctx.state
            .user_for(t)
            .filter(|(_, k)| matches!(k, TokenKind::Personal | TokenKind::ProjectBot))
    } else if let Some(t) = req.header("job-token").filter(|_| job_token_allowed) {
        ctx.state.user_for(t).filter(|(_, k)| *k == TokenKind::Job)
    } else {
        None
    }
}

/// GitLab's answer to a request without (accepted) credentials.
pub(crate) fn unauthorized() -> Resp {
    Resp::json(401, &json!({ "message": "401 Unauthorized" }))
}

/// Lists notes with GitLab's sorting and pagination headers.
fn list_notes(
    ctx: &Ctx<'_>,
    req: &Req,
    api: &str,
    project: &str,
    project_id: u64,
    mr: u64,
    text: &dyn Fn(&str) -> Option<String>,
) -> Resp {
    let mut notes: Vec<&StoredComment> = ctx
        .state
        .comments
        .iter()
        .filter(|c| c.repo == project && c.number == mr)
        .collect();
    let by_updated = text("order_by").as_deref() == Some("updated_at");
    notes.sort_by(|a, b| {
        let key = |c: &StoredComment| {
            if by_updated {
                (c.updated_at.clone(), c.id)
            } else {
                (c.created_at.clone(), c.id)
            }
        };
        key(a).cmp(&key(b))
    });
    if text("sort").as_deref() != Some("asc") {
        notes.reverse();
    }
    let number = |k: &str| text(k).and_then(|v| v.parse::<usize>().ok());
    let page = Page::of(number("page"), number("per_page"), notes.len());
    let items = notes
        .iter()
        .skip(page.skip())
        .take(page.per_page)
        .map(|c| note_json(ctx.origin, project_id, c))
        .collect();
    page.answer(req, api, items)
}

/// One page of a GitLab list: `page` and `per_page` as GitLab reads them (20 by default, at
/// most 100), over `total` items.
pub(crate) struct Page {
    /// The page asked for, from 1.
    pub page: usize,
    /// Items per page.
    pub per_page: usize,
    /// Items in the whole list.
    pub total: usize,
}

impl Page {
    /// The page that `page`/`per_page` (parsed from the query, when given) select.
    pub(crate) fn of(page: Option<usize>, per_page: Option<usize>, total: usize) -> Self {
        Self {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(20).clamp(1, 100),
            total,
        }
    }

    /// How many items come before this page.
    pub(crate) fn skip(&self) -> usize {
        (self.page - 1) * self.per_page
    }

    /// The 200 answer with this page's `items`, the `Link` header (prev, next, first, last; other
    /// query parameters kept) and GitLab's `X-*` pagination headers. `api` is the API root the
    /// request came in under.
    pub(crate) fn answer(&self, req: &Req, api: &str, items: Vec<Value>) -> Resp {
        let (page, per_page) = (self.page, self.per_page);
        let pages = self.total.div_ceil(per_page).max(1);
        let url = |p: usize| {
            let mut q: Vec<(String, String)> = req
                .query
                .iter()
                .filter(|(k, _)| k != "page" && k != "per_page")
                .cloned()
                .collect();
            q.push(("page".into(), p.to_string()));
            q.push(("per_page".into(), per_page.to_string()));
            let qs = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(q)
                .finish();
            format!("{api}{}?{qs}", req.path)
        };
        let mut links = Vec::new();
        if page > 1 {
            links.push(format!("<{}>; rel=\"prev\"", url(page - 1)));
        }
        if page < pages {
            links.push(format!("<{}>; rel=\"next\"", url(page + 1)));
        }
        links.push(format!("<{}>; rel=\"first\"", url(1)));
        links.push(format!("<{}>; rel=\"last\"", url(pages)));
        let around = |p: usize, show: bool| if show { p.to_string() } else { String::new() };
        Resp::json(200, &Value::Array(items))
            .with("Link", links.join(", "))
            .with("X-Next-Page", around(page + 1, page < pages))
            .with("X-Prev-Page", around(page.saturating_sub(1), page > 1))
            .with("X-Page", page.to_string())
            .with("X-Per-Page", per_page.to_string())
            .with("X-Total", self.total.to_string())
            .with("X-Total-Pages", pages.to_string())
    }
}

/// Matches a rule's path, returning the path parameters (`:id` URL-decoded).
fn match_rule<'r>(
    rule: &'r Rule,
    method: &str,
    segs: &[&str],
) -> Option<(&'r Rule, Vec<(String, Param)>)> {
    if rule.method != method || rule.path.len() != segs.len() {
        return None;
    }
    let mut params = Vec::new();
    for (t, s) in rule.path.iter().zip(segs) {
        match t.strip_prefix(':') {
            Some(name) => params.push((name.to_owned(), Param::Text(percent_decode(s)))),
            None if t == s => {}
            None => return None,
        }
    }
    Some((rule, params))
}

/// Reads parameters from a form, JSON or multipart body.
fn body_params(req: &Req) -> Result<Vec<(String, Param)>, String> {
    if req.body.is_empty() {
        return Ok(Vec::new());
    }
    let ctype = req.header("content-type").unwrap_or_default();
    if ctype.starts_with("application/json") {
        let v: Value =
            serde_json::from_slice(&req.body).map_err(|_| "body is not valid JSON".to_owned())?;
        let obj = v.as_object().ok_or("body is not a JSON object")?;
        Ok(obj
            .iter()
            .map(|(k, v)| {
                let s = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), Param::Text(s))
            })
            .collect())
    } else if ctype.starts_with("multipart/form-data") {
        let boundary = ctype
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))
            .map(|b| b.trim_matches('"').to_owned())
            .ok_or("multipart body without boundary")?;
        parse_multipart(&req.body, &boundary)
    } else {
        Ok(form_urlencoded::parse(&req.body)
            .map(|(k, v)| (k.into_owned(), Param::Text(v.into_owned())))
            .collect())
    }
}

/// A small multipart/form-data reader: enough for text fields and file parts.
fn parse_multipart(body: &[u8], boundary: &str) -> Result<Vec<(String, Param)>, String> {
    let delim = format!("--{boundary}").into_bytes();
    let mut out = Vec::new();
    let mut parts = split(body, &delim).into_iter().skip(1);
    for part in parts.by_ref() {
        if part.starts_with(b"--") {
            return Ok(out);
        }
        let part = part
            .strip_prefix(b"\r\n")
            .ok_or("malformed multipart part")?;
        let sep = find(part, b"\r\n\r\n").ok_or("multipart part without headers")?;
        let head = String::from_utf8_lossy(&part[..sep]).to_string();
        let data = &part[sep + 4..];
        let data = data.strip_suffix(b"\r\n").unwrap_or(data);
        let disp = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .ok_or("multipart part without Content-Disposition")?;
        let attr = |key: &str| {
            disp.split(';').find_map(|p| {
                p.trim()
                    .strip_prefix(&format!("{key}="))
                    .map(|v| v.trim_matches('"').to_owned())
            })
        };
        let name = attr("name").ok_or("multipart part without a name")?;
        match attr("filename") {
            Some(f) => out.push((name, Param::File(f, data.to_vec()))),
            None => out.push((
                name,
                Param::Text(String::from_utf8_lossy(data).into_owned()),
            )),
        }
    }
    Err("multipart body without closing boundary".into())
}

/// Splits `hay` on every occurrence of `needle`.
fn split<'a>(mut hay: &'a [u8], needle: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    while let Some(i) = find(hay, needle) {
        out.push(&hay[..i]);
        hay = &hay[i + needle.len()..];
    }
    out.push(hay);
    out
}

/// Position of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Checks one value against its documented type.
fn check(ty: Ty, value: &Param) -> Result<(), String> {
    let Param::Text(s) = value else {
        return if matches!(ty, Ty::File) {
            Ok(())
        } else {
            Err("is invalid".into())
        };
    };
    match ty {
        Ty::Int if s.parse::<u64>().is_err() => Err("is invalid".into()),
        Ty::IntOrString if s.is_empty() => Err("is empty".into()),
        Ty::Text(max) if s.chars().count() > max => {
            Err(format!("is too long (maximum is {max} characters)"))
        }
        Ty::Text(_) if s.is_empty() => Err("is empty".into()),
        Ty::Bool if s != "true" && s != "false" => Err("is invalid".into()),
        Ty::OneOf(options) if !options.contains(&s.as_str()) => Err(format!(
            "does not have a valid value (one of {})",
            options.join(", ")
        )),
        Ty::File => Err("is invalid (not a file)".into()),
        _ => Ok(()),
    }
}

/// Decodes `%XX` escapes (project paths such as `group%2Fproject`).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// GitLab's user object.
pub(crate) fn user_json(web: &str, username: &str, id: u64) -> Value {
    json!({
        "id": id, "username": username, "name": username, "state": "active", "locked": false,
        "avatar_url": format!("{web}/uploads/-/system/user/avatar/{id}/avatar.png"),
        "web_url": format!("{web}/{username}"),
        "created_at": "2020-01-01T00:00:00.000Z", "bot": is_bot(username)
    })
}

/// Whether a GitLab username is a bot user's: project and group access tokens act as
/// `project_<id>_bot_<hash>` and `group_<id>_bot_<hash>`.
fn is_bot(username: &str) -> bool {
    (username.starts_with("project_") || username.starts_with("group_"))
        && username.contains("_bot")
}

/// GitLab's note object (shape from API.md).
pub(crate) fn note_json(web: &str, project_id: u64, c: &StoredComment) -> Value {
    json!({
        "id": c.id,
        "type": null,
        "body": c.body,
        "attachment": null,
        "author": user_json(web, &c.author, c.author_id),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "system": c.system,
        "noteable_id": 500 + c.number,
        "noteable_type": "MergeRequest",
        "project_id": project_id,
        "noteable_iid": c.number,
        "resolvable": false,
        "confidential": false,
        "internal": false,
        "imported": false,
        "imported_from": "none"
    })
}

/// Records a violation and answers like GitLab would.
fn violation(ctx: &mut Ctx<'_>, req: &Req, status: u16, answer: &str, why: &str) -> Resp {
    ctx.state
        .violations
        .push(format!("{} {}{}: {why}", req.method, req.prefix, req.path));
    Resp::json(status, &json!({ "error": answer }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn multipart_round_trip() {
        let body = b"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--XX--\r\n";
        let parts = parse_multipart(body, "XX").unwrap();
        assert_eq!(parts.len(), 1);
        assert!(matches!(&parts[0].1, Param::File(n, b) if n == "a.png" && b == b"\x89PNG"));
    }

    #[test]
    fn decodes_project_paths() {
        assert_eq!(percent_decode("group%2Fproject"), "group/project");
        assert_eq!(percent_decode("42"), "42");
    }
}
