//! The Slack message: Block Kit `blocks` plus a `text` fallback (notifications, and clients that
//! cannot show blocks). Works with Slack incoming webhooks and compatible receivers (Mattermost,
//! Rocket.Chat and Discord's `/slack` endpoint read `text`).
//!
//! User text (model, environment, ref, metric names, file names) goes through [`escape`]
//! ([`modelci_notify::slack`]).

use serde_json::{Value, json};

pub use modelci_notify::slack::escape;
use modelci_notify::slack::{link, plain};

use crate::metrics::format_value;
use crate::summary::{Status, Summary};

/// The whole message.
#[must_use]
pub fn message(s: &Summary) -> Value {
    let icon = match s.status {
        Status::Success => ":white_check_mark:",
        Status::Failure => ":x:",
    };
    let text = format!(
        "{icon} {} {} deployed to {}: {}",
        escape(&s.model),
        escape(&s.version),
        escape(&s.environment),
        s.status.name()
    );
    let mut blocks = vec![
        json!({
            "type": "header",
            "text": { "type": "plain_text", "text": plain(&format!("{} {} → {}", s.model, s.version, s.environment), 150), "emoji": true }
        }),
        json!({
            "type": "section",
            "fields": [
                { "type": "mrkdwn", "text": format!("*Model*\n{}", escape(&s.model)) },
                { "type": "mrkdwn", "text": format!("*Version*\n{}", escape(&s.version)) },
                { "type": "mrkdwn", "text": format!("*Environment*\n{}", escape(&s.environment)) },
                { "type": "mrkdwn", "text": format!("*Status*\n{icon} {}", s.status.name()) },
            ]
        }),
    ];
    if let Some(smoke) = &s.smoke {
        let mut line = format!(
            "*Smoke check* ({}): {}",
            escape(&smoke.model_name),
            escape(&smoke.short())
        );
        if let Some(p50) = smoke.latency_p50_ms {
            line.push_str(&format!(", p50 {p50:.1} ms"));
        }
        if !smoke.disagreements.is_empty() {
            line.push_str(&format!(
                "\nDisagreed on: {}",
                escape(&smoke.disagreements.join(", "))
            ));
        }
        blocks.push(json!({ "type": "section", "text": { "type": "mrkdwn", "text": line } }));
    }
    if !s.metrics.is_empty() {
        // Section fields: at most 10.
        let fields: Vec<Value> = s
            .metrics
            .iter()
            .take(10)
            .map(|m| json!({ "type": "mrkdwn", "text": format!("*{}*\n{}", escape(&m.name), format_value(m.value)) }))
            .collect();
        blocks.push(json!({ "type": "section", "fields": fields }));
    }
    let mut links = Vec::new();
    if let Some(url) = &s.links.release {
        links.push(link(url, &format!("Release {}", s.git_ref)));
    }
    if let Some(url) = &s.links.run {
        links.push(link(url, "CI run"));
    }
    if let Some(url) = &s.links.environment {
        links.push(link(url, &s.environment));
    }
    let mut context = vec![format!("ref `{}`", escape(&s.git_ref))];
    if let Some(commit) = &s.commit {
        context.push(format!(
            "commit `{}`",
            escape(&commit.chars().take(12).collect::<String>())
        ));
    }
    if let Some(repo) = &s.repository {
        context.push(escape(repo));
    }
    if !links.is_empty() {
        context.push(links.join(" · "));
    }
    blocks.push(json!({
        "type": "context",
        "elements": [{ "type": "mrkdwn", "text": context.join(" · ") }]
    }));
    json!({ "text": text, "blocks": blocks })
}
