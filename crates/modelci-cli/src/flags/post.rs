//! The posting flags: whether and how the report becomes a pull/merge request comment.

use modelci_post::{Mode, Options, PostSwitch};

/// What to do with the comment an earlier run left on the pull/merge request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CommentMode {
    /// Edit the earlier comment in place.
    #[default]
    Update,
    /// Delete the earlier comment and post a new one at the bottom.
    Recreate,
    /// Post a new comment every run.
    Append,
    /// Post no comment (the job summary and CI report files are still written).
    Off,
}

impl From<CommentMode> for Mode {
    fn from(mode: CommentMode) -> Self {
        match mode {
            CommentMode::Update => Self::Update,
            CommentMode::Recreate => Self::Recreate,
            CommentMode::Append => Self::Append,
            CommentMode::Off => Self::Off,
        }
    }
}

/// Whether and how the report is posted as a sticky pull/merge request comment.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
#[command(next_help_heading = "Posting")]
pub struct PostArgs {
    /// Post the report as a pull/merge request comment (default: when the run is for a PR/MR
    /// and a token is set; with --post a missing PR or token is an error).
    #[arg(long, overrides_with = "no_post")]
    pub post: bool,

    /// Never post a comment (the job summary and CI report files are still written).
    #[arg(long)]
    pub no_post: bool,

    /// What to do with the previous comment: update it, recreate it at the bottom, append a new
    /// one, or post nothing.
    #[arg(long, value_name = "MODE", value_enum, default_value_t = CommentMode::Update)]
    pub comment_mode: CommentMode,

    /// Distinguishes this job's comment from other comments of the same tool on the same PR
    /// (matrix jobs: use the matrix value).
    #[arg(long, value_name = "KEY", default_value = "default")]
    pub comment_key: String,

    /// Fail (exit 3) when the code host refuses or fails (e.g. the comment on a fork pull
    /// request), instead of warning.
    #[arg(long)]
    pub strict: bool,

    /// GitHub, for public repositories: commit the chart PNGs to BRANCH (which must exist; an
    /// orphan branch is best) via the contents API so the comment can show them, instead of
    /// linking the run's artifacts. The token needs `contents: write`.
    #[arg(long, value_name = "BRANCH")]
    pub image_branch: Option<String>,
}

impl PostArgs {
    /// The delivery options these flags ask for.
    #[must_use]
    pub fn options(&self) -> Options {
        Options {
            post: if self.no_post {
                PostSwitch::Never
            } else if self.post {
                PostSwitch::Always
            } else {
                PostSwitch::Auto
            },
            mode: self.comment_mode.into(),
            key: self.comment_key.clone(),
            strict: self.strict,
            image_branch: self.image_branch.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        post: PostArgs,
    }

    fn parse(args: &[&str]) -> Result<PostArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("tool").chain(args.iter().copied())).map(|c| c.post)
    }

    #[test]
    fn defaults_post_automatically_and_update_the_comment() {
        let options = parse(&[]).expect("parses").options();
        assert_eq!(options.post, PostSwitch::Auto);
        assert_eq!(options.mode, Mode::Update);
        assert_eq!(options.key, "default");
        assert!(!options.strict);
        assert_eq!(options.image_branch, None);
    }

    #[test]
    fn every_flag_reaches_the_options() {
        let options = parse(&[
            "--post",
            "--comment-mode",
            "recreate",
            "--comment-key",
            "py3.12",
            "--strict",
            "--image-branch",
            "charts",
        ])
        .expect("parses")
        .options();
        assert_eq!(options.post, PostSwitch::Always);
        assert_eq!(options.mode, Mode::Recreate);
        assert_eq!(options.key, "py3.12");
        assert!(options.strict);
        assert_eq!(options.image_branch.as_deref(), Some("charts"));
        assert_eq!(
            parse(&["--post", "--no-post"])
                .expect("parses")
                .options()
                .post,
            PostSwitch::Never
        );
    }

    #[test]
    fn a_misspelt_comment_mode_is_refused_not_ignored() {
        let error = parse(&["--comment-mode", "updte"]).expect_err("refused");
        assert_eq!(error.kind(), clap::error::ErrorKind::InvalidValue);
        assert!(error.to_string().contains("update"), "{error}");
    }
}
