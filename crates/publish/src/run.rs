//! One publish run, from arguments to exit status.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, anyhow};
use modelci_bundle::{BundleInput, version};
use modelci_ci::Env;
use modelci_cli::{ExitStatus, Failure};

use crate::args::{Args, Command, OciKind};
use crate::hosts::{self, HostConfig};
use crate::summary::{self, Summary, TargetResult};
use crate::targets::Target;
use crate::{dir, image, kserve, layout, source, verify_cmd};

/// Runs `publish` (or `publish verify`).
///
/// # Errors
/// A [`Failure`] with exit code 2 for bad input (a non-semver version, an unknown target, an
/// unreadable model or report, a release already published with other files and no
/// `--replace`), 3 when a code host or registry failed.
pub fn run(args: &Args) -> Result<ExitStatus, Failure> {
    if let Some(Command::Verify { bundle }) = &args.command {
        return verify_cmd::run(bundle, args.json);
    }
    if let Some(bundle) = &args.verify {
        return verify_cmd::run(bundle, args.json);
    }
    let env = Env::from_process();
    run_with_env(args, &env)
}

/// Which host each code-host target publishes to, resolved before any work.
struct Plan {
    targets: Vec<Target>,
    github: Option<HostConfig>,
    gitlab: Option<HostConfig>,
}

fn run_with_env(args: &Args, env: &Env) -> Result<ExitStatus, Failure> {
    let (Some(name), Some(version_text)) = (&args.name, &args.version) else {
        return Err(Failure::bad_input(anyhow!(
            "--name and --version are required (or `publish verify BUNDLE.zip`)"
        )));
    };
    if args.models.is_empty() {
        return Err(Failure::bad_input(anyhow!(
            "--model is required: the ONNX file(s) to publish"
        )));
    }
    version::check_name(name).map_err(Failure::bad_input)?;
    version::parse_version(version_text).map_err(Failure::bad_input)?;
    for model in &args.models {
        if !model.is_file() {
            return Err(Failure::bad_input(anyhow!(
                "{}: no such model file",
                model.display()
            )));
        }
    }
    if let Some(report) = &args.report
        && !report.is_file()
    {
        return Err(Failure::bad_input(anyhow!(
            "{}: no such report file",
            report.display()
        )));
    }
    let drift = crate::drift::entry(args.drift_reference.as_deref(), args.report.as_deref())
        .map_err(Failure::bad_input)?;
    let plan = plan(args, env)?;
    let oci_target = plan.targets.iter().any(|t| matches!(t, Target::Oci(_)));
    let platforms = match args.oci_kind {
        OciKind::Image if !oci_target => {
            return Err(Failure::bad_input(anyhow!(
                "--as image needs a --to oci://HOST/REPO target"
            )));
        }
        OciKind::Image => image::platforms(&args.busybox)?,
        OciKind::Artifact if !args.busybox.is_empty() => {
            return Err(Failure::bad_input(anyhow!(
                "--busybox is only used with --as image"
            )));
        }
        OciKind::Artifact => Vec::new(),
    };
    let service = args
        .kserve_manifest
        .as_ref()
        .map(|_| kserve::plan(args, name, !platforms.is_empty()))
        .transpose()?;
    let serving = args.layout.into();
    let layout_files = layout::files(
        serving,
        &args.models,
        name,
        version_text,
        args.max_batch_size,
    )?;
    let tag = args
        .tag
        .clone()
        .unwrap_or_else(|| format!("v{version_text}"));
    if tag.is_empty() || tag.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Err(Failure::bad_input(anyhow!(
            "--tag `{tag}` is not a valid tag name"
        )));
    }

    let context = modelci_ci::detect(env, &|p: &Path| std::fs::read_to_string(p))
        .map_err(Failure::bad_input)?;
    let provenance = source::provenance(args, env, &context, &tag).map_err(Failure::bad_input)?;
    let input = BundleInput {
        name: name.clone(),
        version: version_text.clone(),
        models: args.models.clone(),
        report: args.report.clone(),
        source: provenance.source,
        created: provenance.created,
        tool: ("publish".to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
    };
    let mut extra = layout::bundle_entries(serving, &layout_files);
    extra.extend(drift);
    let built =
        modelci_bundle::build_with(&input, &extra, &args.output_dir).map_err(Failure::bad_input)?;
    let check = modelci_bundle::verify(&built.zip).map_err(Failure::bad_input)?;
    if !check.ok() {
        return Err(Failure::bad_input(anyhow!(
            "{}: the bundle just written does not verify: {}",
            built.zip.display(),
            check.problems[0]
        )));
    }

    let mut summary = Summary {
        name: name.clone(),
        version: version_text.clone(),
        tag: tag.clone(),
        bundle: built.zip.display().to_string(),
        sha256: built.sha256.clone(),
        size: built.size,
        dry_run: args.dry_run,
        targets: Vec::new(),
    };
    let image = if platforms.is_empty() {
        None
    } else {
        Some(image::build(&built, &layout_files, &platforms)?)
    };
    let request = hosts::request(&built, &tag, args.replace)?;
    let mut failed = None;
    for target in &plan.targets {
        let result = if args.dry_run {
            Ok(planned(target, &plan, &built, &tag, image.as_ref()))
        } else {
            publish_one(
                target,
                &plan,
                &built,
                &request,
                args.replace,
                image.as_ref(),
            )
        };
        match result {
            Ok(r) => summary.targets.push(r),
            Err(f) => {
                failed = Some(f);
                break;
            }
        }
    }
    let mut out = std::io::stdout().lock();
    if hosts::github_actions(&context) && !args.json {
        for config in [&plan.github, &plan.gitlab].into_iter().flatten() {
            let _ = writeln!(
                out,
                "{}",
                modelci_ci::output::workflow_command::add_mask_command(&config.secret)
            );
        }
    }
    summary::print(&mut out, &summary, args.json)
        .context("writing the summary")
        .map_err(Failure::bad_input)?;
    if let Some(f) = failed {
        return Err(f);
    }
    if let (Some(spec), Some(path), Some(image)) = (&service, &args.kserve_manifest, &image) {
        let repository = plan
            .targets
            .iter()
            .find_map(|t| match t {
                Target::Oci(r) => Some(r.as_str()),
                _ => None,
            })
            .unwrap_or_default();
        let yaml = kserve::render(spec, repository, version_text, &image.index.digest)?;
        kserve::write(path, &yaml)?;
    }
    if !args.dry_run {
        summary::write_ci_outputs(&summary, env, &args.output_dir).map_err(Failure::bad_input)?;
    }
    Ok(ExitStatus::Success)
}

/// Parses the targets and resolves each host's repository and token, before any work.
fn plan(args: &Args, env: &Env) -> Result<Plan, Failure> {
    let mut targets: Vec<Target> = Vec::new();
    for text in &args.to {
        let t: Target = text
            .parse()
            .map_err(|e: String| Failure::bad_input(anyhow!(e)))?;
        if !targets.contains(&t) {
            targets.push(t);
        }
    }
    let github = targets
        .contains(&Target::GitHub)
        .then(|| hosts::github_config(args, env))
        .transpose()?;
    let gitlab = targets
        .contains(&Target::GitLab)
        .then(|| hosts::gitlab_config(args, env))
        .transpose()?;
    Ok(Plan {
        targets,
        github,
        gitlab,
    })
}

/// What a target would receive (`--dry-run`): no request is sent.
fn planned(
    target: &Target,
    plan: &Plan,
    built: &modelci_bundle::Built,
    tag: &str,
    image: Option<&modelci_oci::Image>,
) -> TargetResult {
    let files: Vec<String> = built
        .files()
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let url = match target {
        Target::GitHub => plan
            .github
            .as_ref()
            .map(|c| format!("{} release {tag} at {}", c.repo, c.api_url)),
        Target::GitLab => plan.gitlab.as_ref().map(|c| {
            format!(
                "{} package {}/{} and release {tag} at {}",
                c.repo, built.manifest.name, built.manifest.version, c.api_url
            )
        }),
        Target::Oci(r) => Some(match image {
            Some(i) => format!(
                "{r}:{}@{} (image for {})",
                built.manifest.version,
                i.index.digest,
                platforms_text(i)
            ),
            None => format!("{r}:{}", built.manifest.version),
        }),
        Target::Dir(p) => Some(
            p.join(&built.manifest.name)
                .join(&built.manifest.version)
                .display()
                .to_string(),
        ),
    };
    // An image sends its layers, not the bundle files.
    let uploaded = match (target, image) {
        (Target::Oci(_), Some(_)) => Vec::new(),
        _ => files,
    };
    TargetResult {
        target: target.to_string(),
        status: "planned",
        url,
        uploaded,
        kept: Vec::new(),
        replaced: Vec::new(),
    }
}

/// Publishes to one target.
fn publish_one(
    target: &Target,
    plan: &Plan,
    built: &modelci_bundle::Built,
    request: &modelci_forge::ReleaseRequest,
    replace: bool,
    image: Option<&modelci_oci::Image>,
) -> Result<TargetResult, Failure> {
    let from_release = |o: modelci_forge::ReleaseOutcome| TargetResult {
        target: target.to_string(),
        status: if o.uploaded.is_empty() && o.replaced.is_empty() && !o.published && !o.created {
            "unchanged"
        } else {
            "published"
        },
        url: o.url,
        uploaded: o.uploaded,
        kept: o.kept,
        replaced: o.replaced,
    };
    match target {
        Target::Dir(root) => {
            let o = dir::publish(root, built, replace).map_err(Failure::bad_input)?;
            Ok(TargetResult {
                target: target.to_string(),
                status: if o.written.is_empty() {
                    "unchanged"
                } else {
                    "published"
                },
                url: Some(o.folder.display().to_string()),
                uploaded: o.written,
                kept: o.kept,
                replaced: Vec::new(),
            })
        }
        Target::GitHub => {
            let config = plan
                .github
                .as_ref()
                .ok_or_else(|| Failure::bad_input(anyhow!("--to github: not configured")))?;
            hosts::publish(config, built, request).map(from_release)
        }
        Target::GitLab => {
            let config = plan
                .gitlab
                .as_ref()
                .ok_or_else(|| Failure::bad_input(anyhow!("--to gitlab: not configured")))?;
            hosts::publish(config, built, request).map(from_release)
        }
        Target::Oci(repository) => {
            let pushed = match image {
                Some(i) => image::publish(repository, &built.manifest.version, i)?,
                None => crate::oci::publish(repository, built)?,
            };
            Ok(TargetResult {
                target: target.to_string(),
                status: if pushed.uploaded == 0 {
                    "unchanged"
                } else {
                    "published"
                },
                url: Some(pushed.reference.clone()),
                uploaded: Vec::new(),
                kept: Vec::new(),
                replaced: Vec::new(),
            })
        }
    }
}

/// `linux/amd64, linux/arm64`.
fn platforms_text(image: &modelci_oci::Image) -> String {
    image
        .manifests
        .iter()
        .map(|(arch, _)| format!("linux/{arch}"))
        .collect::<Vec<_>>()
        .join(", ")
}
