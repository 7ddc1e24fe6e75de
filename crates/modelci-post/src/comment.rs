//! The sticky pull/merge request comment.
//!
//! Which host, repository and token come from [`modelci_ci::resolve_host`]; GitLab's job token
//! cannot write notes, so it gets the documented warning instead of a request GitLab refuses.

use std::collections::BTreeMap;

use modelci_ci::{CiContext, Env, HostChoice, HostError, Provider};
use modelci_forge::{ForgeConfig, ForgeError, Marker, StickyComment, connect, sticky};

use crate::{Delivered, Options, PostError, PostSwitch, Report, sections, warn};

/// Posts or updates the comment when the run is for a change request and posting is on.
pub(crate) fn post(
    report: &Report,
    options: &Options,
    context: &CiContext,
    env: &Env,
    delivered: &mut Delivered,
) -> Result<(), PostError> {
    let required = options.post == PostSwitch::Always;
    let github_actions = context.provider == Provider::GitHubActions;
    if options.post == PostSwitch::Never || options.mode == sticky::Mode::Off {
        return Ok(());
    }
    // What stands in the way of posting, if anything.
    let refuse = |delivered: &mut Delivered, message: String| -> Result<(), PostError> {
        if required || options.strict {
            Err(PostError::CannotPost(message))
        } else {
            warn(delivered, github_actions, &message);
            Ok(())
        }
    };
    let Some(change) = &context.change else {
        return if required {
            Err(PostError::CannotPost(format!(
                "this {} run is not for a pull/merge request",
                context.provider
            )))
        } else {
            Ok(())
        };
    };
    let host = match modelci_ci::resolve_host(context, env, &HostChoice::default()) {
        Ok(host) => host,
        Err(HostError::NoProject { .. }) => {
            return refuse(
                delivered,
                "cannot tell which repository this run is for".into(),
            );
        }
        Err(_) => return refuse(delivered, "cannot tell which code host this repository is on; set MODELCI_FORGE and MODELCI_API_URL".into()),
    };
    let token = match &host.token {
        Some(token) if !token.is_job_token => token,
        _ => {
            return refuse(
                delivered,
                context
                    .token
                    .problem()
                    .unwrap_or_else(|| "no token to post with".into()),
            );
        }
    };
    if github_actions {
        println_stdout(&modelci_ci::output::workflow_command::add_mask_command(
            &token.secret,
        ));
    }
    let Some(config) = ForgeConfig::from_host(&host) else {
        return refuse(delivered, "no token to post with".into());
    };
    let forge = connect(&config)?;

    // Each host does what it can: GitLab uploads images, GitHub commits them to the image
    // branch; the other way round answers `Unsupported`, which is skipped quietly.
    let images = upload_images(forge.as_ref(), report, delivered, github_actions);
    let published = match &options.image_branch {
        Some(branch) => {
            let folder = format!(
                "modelci/{}/{}/{}",
                path_part(report.tool),
                path_part(&options.key),
                change.number
            );
            publish_images(
                forge.as_ref(),
                report,
                branch,
                &folder,
                delivered,
                github_actions,
            )
        }
        _ => BTreeMap::new(),
    };
    let run_url = context.run_url.clone();
    let markdown = sections::rewrite_images(&report.markdown, &|alt, file| {
        if let Some(url) = published.get(file) {
            return format!("![{alt}]({url})");
        }
        match (images.get(file), &run_url) {
            (Some(uploaded), _) => uploaded.clone(),
            (None, Some(url)) => format!("📊 [{alt}]({url}) (PNG and SVG in the run's artifacts)"),
            (None, None) => format!("📊 {alt}: {file} in the report folder"),
        }
    });
    let body = sections::split(&markdown);
    let request = StickyComment {
        marker: Marker::new(report.tool, &options.key),
        mode: options.mode,
        sections: &body,
        full_report_url: run_url.as_deref(),
    };
    match sticky::post(forge.as_ref(), change.number, &request) {
        Ok(outcome) => {
            delivered.comment_url = outcome.comment.and_then(|c| c.url);
            Ok(())
        }
        Err(error) if error.is_forbidden() && !options.strict => {
            let fork = if change.is_fork {
                " (this pull request comes from a fork, whose token is read-only)"
            } else {
                ""
            };
            warn(
                delivered,
                github_actions,
                &format!(
                    "the code host refused the comment{fork}: {error}\nhint: the report and job summary are still written; to comment on fork pull requests use the two-workflow pattern (docs/ci.md), or pass --strict to fail instead"
                ),
            );
            Ok(())
        }
        Err(error) => Err(PostError::Forge(error)),
    }
}

/// Uploads every local image the report references; failures become warnings and the image
/// falls back to a text pointer.
fn upload_images(
    forge: &dyn modelci_forge::Forge,
    report: &Report,
    delivered: &mut Delivered,
    github: bool,
) -> BTreeMap<String, String> {
    let mut uploaded = BTreeMap::new();
    for file in sections::local_images(&report.markdown) {
        let path = report.dir.join(&file);
        if !path.is_file() {
            continue;
        }
        match forge.upload_image(&path) {
            Ok(markdown) => {
                uploaded.insert(file, markdown.0);
            }
            Err(ForgeError::Unsupported { .. }) => {}
            Err(error) => warn(
                delivered,
                github,
                &format!("could not upload {file}: {error}"),
            ),
        }
    }
    uploaded
}

/// Commits every local PNG the report references to `branch` under `folder` and returns file
/// name → URL. The first failure is a warning and stops publishing (a fork's read-only token
/// would fail every file); images not published fall back to the run's artifacts.
fn publish_images(
    forge: &dyn modelci_forge::Forge,
    report: &Report,
    branch: &str,
    folder: &str,
    delivered: &mut Delivered,
    github: bool,
) -> BTreeMap<String, String> {
    let mut published = BTreeMap::new();
    for file in sections::local_images(&report.markdown) {
        let path = report.dir.join(&file);
        let png = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"));
        if !png || !path.is_file() {
            continue;
        }
        let target = format!(
            "{folder}/{}",
            file.split('/').map(path_part).collect::<Vec<_>>().join("/")
        );
        let result = std::fs::read(&path)
            .map_err(|source| ForgeError::Io {
                path: path.clone(),
                source,
            })
            .and_then(|bytes| forge.publish_image(branch, &target, &bytes));
        match result {
            Ok(url) => {
                published.insert(file, url);
            }
            Err(ForgeError::Unsupported { .. }) => break,
            Err(error) => {
                warn(
                    delivered,
                    github,
                    &format!(
                        "could not commit {file} to branch `{branch}`: {error}\nhint: the comment links the charts in the run's artifacts instead"
                    ),
                );
                break;
            }
        }
    }
    published
}

/// One path component for the image branch: characters outside letters, digits, `-`, `_`
/// and `.` become `-`, and `.`/`..` are not kept as such.
fn path_part(s: &str) -> String {
    let part: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if part.is_empty() || part.chars().all(|c| c == '.') {
        part.replace('.', "-") + "-"
    } else {
        part
    }
}

fn println_stdout(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

#[cfg(test)]
mod tests {
    use super::path_part;

    #[test]
    fn path_parts_are_safe() {
        assert_eq!(path_part("eval-diff"), "eval-diff");
        assert_eq!(path_part("gpu a/b"), "gpu-a-b");
        assert_eq!(path_part(".."), "---");
        assert_eq!(path_part(""), "-");
    }
}
