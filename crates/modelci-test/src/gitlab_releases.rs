//! GitLab releases and generic packages in the fake (issue 6), checked against
//! `fixtures/API.md` sections 3 (releases), 4 (release links) and 5 (generic packages):
//!
//! - `PUT`/`GET /projects/:id/packages/generic/:package_name/:package_version/:file_name`
//!   (name, version and file name rules; `status`, `select=package_file`); every upload is kept,
//!   so a test can see a duplicate; a download answers the latest file of that name;
//! - `GET /projects/:id/releases` (section 8: `order_by`, `sort`, `include_html_description`,
//!   `page`, `per_page`, nothing else; newest `released_at` first by default; GitLab's paging
//!   headers; `upcoming_release: true` for a `released_at` later than the fake's clock);
//! - `GET /projects/:id/releases/:tag_name`, `POST /projects/:id/releases` (`tag_name`
//!   required; `ref` required for a tag that does not exist yet; link names and URLs unique;
//!   `released_at` kept);
//! - `GET`/`POST /projects/:id/releases/:tag_name/assets/links`,
//!   `DELETE …/assets/links/:link_id`.
//!
//! These APIs accept a CI job token as well as a personal/project token. Stored with the GitHub
//! half in [`crate::github_releases::ReleaseState`].

use serde_json::{Value, json};

use crate::github_releases::{StoredGitLabRelease, StoredPackageFile, sha256_hex};
use crate::gitlab::Page;
use crate::server::{Ctx, Req, Resp};

/// Handles a release or package request, or returns `None` for any other path.
pub(crate) fn handle(ctx: &mut Ctx<'_>, req: &Req) -> Option<Resp> {
    let segs: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let route = match (req.method.as_str(), segs.as_slice()) {
        ("PUT" | "GET", ["projects", id, "packages", "generic", name, version, file]) => {
            Route::Package {
                id: decode(id),
                name: decode(name),
                version: decode(version),
                file: decode(file),
            }
        }
        ("GET", ["projects", id, "releases", tag]) if *tag != "permalink" => Route::Release {
            id: decode(id),
            tag: decode(tag),
        },
        ("POST", ["projects", id, "releases"]) => Route::Create { id: decode(id) },
        ("GET", ["projects", id, "releases"]) => Route::List { id: decode(id) },
        ("GET" | "POST", ["projects", id, "releases", tag, "assets", "links"]) => Route::Links {
            id: decode(id),
            tag: decode(tag),
        },
        ("DELETE", ["projects", id, "releases", tag, "assets", "links", link]) => {
            Route::DeleteLink {
                id: decode(id),
                tag: decode(tag),
                link: decode(link),
            }
        }
        _ => return None,
    };
    Some(answer(ctx, req, route))
}

/// The endpoints of this module.
enum Route {
    Package {
        id: String,
        name: String,
        version: String,
        file: String,
    },
    Release {
        id: String,
        tag: String,
    },
    Create {
        id: String,
    },
    List {
        id: String,
    },
    Links {
        id: String,
        tag: String,
    },
    DeleteLink {
        id: String,
        tag: String,
        link: String,
    },
}

fn answer(ctx: &mut Ctx<'_>, req: &Req, route: Route) -> Resp {
    let id = match &route {
        Route::Package { id, .. }
        | Route::Release { id, .. }
        | Route::Create { id }
        | Route::List { id }
        | Route::Links { id, .. }
        | Route::DeleteLink { id, .. } => id.clone(),
    };
    let Some((user, _)) = crate::gitlab::caller(ctx, req, true) else {
        return crate::gitlab::unauthorized();
    };
    let project = match id.parse::<u64>() {
        Ok(n) => ctx.state.projects.get(&n).cloned(),
        Err(_) => ctx.state.projects.values().find(|p| **p == id).cloned(),
    };
    let Some(project) = project else {
        return Resp::json(404, &json!({ "message": "404 Project Not Found" }));
    };
    if req.method != "GET" && ctx.state.forbidden.contains(&project) {
        return Resp::json(403, &json!({ "message": "403 Forbidden" }));
    }
    let web = format!("{}/{project}", ctx.origin);
    match route {
        Route::Package {
            name,
            version,
            file,
            ..
        } => package(ctx, req, &project, &name, &version, &file),
        Route::Release { tag, .. } => {
            let now = ctx.state.now();
            match ctx
                .state
                .releases
                .gitlab_releases
                .iter()
                .find(|r| r.project == project && r.tag == tag)
            {
                Some(r) => Resp::json(200, &release_json(&web, r, &user.login, user.id, &now)),
                None => Resp::json(404, &json!({ "message": "404 Not Found" })),
            }
        }
        Route::Create { .. } => create(ctx, req, &project, &web, &user.login, user.id),
        Route::List { .. } => list(ctx, req, &project, &web, &user.login, user.id),
        Route::Links { tag, .. } => links(ctx, req, &project, &tag),
        Route::DeleteLink { tag, link, .. } => {
            let link = link.parse::<u64>().unwrap_or(0);
            let Some(r) = ctx
                .state
                .releases
                .gitlab_releases
                .iter_mut()
                .find(|r| r.project == project && r.tag == tag)
            else {
                return Resp::json(404, &json!({ "message": "404 Not Found" }));
            };
            match r.links.iter().position(|l| l.0 == link) {
                Some(i) => {
                    let l = r.links.remove(i);
                    Resp::json(200, &link_json(&l))
                }
                None => Resp::json(404, &json!({ "message": "404 Not found" })),
            }
        }
    }
}

/// Generic package upload (`PUT`) and download (`GET`).
fn package(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    name: &str,
    version: &str,
    file: &str,
) -> Resp {
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    // `\A(\.?[\w\+-]+\.?)+\z`: word characters, `+`, `-`, dots never two in a row.
    let version_ok = !version.is_empty()
        && !version.contains("..")
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-' | '.'))
        && version.chars().any(|c| c != '.');
    let file_ok = !file.is_empty()
        && !file.starts_with(['~', '@'])
        && !file.ends_with(['~', '@'])
        && file
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '~' | '@'));
    for (ok, what) in [
        (name_ok, "package_name"),
        (version_ok, "package_version"),
        (file_ok, "file_name"),
    ] {
        if !ok {
            return violation(ctx, req, &format!("{what} is invalid"));
        }
    }
    if req.method == "GET" {
        return match ctx.state.releases.packages.iter().rev().find(|p| {
            p.project == project && p.package == name && p.version == version && p.file_name == file
        }) {
            Some(p) => Resp {
                status: 200,
                headers: vec![
                    ("Content-Type".into(), "application/octet-stream".into()),
                    ("X-Checksum-SHA256".into(), sha256_hex(&p.bytes)),
                ],
                body: p.bytes.clone(),
            },
            None => Resp::json(404, &json!({ "message": "404 Package Not Found" })),
        };
    }
    let status = req.query_param("status");
    if status.is_some_and(|s| s != "default" && s != "hidden") {
        return violation(ctx, req, "status does not have a valid value");
    }
    let select = req.query_param("select");
    if select.is_some_and(|s| s != "package_file") {
        return violation(ctx, req, "select does not have a valid value");
    }
    let id = ctx.state.next_id();
    let now = ctx.state.now();
    let stored = StoredPackageFile {
        id,
        project: project.to_owned(),
        package: name.to_owned(),
        version: version.to_owned(),
        file_name: file.to_owned(),
        bytes: req.body.clone(),
    };
    let sha = sha256_hex(&stored.bytes);
    let size = stored.bytes.len();
    ctx.state.releases.packages.push(stored);
    if select.is_none() {
        return Resp::json(201, &json!({ "message": "201 Created" }));
    }
    Resp::json(
        201,
        &json!({
            "id": id,
            "package_id": 1,
            "created_at": now,
            "updated_at": now,
            "size": size,
            "file_store": 1,
            "file_md5": null,
            "file_sha1": null,
            "file_name": file,
            "file": { "url": format!("/{}/{}/packages/1/files/{id}/{file}", &sha[..2], sha) },
            "file_sha256": sha,
            "verification_retry_at": null,
            "verified_at": null,
            "verification_failure": null,
            "verification_retry_count": null,
            "verification_checksum": null,
            "verification_state": 0,
            "verification_started_at": null,
            "new_file_path": null
        }),
    )
}

/// `POST /projects/:id/releases`.
fn create(ctx: &mut Ctx<'_>, req: &Req, project: &str, web: &str, login: &str, uid: u64) -> Resp {
    let body = match body_json(req) {
        Ok(v) => v,
        Err(e) => return violation(ctx, req, &e),
    };
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let Some(tag) = text("tag_name").filter(|t| !t.is_empty()) else {
        return violation(ctx, req, "tag_name is missing");
    };
    let mut links = Vec::new();
    if let Some(list) = body.pointer("/assets/links") {
        let Some(list) = list.as_array() else {
            return violation(ctx, req, "assets[links] is invalid");
        };
        for l in list {
            match check_link(l, &links) {
                Ok((name, url, kind)) => {
                    let id = ctx.state.next_id();
                    links.push((id, name, url, kind));
                }
                Err(e) => return violation(ctx, req, &e),
            }
        }
    }
    let st = &ctx.state.releases;
    if st
        .gitlab_releases
        .iter()
        .any(|r| r.project == project && r.tag == tag)
    {
        return Resp::json(409, &json!({ "message": "Release already exists" }));
    }
    let tag_exists = st
        .gitlab_tags
        .iter()
        .any(|(p, t)| p == project && *t == tag);
    if !tag_exists && text("ref").is_none_or(|r| r.is_empty()) {
        return Resp::json(422, &json!({ "message": "Ref is not specified" }));
    }
    let now = ctx.state.now();
    let released_at = match text("released_at") {
        Some(t) if !is_iso8601(&t) => {
            return violation(ctx, req, "released_at is invalid");
        }
        Some(t) => t,
        None => now.clone(),
    };
    let r = StoredGitLabRelease {
        project: project.to_owned(),
        tag: tag.clone(),
        name: text("name").unwrap_or_else(|| tag.clone()),
        description: text("description").unwrap_or_default(),
        git_ref: text("ref"),
        links,
        created_at: now.clone(),
        released_at,
    };
    let v = release_json(web, &r, login, uid, &now);
    let st = &mut ctx.state.releases;
    if !tag_exists {
        st.gitlab_tags.push((project.to_owned(), tag));
    }
    st.gitlab_releases.push(r);
    Resp::json(201, &v)
}

/// `GET`/`POST …/releases/:tag_name/assets/links`.
fn links(ctx: &mut Ctx<'_>, req: &Req, project: &str, tag: &str) -> Resp {
    let Some(i) = ctx
        .state
        .releases
        .gitlab_releases
        .iter()
        .position(|r| r.project == project && r.tag == tag)
    else {
        return Resp::json(404, &json!({ "message": "404 Not Found" }));
    };
    if req.method == "GET" {
        let items: Vec<Value> = ctx.state.releases.gitlab_releases[i]
            .links
            .iter()
            .map(link_json)
            .collect();
        return Resp::json(200, &Value::Array(items));
    }
    let body = match body_json(req) {
        Ok(v) => v,
        Err(e) => return violation(ctx, req, &e),
    };
    let checked = check_link(&body, &ctx.state.releases.gitlab_releases[i].links);
    match checked {
        Ok((name, url, kind)) => {
            let id = ctx.state.next_id();
            let l = (id, name, url, kind);
            let v = link_json(&l);
            ctx.state.releases.gitlab_releases[i].links.push(l);
            Resp::json(201, &v)
        }
        Err(e) => violation(ctx, req, &e),
    }
}

/// Checks one link against the docs and the release's other links.
fn check_link(
    l: &Value,
    others: &[(u64, String, String, String)],
) -> Result<(String, String, String), String> {
    let text = |k: &str| l.get(k).and_then(Value::as_str).map(str::to_owned);
    let name = text("name")
        .filter(|s| !s.is_empty())
        .ok_or("name is missing")?;
    let url = text("url")
        .filter(|s| !s.is_empty())
        .ok_or("url is missing")?;
    if !["http://", "https://", "ftp://"]
        .iter()
        .any(|p| url.starts_with(p))
    {
        return Err("url is blocked: Only allowed schemes are http, https, ftp".into());
    }
    let kind = text("link_type").unwrap_or_else(|| "other".into());
    if !["other", "runbook", "image", "package"].contains(&kind.as_str()) {
        return Err("link_type does not have a valid value".into());
    }
    if others.iter().any(|o| o.1 == name) {
        return Err(format!("link name `{name}` has already been taken"));
    }
    if others.iter().any(|o| o.2 == url) {
        return Err(format!("link url `{url}` has already been taken"));
    }
    Ok((name, url, kind))
}

/// A JSON body, or form parameters as a flat JSON object.
fn body_json(req: &Req) -> Result<Value, String> {
    if req
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json"))
    {
        let v: Value =
            serde_json::from_slice(&req.body).map_err(|_| "body is not valid JSON".to_owned())?;
        return if v.is_object() {
            Ok(v)
        } else {
            Err("body is not a JSON object".into())
        };
    }
    let mut obj = serde_json::Map::new();
    for (k, v) in req
        .query
        .iter()
        .cloned()
        .chain(form_urlencoded::parse(&req.body).into_owned())
    {
        obj.insert(k, Value::String(v));
    }
    Ok(Value::Object(obj))
}

/// The query parameters of `GET /projects/:id/releases` (`API.md` section 8) and their
/// allowed values (`None`: a positive integer).
const LIST_PARAMS: &[(&str, Option<&[&str]>)] = &[
    ("order_by", Some(&["released_at", "created_at"])),
    ("sort", Some(&["asc", "desc"])),
    ("include_html_description", Some(&["true", "false"])),
    ("page", None),
    ("per_page", None),
];

/// `GET /projects/:id/releases`: every release of the project, sorted and paginated.
fn list(ctx: &mut Ctx<'_>, req: &Req, project: &str, web: &str, login: &str, uid: u64) -> Resp {
    for (key, value) in &req.query {
        let Some((_, allowed)) = LIST_PARAMS.iter().find(|(k, _)| k == key) else {
            return violation(
                ctx,
                req,
                &format!("{key} is not a parameter of this endpoint"),
            );
        };
        let ok = match allowed {
            Some(options) => options.contains(&value.as_str()),
            None => value.parse::<u64>().is_ok_and(|n| n > 0),
        };
        if !ok {
            return violation(ctx, req, &format!("{key} does not have a valid value"));
        }
    }
    let now = ctx.state.now();
    let by_created = req.query_param("order_by") == Some("created_at");
    let mut releases: Vec<(usize, &StoredGitLabRelease)> = ctx
        .state
        .releases
        .gitlab_releases
        .iter()
        .filter(|r| r.project == project)
        .enumerate()
        .collect();
    releases.sort_by(|(i, a), (j, b)| {
        let key = |r: &StoredGitLabRelease| {
            if by_created {
                r.created_at.clone()
            } else {
                r.released_at.clone()
            }
        };
        (key(a), i).cmp(&(key(b), j))
    });
    if req.query_param("sort") != Some("asc") {
        releases.reverse();
    }
    let number = |k: &str| req.query_param(k).and_then(|v| v.parse::<usize>().ok());
    let page = Page::of(number("page"), number("per_page"), releases.len());
    let items = releases
        .iter()
        .skip(page.skip())
        .take(page.per_page)
        .map(|(_, r)| release_json(web, r, login, uid, &now))
        .collect();
    page.answer(req, &format!("{}{}", ctx.origin, req.prefix), items)
}

/// `YYYY-MM-DDTHH:MM:SS` followed by an optional fraction and a zone (`Z` or `±HH:MM`).
fn is_iso8601(t: &str) -> bool {
    let b = t.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
}

/// A release in the shape of `API.md` sections 3 and 8; `now` is the fake's clock, for
/// `upcoming_release`.
fn release_json(web: &str, r: &StoredGitLabRelease, login: &str, uid: u64, now: &str) -> Value {
    let mut v = json!({
        "tag_name": r.tag,
        "description": r.description,
        "name": r.name,
        "created_at": r.created_at,
        "released_at": r.released_at,
        "author": { "id": uid, "name": login, "username": login, "state": "active",
                    "avatar_url": null, "web_url": format!("{web}/{login}") },
        "commit": { "id": r.git_ref, "short_id": null, "title": "release" },
        "milestones": [],
        "commit_path": format!("{web}/commit/{}", r.git_ref.clone().unwrap_or_default()),
        "tag_path": format!("{web}/-/tags/{}", r.tag),
        "assets": {
            "count": r.links.len() + 4,
            "sources": [],
            "links": r.links.iter().map(link_json).collect::<Vec<_>>(),
        },
        "_links": { "self": format!("{web}/-/releases/{}", r.tag) }
    });
    // Fake times are `2026-01-…Z`, so comparing the text compares the instants.
    if r.released_at.as_str() > now {
        v["upcoming_release"] = Value::Bool(true);
    }
    v
}

/// A release link in the shape of `API.md` section 4.
fn link_json(l: &(u64, String, String, String)) -> Value {
    json!({ "id": l.0, "name": l.1, "url": l.2, "link_type": l.3 })
}

/// Decodes `%XX` escapes of a path segment.
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
