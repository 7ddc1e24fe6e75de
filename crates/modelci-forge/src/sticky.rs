//! Sticky comments: one comment per (tool, key) on a pull/merge request, kept up to date.
//!
//! # Which comments are ours (issue 12)
//!
//! A comment is ours when it carries our hidden [`Marker`] *and* was written by us; the marker
//! alone is not enough, because anyone can quote it. "Us" depends on the token:
//!
//! - **A token with a user** (GitHub personal tokens `ghp_`/`github_pat_`/`gho_`/`ghu_`, every
//!   GitLab token: a project access token's bot user, a job token's user through `GET /job`):
//!   [`Forge::current_user`] names it and only that author's comments are ours.
//! - **A GitHub installation token** (`ghs_`: Actions' `GITHUB_TOKEN`, a GitHub App's token):
//!   no user stands behind it. GitHub answers `GET /user` with `403 Resource not accessible by
//!   integration`, so the client never asks (and a token of unknown form that gets that 403 is
//!   treated the same). Its comments are authored by a bot (`github-actions[bot]`,
//!   `<app-slug>[bot]`, `type: "Bot"`), so until we know better, ours are the marked comments
//!   whose author is a bot. A person quoting the marker is never mistaken for us.
//!
//! Established sticky-comment actions solve the same problem with GraphQL's `viewer`; GraphQL
//! is not in the API description the fake validates against, and a REST-only design needs no
//! second API: the token kind is read from GitHub's documented prefixes, `/user` is never called
//! for `ghs_`, and a 403 there falls back cleanly. What the installation token cannot tell us up
//! front, the comment we create does: its author is our login. From then on (the cleanup of
//! concurrent duplicates) only that author's comments are ours.
//!
//! Between two bots both carrying our marker (a repository that moved from `GITHUB_TOKEN` to an
//! App token), each author's oldest comment is tried in turn: an update GitHub refuses (403, the
//! other bot's comment) moves on to the next author, and only comments of the author we
//! updated are removed as duplicates. So reruns converge on one comment of ours.
//!
//! # Never twice
//!
//! Creating is the one step that is not idempotent, so it is never simply retried: after a
//! failed or ambiguous create the comments are listed again and our new comment, if it landed,
//! is used instead of posting a second one. Concurrent runs can still both create; after
//! creating, the runs list again, keep the oldest of ours and delete the others.

use std::collections::HashSet;

use crate::body::{Composed, Marker, Section, compose};
use crate::retry::Attempts;
use crate::{Comment, CommentId, Forge, ForgeError};

/// What to do with an existing comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mode {
    /// Edit our comment in place, or create it (default).
    #[default]
    Update,
    /// Delete our old comment(s) and post a new one (it moves to the bottom).
    Recreate,
    /// Always post a new comment.
    Append,
    /// Post nothing.
    Off,
}

/// What [`post`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// A new comment was posted (none of ours existed).
    Created,
    /// Our existing comment was edited.
    Updated,
    /// Our old comment(s) were deleted and a new one posted.
    Recreated,
    /// A new comment was added next to the old ones.
    Appended,
    /// [`Mode::Off`]: nothing was done.
    Skipped,
}

/// A sticky comment to post.
#[derive(Debug, Clone)]
pub struct StickyComment<'a> {
    /// Identifies the comment (tool and key).
    pub marker: Marker,
    /// What to do with an existing comment.
    pub mode: Mode,
    /// The report, in order.
    pub sections: &'a [Section],
    /// Where the full report is, mentioned when sections are dropped.
    pub full_report_url: Option<&'a str>,
}

/// The result of [`post`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// What was done.
    pub action: Action,
    /// The comment as it now is (`None` when skipped).
    pub comment: Option<Comment>,
    /// Sections left out to fit the size limit.
    pub dropped_sections: usize,
    /// True when required sections had to be cut too.
    pub truncated: bool,
}

/// Posts or updates the sticky comment on pull/merge request `change`.
pub fn post(
    forge: &dyn Forge,
    change: u64,
    req: &StickyComment<'_>,
) -> Result<Outcome, ForgeError> {
    if req.mode == Mode::Off {
        return Ok(Outcome {
            action: Action::Skipped,
            comment: None,
            dropped_sections: 0,
            truncated: false,
        });
    }
    let Composed {
        body,
        dropped,
        truncated,
    } = compose(
        &req.marker,
        req.sections,
        forge.kind().max_comment_chars(),
        req.full_report_url,
    );
    let owner = match forge.current_user()? {
        Some(user) => Owner::Known(user.login),
        None => Owner::AnyBot,
    };
    let marker = req.marker.to_string();
    let ours_of = |owner: &Owner| -> Result<Vec<Comment>, ForgeError> {
        Ok(forge
            .list_comments(change)?
            .into_iter()
            .filter(|c| owner.owns(c) && c.body.contains(&marker))
            .collect())
    };
    let ours = ours_of(&owner)?;
    let baseline: HashSet<CommentId> = ours.iter().map(|c| c.id).collect();
    let done = |action, comment| {
        Ok(Outcome {
            action,
            comment: Some(comment),
            dropped_sections: dropped,
            truncated,
        })
    };

    match req.mode {
        Mode::Update => {
            // The oldest comment of each author, in order (one author unless `AnyBot`).
            let mut tried: HashSet<&str> = HashSet::new();
            for first in &ours {
                if !tried.insert(first.author.as_str()) {
                    continue;
                }
                match forge.update_comment(change, first.id, &body) {
                    Ok(updated) => {
                        for extra in ours
                            .iter()
                            .filter(|c| c.author == first.author && c.id != first.id)
                        {
                            ignore_gone(forge.delete_comment(change, extra.id))?;
                        }
                        return done(Action::Updated, updated);
                    }
                    // Deleted meanwhile (another run recreated it): create below.
                    Err(ForgeError::NotFound { .. }) => {}
                    // Another bot's comment: try the next author, else create our own.
                    Err(e) if e.is_forbidden() && owner == Owner::AnyBot => {}
                    Err(e) => return Err(e),
                }
            }
            let created = create_once(forge, change, &owner, &body, &baseline)?;
            // Now we know who we are. Concurrent runs may each have created one: keep the
            // oldest, delete the rest.
            let me = Owner::Known(created.author.clone());
            let now = ours_of(&me)?;
            let Some((oldest, rest)) = now.split_first() else {
                return done(Action::Created, created);
            };
            for extra in rest {
                ignore_gone(forge.delete_comment(change, extra.id))?;
            }
            if oldest.id == created.id {
                done(Action::Created, created)
            } else {
                // Another run's comment is older (ours may already be deleted by it): keep that
                // one, with our content.
                done(
                    Action::Updated,
                    forge.update_comment(change, oldest.id, &body)?,
                )
            }
        }
        Mode::Recreate => {
            for old in &ours {
                match forge.delete_comment(change, old.id) {
                    // Another bot's comment that we may not delete is not ours to recreate.
                    Err(e) if e.is_forbidden() && owner == Owner::AnyBot => {}
                    other => ignore_gone(other)?,
                }
            }
            let created = create_once(forge, change, &owner, &body, &baseline)?;
            done(Action::Recreated, created)
        }
        Mode::Append | Mode::Off => {
            let created = create_once(forge, change, &owner, &body, &baseline)?;
            done(Action::Appended, created)
        }
    }
}

/// Whose comments are ours.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    /// The token's user (personal tokens, every GitLab token), or the author of the comment we
    /// just created.
    Known(String),
    /// A GitHub installation token before it has created anything: any bot account.
    AnyBot,
}

impl Owner {
    /// Whether `comment` was written by us.
    fn owns(&self, comment: &Comment) -> bool {
        match self {
            Self::Known(login) => comment.author == *login,
            Self::AnyBot => comment.author_is_bot,
        }
    }
}

/// Creates a comment at most once: after a transient failure it waits, lists the comments and
/// returns ours if the failed request did land, and only otherwise posts again.
fn create_once(
    forge: &dyn Forge,
    change: u64,
    owner: &Owner,
    body: &str,
    baseline: &HashSet<CommentId>,
) -> Result<Comment, ForgeError> {
    let policy = forge.retry_policy().clone();
    let mut attempts = Attempts::new(&policy);
    loop {
        match forge.create_comment(change, body) {
            Ok(c) => return Ok(c),
            Err(e) => {
                attempts.wait_or_give_up(e)?;
                let landed = forge.list_comments(change)?.into_iter().find(|c| {
                    owner.owns(c) && !baseline.contains(&c.id) && same_body(&c.body, body)
                });
                if let Some(c) = landed {
                    return Ok(c);
                }
            }
        }
    }
}

/// Compares bodies as the hosts store them (line endings and trailing space may change).
fn same_body(a: &str, b: &str) -> bool {
    a.replace("\r\n", "\n").trim_end() == b.replace("\r\n", "\n").trim_end()
}

/// A delete that finds the comment already gone is a success.
fn ignore_gone(r: Result<(), ForgeError>) -> Result<(), ForgeError> {
    match r {
        Err(ForgeError::NotFound { .. }) => Ok(()),
        other => other,
    }
}
