//! `--slack-webhook URL` / `--webhook URL`: the check's outcome announced, sent by
//! [`modelci_notify`] (the delivery `deploy-notify` uses: bounded retries, URLs redacted).
//!
//! Sent when features drift, and on recovery (when `--issue` closed the monitoring issue this
//! run); a healthy run with no issue to close sends nothing. The generic document has the
//! schema [`SCHEMA`]: the verdict, the top drifted features, links to the CI run and the issue.

use modelci_drift::psi::PsiBand;
use modelci_notify::slack::{escape, link, plain};
use serde_json::{Value, json};

use crate::gates::Outcome;

/// The `$schema` of every generic webhook document.
pub const SCHEMA: &str = "https://modelci.dev/schemas/drift-check/webhook/v1";

/// Drifted features listed in a notification, largest PSI first.
const TOP: usize = 5;

/// What is announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Features drifted beyond the gates.
    Drift,
    /// The data is healthy again (the monitoring issue was closed).
    Recovered,
}

impl Event {
    /// The event's name in the document.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Drift => "drift",
            Self::Recovered => "recovered",
        }
    }
}

/// Everything a notification says.
#[derive(Debug)]
pub struct Notice<'a> {
    /// Drift or recovery.
    pub event: Event,
    /// The one-line verdict.
    pub verdict: &'a str,
    /// The monitor (`--issue-key`).
    pub monitor: &'a str,
    /// The reference as given, or the release it resolved to.
    pub reference: &'a str,
    /// The gates' outcome.
    pub outcome: &'a Outcome,
    /// The CI run, when known.
    pub run_url: Option<&'a str>,
    /// The monitoring issue, when known.
    pub issue_url: Option<&'a str>,
}

/// Whether a run with this outcome announces something: on drift, and when the monitoring
/// issue was closed (recovery).
#[must_use]
pub fn event(passed: bool, issue_closed: bool) -> Option<Event> {
    if !passed {
        Some(Event::Drift)
    } else if issue_closed {
        Some(Event::Recovered)
    } else {
        None
    }
}

fn band(band: PsiBand) -> &'static str {
    match band {
        PsiBand::Stable => "stable",
        PsiBand::Moderate => "moderate",
        PsiBand::Significant => "significant",
    }
}

/// The drifted features announced: the first [`TOP`] (the outcome lists drifted ones first,
/// largest PSI first).
fn top(outcome: &Outcome) -> impl Iterator<Item = &crate::gates::Assessed> {
    outcome.features.iter().filter(|f| f.drifted).take(TOP)
}

/// The generic JSON document.
#[must_use]
pub fn payload(n: &Notice<'_>) -> Value {
    let top: Vec<Value> = top(n.outcome)
        .map(|f| {
            json!({
                "name": f.drift.name,
                "psi": f.drift.psi,
                "band": band(f.drift.band),
                "reasons": f.reasons,
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "schema_version": 1,
        "event": n.event.name(),
        "tool": { "name": "drift-check", "version": env!("CARGO_PKG_VERSION") },
        "monitor": n.monitor,
        "verdict": n.verdict,
        "passed": n.event == Event::Recovered,
        "features_checked": n.outcome.features.len(),
        "drifted": n.outcome.drifted,
        "top_drifted": top,
        "reference": n.reference,
        "links": { "run": n.run_url, "issue": n.issue_url },
    })
}

/// The Slack message: Block Kit `blocks` plus a `text` fallback.
#[must_use]
pub fn slack(n: &Notice<'_>) -> Value {
    let icon = match n.event {
        Event::Drift => ":warning:",
        Event::Recovered => ":white_check_mark:",
    };
    let text = format!(
        "{icon} drift-check ({}): {}",
        escape(n.monitor),
        escape(n.verdict)
    );
    let mut blocks = vec![
        json!({
            "type": "header",
            "text": { "type": "plain_text", "text": plain(&format!("drift-check ({}): {}", n.monitor, n.event.name()), 150), "emoji": true }
        }),
        json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } }),
    ];
    let fields: Vec<Value> = top(n.outcome)
        .map(|f| {
            json!({
                "type": "mrkdwn",
                "text": format!("*{}*\nPSI {:.3} ({})", escape(&f.drift.name), f.drift.psi, band(f.drift.band)),
            })
        })
        .collect();
    if !fields.is_empty() {
        blocks.push(json!({ "type": "section", "fields": fields }));
    }
    let mut context = vec![format!("reference `{}`", escape(n.reference))];
    if let Some(url) = n.run_url {
        context.push(link(url, "CI run"));
    }
    if let Some(url) = n.issue_url {
        context.push(link(url, "monitoring issue"));
    }
    blocks.push(json!({
        "type": "context",
        "elements": [{ "type": "mrkdwn", "text": context.join(" · ") }]
    }));
    json!({ "text": text, "blocks": blocks })
}

/// Sends `notice` to every webhook; returns one warning per failed delivery (hosts only).
#[must_use]
pub fn send(notice: &Notice<'_>, slack_urls: &[String], webhook_urls: &[String]) -> Vec<String> {
    if slack_urls.is_empty() && webhook_urls.is_empty() {
        return Vec::new();
    }
    modelci_notify::send_all(&slack(notice), &payload(notice), slack_urls, webhook_urls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_is_announced_and_recovery_only_when_the_issue_closed() {
        assert_eq!(event(false, false), Some(Event::Drift));
        assert_eq!(event(false, true), Some(Event::Drift));
        assert_eq!(event(true, true), Some(Event::Recovered));
        assert_eq!(event(true, false), None);
    }
}
