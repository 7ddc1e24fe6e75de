//! CI-native outputs: what the CI system shows without any comment.
//!
//! Everywhere: `junit.xml` (one test case per gate), `metrics.txt` (OpenMetrics) and
//! `report.env` (dotenv) in the report folder, for GitLab's `artifacts:reports` and for anyone
//! else's tooling. On GitHub Actions also: the job summary, annotations for failed gates and
//! step outputs.

use std::io::Write as _;
use std::path::Path;

use modelci_ci::output::{annotations, dotenv, junit, openmetrics, step_output, step_summary};
use modelci_ci::{CiContext, Env, EnvVars, Provider};

use crate::{Delivered, PostError, Report, sections};

/// Writes the report-folder files and, on GitHub Actions, the summary and annotations.
pub(crate) fn write(
    report: &Report,
    context: &CiContext,
    env: &Env,
    delivered: &mut Delivered,
) -> Result<(), PostError> {
    let junit_path = report.dir.join("junit.xml");
    junit::write_junit(&junit_path, report.tool, &report.gates)?;
    let metrics_path = report.dir.join("metrics.txt");
    let metrics: Vec<modelci_ci::Metric> = report
        .metrics
        .iter()
        .map(|m| modelci_ci::Metric {
            name: format!("{}_{}", report.tool, m.name),
            value: m.value,
        })
        .collect();
    openmetrics::write_metrics_txt(&metrics_path, &metrics)?;
    let env_path = report.dir.join("report.env");
    let prefix = report.tool.to_ascii_uppercase().replace('-', "_");
    let verdict_key = format!("MODELCI_{prefix}_VERDICT");
    let report_key = format!("MODELCI_{prefix}_REPORT");
    let report_md = report.dir.join("report.md").display().to_string();
    dotenv::write_dotenv(
        &env_path,
        &[
            (&verdict_key, verdict_word(report.passed)),
            (&report_key, &report_md),
        ],
    )?;
    delivered.files.extend([junit_path, metrics_path, env_path]);

    if context.provider == Provider::GitHubActions {
        if let Some(summary) = env.get(EnvVars::GITHUB_STEP_SUMMARY) {
            let markdown = summary_markdown(&report.markdown, context.run_url.as_deref());
            step_summary::append_step_summary(
                Path::new(summary),
                &markdown,
                context.run_url.as_deref(),
            )?;
        }
        let lines = annotations::render_annotations(&annotations::gate_annotations(&report.gates));
        if !lines.is_empty() {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(lines.as_bytes());
            if !lines.ends_with('\n') {
                let _ = out.write_all(b"\n");
            }
        }
    }
    Ok(())
}

/// Writes the GitHub step outputs (after posting, so the comment URL is known).
pub(crate) fn write_step_outputs(
    report: &Report,
    context: &CiContext,
    env: &Env,
    delivered: &Delivered,
) -> Result<(), PostError> {
    if context.provider != Provider::GitHubActions {
        return Ok(());
    }
    let Some(path) = env.get(EnvVars::GITHUB_OUTPUT) else {
        return Ok(());
    };
    let report_md = report.dir.join("report.md").display().to_string();
    let mut outputs: Vec<(String, String)> = vec![
        ("verdict".into(), verdict_word(report.passed).into()),
        ("summary".into(), report.verdict.clone()),
        ("report-path".into(), report_md),
        (
            "comment-url".into(),
            delivered.comment_url.clone().unwrap_or_default(),
        ),
    ];
    outputs.extend(report.metrics.iter().map(|m| {
        (
            openmetrics::sanitize_metric_name(&m.name),
            openmetrics::format_value(m.value),
        )
    }));
    let borrowed: Vec<(&str, &str)> = outputs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    step_output::append_outputs(Path::new(path), &borrowed)?;
    Ok(())
}

fn verdict_word(passed: bool) -> &'static str {
    if passed { "passed" } else { "failed" }
}

/// The report for the job summary: local images cannot be shown there, so they become a
/// pointer to the run's artifacts.
fn summary_markdown(markdown: &str, run_url: Option<&str>) -> String {
    sections::rewrite_images(markdown, &|alt, file| match run_url {
        Some(url) => format!("_Chart: [{alt}]({url}) ({file} in the run's artifacts)_"),
        None => format!("_Chart: {alt} ({file} in the report folder)_"),
    })
}
