//! One deploy-notify run, from arguments to exit status.

use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::anyhow;
use modelci_ci::{CiContext, Env, Provider};
use modelci_cli::{ExitStatus, Failure};
use modelci_forge::{DeploymentState, DeploymentStatus, Deployments, ForgeError, NewDeployment};

use crate::args::Args;
use crate::notify::http::redact;
use crate::record::{self, Recorder, Target};
use crate::smoke::{self, SmokeOptions, local::LocalSamples};
use crate::summary::{Links, Recorded, Status, Summary};
use crate::{comment, metrics, notify, version};

/// Runs deploy-notify.
///
/// # Errors
/// A [`Failure`] with exit code 2 for bad input (checked before anything is recorded or sent),
/// or 3 when the code host or a webhook failed and `--strict` is set.
pub fn run(args: &Args) -> Result<ExitStatus, Failure> {
    let inputs = Inputs::check(args).map_err(Failure::bad_input)?;
    let env = Env::from_process();
    let context = modelci_ci::detect(&env, &|p: &Path| std::fs::read_to_string(p))
        .map_err(Failure::bad_input)?;
    let mut problems: Vec<String> = Vec::new();
    let github = context.provider == Provider::GitHubActions;
    let warn = |problems: &mut Vec<String>, message: String| {
        warning(github, &message);
        problems.push(message);
    };

    let target = record::target(&context, &env);
    let model_name = inputs.model_name(args, &context);
    let log_url = context.run_url.clone();
    let description = format!("{model_name} {}", args.version);

    // 1. Record the deployment, in progress.
    let recorder = match (&target, args.no_record) {
        (_, true) => None,
        (Err(why), false) => {
            warn(&mut problems, why.clone());
            None
        }
        (Ok(target), false) => {
            let request = NewDeployment {
                environment: args.environment.clone(),
                git_ref: inputs.git_ref.clone(),
                is_tag: inputs.is_tag,
                sha: context.commit_sha.clone(),
                description: format!("deploy-notify: {description}"),
                payload: serde_json::json!({
                    "model": model_name,
                    "version": args.version,
                    "tool": "deploy-notify",
                }),
            };
            let status = DeploymentStatus {
                state: DeploymentState::InProgress,
                environment_url: args.url.clone(),
                log_url: log_url.clone(),
                description: "deploying; smoke check pending".into(),
            };
            match Recorder::create(target, &request) {
                Ok(r) => {
                    if let Err(e) = r.set(&status) {
                        warn(
                            &mut problems,
                            format!("could not set the deployment status: {e}"),
                        );
                    }
                    Some(r)
                }
                Err(e) => {
                    warn(
                        &mut problems,
                        format!(
                            "could not record the deployment on {}: {e}",
                            target.kind.name()
                        ),
                    );
                    None
                }
            }
        }
    };

    // 2. Smoke check.
    let smoke = inputs.local.as_ref().map(|local| {
        let options = SmokeOptions {
            endpoint: args.smoke_endpoint.clone().unwrap_or_default(),
            model_name: model_name.clone(),
            output_name: args.output_name.clone(),
            min_agreement: args.min_agreement,
            ready_timeout: Duration::from_secs(args.ready_timeout),
        };
        smoke::check(local, &options)
    });
    let status = match &smoke {
        Some(report) if !report.passed => Status::Failure,
        _ => Status::Success,
    };

    // 3. Final status.
    if let Some(recorder) = &recorder {
        let final_status = DeploymentStatus {
            state: match status {
                Status::Success => DeploymentState::Success,
                Status::Failure => DeploymentState::Failure,
            },
            environment_url: args.url.clone(),
            log_url: log_url.clone(),
            description: match &smoke {
                Some(report) => report.short(),
                None => format!("deployed {description}"),
            },
        };
        if let Err(e) = recorder.set(&final_status) {
            warn(
                &mut problems,
                format!("could not set the deployment status: {e}"),
            );
        }
    }

    let summary = Summary {
        model: model_name,
        version: args.version.clone(),
        environment: args.environment.clone(),
        git_ref: inputs.git_ref.clone(),
        commit: context.commit_sha.clone(),
        repository: target.as_ref().ok().map(|t| t.repo.clone()),
        status,
        links: Links {
            environment: args.url.clone(),
            run: log_url,
            release: match &target {
                Ok(t) if inputs.is_tag => Some(t.release_url(&inputs.git_ref)),
                _ => None,
            },
        },
        deployment: recorder
            .as_ref()
            .zip(target.as_ref().ok())
            .map(|(r, t)| Recorded {
                host: t.host_name(),
                id: r.id(),
            }),
        smoke,
        metrics: inputs.metrics.clone(),
    };

    // 4. Notify.
    for problem in notify::send_all(&summary, &args.slack_webhook, &args.webhook) {
        warn(&mut problems, format!("could not notify {problem}"));
    }
    if !args.no_comment
        && args.no_record
        && let Err(why) = &target
        && context.forge.kind().is_some()
    {
        // With --no-record the problem was not reported yet; the comment needs the same token.
        warn(
            &mut problems,
            format!("cannot comment on the pull/merge requests of the deployed commit: {why}"),
        );
    }
    if !args.no_comment
        && let Ok(target) = &target
    {
        match comment_on_pulls(recorder.as_ref(), target, &context, &summary) {
            Ok(urls) => {
                for url in urls {
                    let _ = writeln!(
                        std::io::stdout().lock(),
                        "comment: {}",
                        modelci_cli::sanitize(&url)
                    );
                }
            }
            Err(e) => warn(
                &mut problems,
                format!("could not comment on the pull requests: {e}"),
            ),
        }
    }

    print_summary(&summary).map_err(Failure::bad_input)?;
    if let Some(report) = &summary.smoke
        && !report.passed
    {
        let why = match &report.error {
            Some(e) => e.clone(),
            None => format!(
                "agreement {:.1}% ({}/{}) is below the minimum {:.1}%",
                report.agreement * 100.0,
                report.agreed,
                report.samples,
                report.min_agreement * 100.0
            ),
        };
        let _ = writeln!(
            std::io::stderr().lock(),
            "deploy-notify: smoke check failed: {}",
            modelci_cli::sanitize(&why)
        );
        return Ok(ExitStatus::GateFailed);
    }
    if args.strict && !problems.is_empty() {
        return Err(Failure::forge(anyhow!(
            "{} problem(s) with --strict; first: {}",
            problems.len(),
            problems[0]
        )));
    }
    Ok(ExitStatus::Success)
}

/// Everything checked before anything is recorded or sent.
struct Inputs {
    git_ref: String,
    is_tag: bool,
    metrics: Vec<metrics::KeyMetric>,
    local: Option<LocalSamples>,
}

impl Inputs {
    fn check(args: &Args) -> anyhow::Result<Self> {
        version::check(&args.version).map_err(|m| anyhow!("--version: {m}"))?;
        check_text("--environment", &args.environment)?;
        if let Some(r) = &args.git_ref {
            check_text("--ref", r)?;
        }
        if let Some(name) = &args.model_name
            && (name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return Err(anyhow!(
                "--model-name `{name}`: use letters, digits, `-`, `_` and `.` only (it is part of the server's URLs)"
            ));
        }
        let urls = [
            ("--url", args.url.iter().collect::<Vec<_>>()),
            ("--smoke-endpoint", args.smoke_endpoint.iter().collect()),
            ("--webhook", args.webhook.iter().collect()),
            ("--slack-webhook", args.slack_webhook.iter().collect()),
        ];
        for (flag, list) in urls {
            for url in list {
                check_url(flag, url)?;
            }
        }
        if !(0.0..=1.0).contains(&args.min_agreement) {
            return Err(anyhow!(
                "--min-agreement {}: expected a rate between 0 and 1 (e.g. 0.99)",
                args.min_agreement
            ));
        }
        let metrics = match &args.report {
            Some(path) => metrics::read(path)?,
            None => Vec::new(),
        };
        let local = match (&args.smoke_endpoint, &args.model, &args.dataset) {
            (Some(_), Some(model), Some(dataset)) => {
                let engine = modelci_eval::Engine::resolve(
                    &modelci_eval::EngineOptions {
                        choice: args.engine.into(),
                        threads: 0,
                    },
                    &|name| std::env::var(name).ok(),
                )?;
                Some(smoke::local::prepare(
                    model,
                    dataset,
                    &args.label_column,
                    args.samples as usize,
                    &engine,
                )?)
            }
            (Some(_), _, _) => {
                return Err(anyhow!("--smoke-endpoint needs --model and --dataset"));
            }
            _ => None,
        };
        let tag = format!("v{}", args.version);
        let git_ref = args.git_ref.clone().unwrap_or_else(|| tag.clone());
        let is_tag = git_ref == tag || git_ref == args.version || git_ref.starts_with("refs/tags/");
        Ok(Self {
            git_ref,
            is_tag,
            metrics,
            local,
        })
    }

    /// `--model-name`, else the `--model` file name without extension, else the repository.
    fn model_name(&self, args: &Args, context: &CiContext) -> String {
        if let Some(name) = &args.model_name {
            return name.clone();
        }
        if let Some(stem) = args
            .model
            .as_deref()
            .and_then(Path::file_stem)
            .and_then(|s| s.to_str())
        {
            return stem.to_owned();
        }
        match &context.repository {
            Some(modelci_ci::Repository::GitHub { name, .. }) => name.clone(),
            Some(modelci_ci::Repository::GitLab { path: Some(p), .. }) => {
                p.rsplit('/').next().unwrap_or(p).to_owned()
            }
            _ => "model".into(),
        }
    }
}

/// A name for people and APIs: not empty, one line, not absurdly long.
fn check_text(flag: &str, text: &str) -> anyhow::Result<()> {
    if text.trim().is_empty() {
        return Err(anyhow!("{flag} is empty"));
    }
    if text.chars().any(char::is_control) {
        return Err(anyhow!(
            "{flag} `{}` contains control characters",
            text.escape_debug()
        ));
    }
    if text.chars().count() > 255 {
        return Err(anyhow!("{flag} is longer than 255 characters"));
    }
    Ok(())
}

/// An `http://` or `https://` URL with a host. Messages show only the scheme and host: webhook
/// URLs are secrets.
fn check_url(flag: &str, url: &str) -> anyhow::Result<()> {
    let shown = redact(url);
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(anyhow!("{flag} {shown}: not an http(s) URL"));
    };
    if !matches!(scheme, "http" | "https") {
        return Err(anyhow!(
            "{flag} {shown}: only http and https URLs are supported"
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(anyhow!("{flag} {shown}: not a valid URL"));
    }
    Ok(())
}

/// Comments on the pull/merge requests of the deployed commit, with the recording client or
/// a new one (`--no-record`). No commit, or a host without the operation: nothing to do.
fn comment_on_pulls(
    recorder: Option<&Recorder>,
    target: &Target,
    context: &CiContext,
    summary: &Summary,
) -> Result<Vec<String>, ForgeError> {
    let Some(sha) = &context.commit_sha else {
        return Ok(Vec::new());
    };
    let owned;
    let client: &dyn Deployments = match recorder {
        Some(r) => r.client(),
        None => {
            owned = record::connect(target)?;
            owned.as_ref()
        }
    };
    let pulls = match client.pulls_for_commit(sha) {
        Ok(p) => p,
        Err(ForgeError::Unsupported { .. }) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    comment::post(client, &pulls, summary)
}

/// A warning on standard error (and as a GitHub annotation in GitHub Actions).
fn warning(github: bool, message: &str) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "deploy-notify: warning: {}",
        modelci_cli::sanitize(message)
    );
    if github {
        let _ = writeln!(
            std::io::stdout().lock(),
            "::warning::{}",
            modelci_ci::output::workflow_command::escape_data(message)
        );
    }
}

fn print_summary(s: &Summary) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    // The model name, version and environment come from flags and reports: one escaped line.
    writeln!(
        out,
        "deploy-notify: {}",
        modelci_cli::sanitize(&s.headline())
    )?;
    if let Some(d) = &s.deployment {
        writeln!(out, "  deployment: {} #{}", d.host, d.id)?;
    }
    if let Some(smoke) = &s.smoke
        && smoke.error.is_none()
    {
        writeln!(
            out,
            "  smoke check: {}/{} agreed ({:.1}%), latency p50 {:.1} ms, p95 {:.1} ms",
            smoke.agreed,
            smoke.samples,
            smoke.agreement * 100.0,
            smoke.latency_p50_ms.unwrap_or(0.0),
            smoke.latency_p95_ms.unwrap_or(0.0)
        )?;
    }
    Ok(())
}
