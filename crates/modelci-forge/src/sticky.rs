//! Sticky comments: one comment per (tool, key) on a pull/merge request, kept up to date.
//!
//! The comment is found by its hidden [`Marker`], among comments written by the token's own
//! user only, across every page. Creating is the one step that is not idempotent, so it is never
//! simply retried: after a failed or ambiguous create the comments are listed again and our new
//! comment, if it landed, is used instead of posting a second one. Concurrent runs can still both
//! create; after creating, the runs list again, keep the oldest of ours and delete the others.

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
    let me = forge.current_user()?.login;
    let marker = req.marker.to_string();
    let is_ours = |c: &Comment| c.author == me && c.body.contains(&marker);
    let ours: Vec<Comment> = forge
        .list_comments(change)?
        .into_iter()
        .filter(|c| is_ours(c))
        .collect();
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
            if let Some((first, rest)) = ours.split_first() {
                match forge.update_comment(change, first.id, &body) {
                    Ok(updated) => {
                        for extra in rest {
                            ignore_gone(forge.delete_comment(change, extra.id))?;
                        }
                        return done(Action::Updated, updated);
                    }
                    // Deleted meanwhile (another run recreated it): create below.
                    Err(ForgeError::NotFound { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            let created = create_once(forge, change, &me, &body, &baseline)?;
            // Concurrent runs may each have created one: keep the oldest, delete the rest.
            let now: Vec<Comment> = forge
                .list_comments(change)?
                .into_iter()
                .filter(|c| is_ours(c))
                .collect();
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
                ignore_gone(forge.delete_comment(change, old.id))?;
            }
            let created = create_once(forge, change, &me, &body, &baseline)?;
            done(Action::Recreated, created)
        }
        Mode::Append | Mode::Off => {
            let created = create_once(forge, change, &me, &body, &baseline)?;
            done(Action::Appended, created)
        }
    }
}

/// Creates a comment at most once: after a transient failure it waits, lists the comments and
/// returns ours if the failed request did land, and only otherwise posts again.
fn create_once(
    forge: &dyn Forge,
    change: u64,
    me: &str,
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
                    c.author == me && !baseline.contains(&c.id) && same_body(&c.body, body)
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
