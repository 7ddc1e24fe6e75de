//! Notifications shared by the binaries that announce something (`deploy-notify`,
//! `drift-check`): JSON POSTed to Slack-compatible incoming webhooks and to generic JSON
//! webhooks ([`send_all`]), with bounded retries ([`http`]), and the escaping Slack's mrkdwn
//! needs ([`slack`]). Each binary builds its own messages.
//!
//! Webhook URLs are secrets (a Slack incoming-webhook URL is its own credential), so messages
//! show only their scheme and host ([`http::redact`]), and error bodies are masked
//! ([`http::mask_secrets`]).

pub mod http;
pub mod slack;

use serde_json::Value;

/// POSTs `slack_body` to every Slack webhook and `generic_body` to every generic webhook;
/// returns one message per failed delivery (already retried), naming the webhook by its host
/// only.
#[must_use]
pub fn send_all(
    slack_body: &Value,
    generic_body: &Value,
    slack_urls: &[String],
    webhook_urls: &[String],
) -> Vec<String> {
    let mut problems = Vec::new();
    let policy = http::Policy::default();
    for url in slack_urls {
        if let Err(e) = http::post_json(url, slack_body, &policy) {
            problems.push(format!("Slack webhook {}: {e}", http::redact(url)));
        }
    }
    for url in webhook_urls {
        if let Err(e) = http::post_json(url, generic_body, &policy) {
            problems.push(format!("webhook {}: {e}", http::redact(url)));
        }
    }
    problems
}
