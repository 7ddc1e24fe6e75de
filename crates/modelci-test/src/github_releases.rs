//! Releases in the fake (issue 6): GitHub's releases and release assets, and the memory shared
//! with the GitLab half ([`crate::gitlab_releases`]: generic packages and release links).
//!
//! Requests arrive here already matched and checked against GitHub's OpenAPI description by
//! [`crate::github`]; single objects are checked against the response schemas there. Assets are
//! uploaded to the `upload_url` the fake hands out, on the same host (GitHub uses
//! `uploads.github.com`), and get GitHub's `digest` (`sha256:…`). As on GitHub: drafts are
//! visible in the list but not by tag or as latest; an asset name can exist once per release
//! (422 `already_exists`); a failed upload may leave an asset in state `open`
//! ([`crate::FakeServer::fail_release_upload`]). `repos/get-release-asset` with
//! `Accept: application/octet-stream` answers the asset's bytes (GitHub redirects to them), or
//! half of them ([`crate::FakeServer::truncate_release_downloads`]).

use serde_json::{Value, json};

use crate::server::{Ctx, Req, Resp};
use crate::state::FakeUser;

/// A GitHub release as stored by the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRelease {
    /// Release id.
    pub id: u64,
    /// `owner/repo`.
    pub repo: String,
    /// Tag name.
    pub tag: String,
    /// Title.
    pub name: String,
    /// Notes.
    pub body: String,
    /// Still a draft.
    pub draft: bool,
    /// Marked as a prerelease.
    pub prerelease: bool,
    /// `target_commitish`.
    pub target: String,
    /// Author login and id.
    pub author: (String, u64),
    /// Creation time.
    pub created_at: String,
    /// When it was published (`None` while a draft).
    pub published_at: Option<String>,
    /// Its assets, in upload order.
    pub assets: Vec<StoredAsset>,
    /// How many times it went from draft to published.
    pub publications: u32,
}

/// A release asset as stored by the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAsset {
    /// Asset id.
    pub id: u64,
    /// File name.
    pub name: String,
    /// `Content-Type` sent with the upload.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// `uploaded`, or `open` for an upload that broke off.
    pub state: String,
    /// Creation time.
    pub created_at: String,
    /// Uploader login and id.
    pub uploader: (String, u64),
}

/// A generic package file stored by the GitLab half (every upload, duplicates included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPackageFile {
    /// Package file id.
    pub id: u64,
    /// Project path.
    pub project: String,
    /// Package name.
    pub package: String,
    /// Package version.
    pub version: String,
    /// File name.
    pub file_name: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A GitLab release stored by the GitLab half.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredGitLabRelease {
    /// Project path.
    pub project: String,
    /// Tag name.
    pub tag: String,
    /// Title.
    pub name: String,
    /// Description.
    pub description: String,
    /// `ref` it was created from, if given.
    pub git_ref: Option<String>,
    /// Asset links: (id, name, url, link type).
    pub links: Vec<(u64, String, String, String)>,
    /// Creation time.
    pub created_at: String,
    /// Release time (`released_at`; later than the fake's clock: an upcoming release).
    pub released_at: String,
}

/// The fake's memory of releases and packages.
#[derive(Debug, Default)]
pub struct ReleaseState {
    /// GitHub releases in creation order.
    pub releases: Vec<StoredRelease>,
    /// Uploads to let through before one breaks off (`Some(0)`: the next one breaks).
    pub fail_upload_after: Option<usize>,
    /// Asset downloads still to cut off: each answers only the first half of the bytes, as a
    /// connection dropped by a proxy mid-download would leave them.
    pub truncate_downloads: usize,
    /// GitLab generic package files in upload order.
    pub packages: Vec<StoredPackageFile>,
    /// GitLab releases in creation order.
    pub gitlab_releases: Vec<StoredGitLabRelease>,
    /// GitLab tags that exist (`project`, `tag`): a release for another tag needs `ref`.
    pub gitlab_tags: Vec<(String, String)>,
}

/// Handles the release operations; `Ok` is the status and body to check and send.
pub(crate) fn handle(
    ctx: &mut Ctx<'_>,
    req: &Req,
    op: &str,
    param: &dyn Fn(&str) -> String,
    repo: &str,
    user: &FakeUser,
) -> Result<(u16, Value), Resp> {
    let api = crate::github::api_base(ctx, req);
    let origin = ctx.origin.to_owned();
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let id_param = |name: &str| param(name).parse::<u64>().unwrap_or(0);
    let find = |state: &ReleaseState, id: u64| {
        state
            .releases
            .iter()
            .position(|r| r.id == id && r.repo == repo)
    };
    match op {
        "repos/list-releases" => Err(list(ctx, req, repo, &api)),
        "repos/create-release" => {
            let tag = body["tag_name"].as_str().unwrap_or_default().to_owned();
            if ctx
                .state
                .releases
                .releases
                .iter()
                .any(|r| r.repo == repo && r.tag == tag && !r.draft)
            {
                return Err(validation_failed("tag_name", "already_exists"));
            }
            let draft = body["draft"].as_bool().unwrap_or(false);
            let id = ctx.state.next_id();
            let now = ctx.state.now();
            let r = StoredRelease {
                id,
                repo: repo.to_owned(),
                tag: tag.clone(),
                name: body["name"].as_str().unwrap_or(&tag).to_owned(),
                body: body["body"].as_str().unwrap_or_default().to_owned(),
                draft,
                prerelease: body["prerelease"].as_bool().unwrap_or(false),
                target: body["target_commitish"]
                    .as_str()
                    .unwrap_or("main")
                    .to_owned(),
                author: (user.login.clone(), user.id),
                created_at: now.clone(),
                published_at: (!draft).then_some(now),
                assets: Vec::new(),
                publications: u32::from(!draft),
            };
            let v = release_json(&api, &origin, &r);
            ctx.state.releases.releases.push(r);
            Ok((201, v))
        }
        "repos/get-release" | "repos/update-release" | "repos/list-release-assets" => {
            let Some(i) = find(&ctx.state.releases, id_param("release_id")) else {
                return Err(not_found());
            };
            if op == "repos/update-release" {
                let now = ctx.state.now();
                let r = &mut ctx.state.releases.releases[i];
                if let Some(d) = body["draft"].as_bool() {
                    if r.draft && !d {
                        r.published_at = Some(now);
                        r.publications += 1;
                    }
                    r.draft = d;
                }
                for (key, field) in [("name", &mut r.name), ("body", &mut r.body)] {
                    if let Some(s) = body[key].as_str() {
                        *field = s.to_owned();
                    }
                }
            }
            let r = &ctx.state.releases.releases[i];
            if op == "repos/list-release-assets" {
                let items = r
                    .assets
                    .iter()
                    .map(|a| asset_json(&api, &origin, r, a))
                    .collect();
                return Ok((200, Value::Array(items)));
            }
            Ok((200, release_json(&api, &origin, r)))
        }
        "repos/get-release-by-tag" | "repos/get-latest-release" => {
            let tag = param("tag");
            let found = ctx
                .state
                .releases
                .releases
                .iter()
                .filter(|r| r.repo == repo && !r.draft)
                .filter(|r| {
                    if op == "repos/get-release-by-tag" {
                        r.tag == tag
                    } else {
                        !r.prerelease
                    }
                })
                .max_by_key(|r| r.id);
            match found {
                Some(r) => Ok((200, release_json(&api, &origin, r))),
                None => Err(not_found()),
            }
        }
        "repos/upload-release-asset" => upload(ctx, req, repo, user, id_param("release_id")),
        "repos/get-release-asset" | "repos/delete-release-asset" => {
            let id = id_param("asset_id");
            let Some((ri, ai)) =
                ctx.state
                    .releases
                    .releases
                    .iter()
                    .enumerate()
                    .find_map(|(ri, r)| {
                        (r.repo == repo)
                            .then(|| r.assets.iter().position(|a| a.id == id).map(|ai| (ri, ai)))
                            .flatten()
                    })
            else {
                return Err(not_found());
            };
            if op == "repos/delete-release-asset" {
                ctx.state.releases.releases[ri].assets.remove(ai);
                return Err(Resp {
                    status: 204,
                    headers: Vec::new(),
                    body: Vec::new(),
                });
            }
            // GitHub answers the bytes (through a redirect) when asked for
            // `application/octet-stream`; the fake answers them directly.
            if req
                .header("accept")
                .is_some_and(|h| h.contains("application/octet-stream"))
            {
                let cut = ctx.state.releases.truncate_downloads > 0;
                if cut {
                    ctx.state.releases.truncate_downloads -= 1;
                }
                let a = &ctx.state.releases.releases[ri].assets[ai];
                let body = if cut {
                    a.bytes[..a.bytes.len() / 2].to_vec()
                } else {
                    a.bytes.clone()
                };
                return Err(Resp {
                    status: 200,
                    headers: vec![("Content-Type".to_owned(), a.content_type.clone())],
                    body,
                });
            }
            let r = &ctx.state.releases.releases[ri];
            let a = &r.assets[ai];
            Ok((200, asset_json(&api, &origin, r, a)))
        }
        other => Err(Resp::json(
            501,
            &json!({ "message": format!("the fake does not implement `{other}`") }),
        )),
    }
}

/// `POST .../releases/{id}/assets?name=…` with the raw bytes.
fn upload(
    ctx: &mut Ctx<'_>,
    req: &Req,
    repo: &str,
    user: &FakeUser,
    release_id: u64,
) -> Result<(u16, Value), Resp> {
    let api = crate::github::api_base(ctx, req);
    let origin = ctx.origin.to_owned();
    let Some(content_type) = req.header("content-type").map(str::to_owned) else {
        ctx.state.violations.push(format!(
            "{} {}{}: an asset upload needs a Content-Type header",
            req.method, req.prefix, req.path
        ));
        return Err(validation_failed("content_type", "missing_field"));
    };
    let name = req.query_param("name").unwrap_or_default().to_owned();
    let Some(i) = ctx
        .state
        .releases
        .releases
        .iter()
        .position(|r| r.id == release_id && r.repo == repo)
    else {
        return Err(not_found());
    };
    if ctx.state.releases.releases[i]
        .assets
        .iter()
        .any(|a| a.name == name)
    {
        return Err(validation_failed("name", "already_exists"));
    }
    let breaks = match &mut ctx.state.releases.fail_upload_after {
        Some(0) => true,
        Some(n) => {
            *n -= 1;
            false
        }
        None => false,
    };
    if breaks {
        ctx.state.releases.fail_upload_after = None;
    }
    let id = ctx.state.next_id();
    let now = ctx.state.now();
    let bytes = if breaks {
        req.body[..req.body.len() / 2].to_vec()
    } else {
        req.body.clone()
    };
    let asset = StoredAsset {
        id,
        name,
        content_type,
        bytes,
        state: if breaks { "open" } else { "uploaded" }.to_owned(),
        created_at: now,
        uploader: (user.login.clone(), user.id),
    };
    ctx.state.releases.releases[i].assets.push(asset.clone());
    if breaks {
        return Err(Resp::json(
            502,
            &json!({ "message": "Bad Gateway (the fake broke this upload off)" }),
        ));
    }
    let r = &ctx.state.releases.releases[i];
    Ok((201, asset_json(&api, &origin, r, &asset)))
}

/// `GET .../releases` with GitHub's page/per_page rules and `Link` header, newest first.
fn list(ctx: &Ctx<'_>, req: &Req, repo: &str, api: &str) -> Resp {
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
    let mut all: Vec<&StoredRelease> = ctx
        .state
        .releases
        .releases
        .iter()
        .filter(|r| r.repo == repo)
        .collect();
    all.sort_by_key(|r| std::cmp::Reverse(r.id));
    let last = all.len().div_ceil(per_page).max(1);
    let items: Vec<Value> = all
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|r| release_json(api, ctx.origin, r))
        .collect();
    let url = |p: usize| format!("{api}{}?per_page={per_page}&page={p}", req.path);
    let mut links = Vec::new();
    if page < last {
        links.push(format!("<{}>; rel=\"next\"", url(page + 1)));
        links.push(format!("<{}>; rel=\"last\"", url(last)));
    }
    if page > 1 {
        links.push(format!("<{}>; rel=\"prev\"", url(page - 1)));
        links.push(format!("<{}>; rel=\"first\"", url(1)));
    }
    let resp = Resp::json(200, &Value::Array(items));
    if links.is_empty() {
        resp
    } else {
        resp.with("Link", links.join(", "))
    }
}

/// GitHub's release object.
pub(crate) fn release_json(api: &str, html: &str, r: &StoredRelease) -> Value {
    let url = format!("{api}/repos/{}/releases/{}", r.repo, r.id);
    // github.com uploads to `uploads.github.com` (here: the same origin); Enterprise Server to
    // `https://HOST/api/uploads`, outside the API root.
    let uploads = api.strip_suffix("/api/v3").map_or_else(
        || api.to_owned(),
        |origin| format!("{origin}{}", crate::github::UPLOADS_PREFIX),
    );
    let web = if r.draft {
        format!("{html}/{}/releases/tag/untagged-{:020x}", r.repo, r.id)
    } else {
        format!("{html}/{}/releases/tag/{}", r.repo, r.tag)
    };
    json!({
        "url": url,
        "html_url": web,
        "assets_url": format!("{url}/assets"),
        "upload_url": format!("{uploads}/repos/{}/releases/{}/assets{{?name,label}}", r.repo, r.id),
        "tarball_url": format!("{api}/repos/{}/tarball/{}", r.repo, r.tag),
        "zipball_url": format!("{api}/repos/{}/zipball/{}", r.repo, r.tag),
        "id": r.id,
        "node_id": format!("RE_kwDO{:010}", r.id),
        "tag_name": r.tag,
        "target_commitish": r.target,
        "name": r.name,
        "body": r.body,
        "draft": r.draft,
        "prerelease": r.prerelease,
        "immutable": false,
        "created_at": r.created_at,
        "published_at": r.published_at,
        "updated_at": r.published_at.clone().unwrap_or_else(|| r.created_at.clone()),
        "author": crate::github::user_json(api, html, &r.author.0, r.author.1),
        "assets": r.assets.iter().map(|a| asset_json(api, html, r, a)).collect::<Vec<_>>(),
    })
}

/// GitHub's release-asset object, with the `digest` GitHub computes.
fn asset_json(api: &str, html: &str, r: &StoredRelease, a: &StoredAsset) -> Value {
    json!({
        "url": format!("{api}/repos/{}/releases/assets/{}", r.repo, a.id),
        "browser_download_url": format!("{html}/{}/releases/download/{}/{}", r.repo, r.tag, a.name),
        "id": a.id,
        "node_id": format!("RA_kwDO{:010}", a.id),
        "name": a.name,
        "label": null,
        "state": a.state,
        "content_type": a.content_type,
        "size": a.bytes.len(),
        "digest": (a.state == "uploaded").then(|| format!("sha256:{}", sha256_hex(&a.bytes))),
        "download_count": 0,
        "created_at": a.created_at,
        "updated_at": a.created_at,
        "uploader": crate::github::user_json(api, html, &a.uploader.0, a.uploader.1),
    })
}

/// 422 "Validation Failed" with one error, as GitHub sends it.
fn validation_failed(field: &str, code: &str) -> Resp {
    Resp::json(
        422,
        &json!({
            "message": "Validation Failed",
            "errors": [{ "resource": "Release", "code": code, "field": field }],
            "documentation_url": "https://docs.github.com/rest/releases",
            "status": "422"
        }),
    )
}

/// 404 as GitHub sends it.
fn not_found() -> Resp {
    Resp::json(
        404,
        &json!({ "message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404" }),
    )
}

/// SHA-256 (FIPS 180-4) of `data`, lower-case hex: the fake computes digests the way the real
/// hosts do without depending on the crate the clients use.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_values() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let long = vec![b'a'; 1000];
        assert_eq!(
            sha256_hex(&long),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        );
    }
}
