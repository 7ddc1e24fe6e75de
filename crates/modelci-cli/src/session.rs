//! One run of a binary, from detecting where it runs to the exit code.
//!
//! [`Session::start`] reads the CI environment once (so every step of the run agrees on the
//! provider, the pull request and the code host), prepares the output folder before any long
//! work, and collects warnings as the run goes. [`Session::finish`] delivers the report
//! ([`modelci_post`]: job summary, CI report files, the sticky comment) and maps what happened
//! to the exit status, the same way in every binary:
//!
//! - delivered: the gates' status;
//! - delivery failed after a failed gate: the failed gate stays the news (exit 1), the delivery
//!   problem is printed;
//! - delivery failed otherwise: exit 3 when the code host failed or refused, else exit 2.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use modelci_ci::{CiContext, Env, Provider};
use modelci_post::{Delivered, Report};
use modelci_report::envelope::{Provenance, Verdict};
use modelci_report::{Envelope, ToolName};

use crate::exit::{ExitStatus, Failure};
use crate::flags::{OutputArgs, PostArgs};

/// The state a run shares between its steps: tool, environment, CI context, warnings.
#[derive(Debug, Clone)]
pub struct Session {
    tool: &'static str,
    env: Env,
    ci: CiContext,
    warnings: Vec<String>,
}

impl Session {
    /// Detects the CI environment of this process and prepares `output`'s folder.
    ///
    /// # Errors
    /// A bad-input [`Failure`] when the CI environment is inconsistent (naming the variable or
    /// file at fault) or the output folder cannot be created or written.
    pub fn start(tool: &'static str, output: &OutputArgs) -> Result<Self, Failure> {
        let session = Self::detect(tool, Env::from_process())?;
        prepare_output_dir(tool, &output.output_dir).map_err(Failure::bad_input)?;
        Ok(session)
    }

    /// Detects the CI environment described by `env`, without an output folder (for runs that
    /// post or publish what already exists).
    ///
    /// # Errors
    /// A bad-input [`Failure`] when the CI environment is inconsistent.
    pub fn detect(tool: &'static str, env: Env) -> Result<Self, Failure> {
        let ci = modelci_ci::detect(&env, &|p: &Path| std::fs::read_to_string(p))
            .context("reading the CI environment")
            .map_err(Failure::bad_input)?;
        Ok(Self {
            tool,
            env,
            ci,
            warnings: Vec::new(),
        })
    }

    /// The binary's name, as it prefixes error lines.
    #[must_use]
    pub fn tool(&self) -> &'static str {
        self.tool
    }

    /// The environment variables the run was started with.
    #[must_use]
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// Where the run is: provider, code host, repository, pull/merge request.
    #[must_use]
    pub fn ci(&self) -> &CiContext {
        &self.ci
    }

    /// The shared `report.json` envelope for `tool` at `version`, with this run's provenance
    /// (commit and CI run) filled in.
    #[must_use]
    pub fn envelope(&self, tool: ToolName, version: &str, verdict: Verdict) -> Envelope {
        let mut envelope = Envelope::new(tool, version, verdict);
        envelope.provenance = Provenance {
            commit: self.ci.commit_sha.clone(),
            run_url: self.ci.run_url.clone(),
        };
        envelope
    }

    /// Prints a warning on standard error (and as an annotation in GitHub Actions) and keeps
    /// it for the end of the run.
    pub fn warn(&mut self, message: &str) {
        // Warnings carry names and values from data: one escaped, bounded line.
        let _ = writeln!(
            std::io::stderr().lock(),
            "warning: {}",
            crate::sanitize(message)
        );
        if self.ci.provider == Provider::GitHubActions {
            let _ = writeln!(
                std::io::stdout().lock(),
                "::warning::{}",
                modelci_ci::output::workflow_command::escape_data(message)
            );
        }
        self.warnings
            .push(message.lines().next().unwrap_or(message).to_owned());
    }

    /// Every warning of the run so far (first lines), delivery's included after [`finish`].
    ///
    /// [`finish`]: Session::finish
    #[must_use]
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Delivers `report` as `post` asks and maps the outcome to the exit status; `status` is
    /// what the gates said.
    ///
    /// # Errors
    /// A [`Failure`] when delivery failed and no gate did: exit 3 for the code host, 2 for
    /// local trouble (a CI output file that cannot be written, `--post` where no PR exists is
    /// a host refusal).
    pub fn finish(
        &mut self,
        report: &Report,
        post: &PostArgs,
        status: ExitStatus,
    ) -> Result<ExitStatus, Failure> {
        match modelci_post::deliver_in(report, &post.options(), &self.ci, &self.env) {
            Ok(done) => {
                self.delivered(done);
                Ok(status)
            }
            // A failed gate is the more important news; the delivery problem is still printed.
            Err(error) if status == ExitStatus::GateFailed => {
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "{}: error: {}",
                    self.tool,
                    crate::sanitize(&error.to_string())
                );
                Ok(status)
            }
            Err(error) if error.is_forge() => Err(Failure::forge(error)),
            Err(error) => Err(Failure::bad_input(error)),
        }
    }

    fn delivered(&mut self, done: Delivered) {
        if let Some(url) = &done.comment_url {
            let _ = writeln!(
                std::io::stdout().lock(),
                "comment: {}",
                crate::sanitize(url)
            );
        }
        self.warnings.extend(done.warnings);
    }
}

/// Creates the output folder and proves it is writable, before any long work.
fn prepare_output_dir(tool: &str, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the output folder", dir.display()))?;
    let probe: PathBuf = dir.join(format!(".{tool}-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .with_context(|| format!("{}: the output folder is not writable", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_run_is_detected_and_its_output_folder_prepared() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("a/b");
        prepare_output_dir("tool", &out).expect("prepared");
        assert!(out.is_dir());
        assert_eq!(
            std::fs::read_dir(&out).expect("listed").count(),
            0,
            "no probe left"
        );
        let session = Session::detect("tool", Env::default()).expect("local");
        assert_eq!(session.ci().provider, Provider::Local);
        assert!(session.warnings().is_empty());
    }

    #[test]
    fn an_unwritable_output_folder_is_bad_input_naming_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("file");
        std::fs::write(&file, "x").expect("write");
        let error = prepare_output_dir("tool", &file.join("out")).expect_err("refused");
        assert!(
            format!("{error:#}").contains("cannot create the output folder"),
            "{error:#}"
        );
    }

    #[test]
    fn an_inconsistent_ci_environment_is_bad_input_naming_the_variable() {
        let env = Env::new().with("GITHUB_ACTIONS", "true");
        let failure = Session::detect("tool", env).expect_err("refused");
        assert_eq!(failure.code, crate::exit::BAD_INPUT);
        assert!(
            format!("{:#}", failure.error).contains("GITHUB_"),
            "{:#}",
            failure.error
        );
    }
}
