//! Notifications: Slack-compatible incoming webhooks ([`slack`]) and generic JSON webhooks with
//! a versioned schema ([`webhook`]), sent with bounded retries ([`http`]).
//!
//! Webhook URLs are secrets (a Slack incoming-webhook URL is its own credential), so messages
//! show only their scheme and host ([`http::redact`]).

pub mod http;
pub mod slack;
pub mod webhook;

use crate::summary::Summary;

/// Sends `summary` to every Slack and generic webhook; returns one message per failed delivery
/// (already retried), naming the webhook by its host only.
#[must_use]
pub fn send_all(summary: &Summary, slack_urls: &[String], webhook_urls: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let policy = http::Policy::default();
    let slack_body = slack::message(summary);
    for url in slack_urls {
        if let Err(e) = http::post_json(url, &slack_body, &policy) {
            problems.push(format!("Slack webhook {}: {e}", http::redact(url)));
        }
    }
    let generic = webhook::payload(summary);
    for url in webhook_urls {
        if let Err(e) = http::post_json(url, &generic, &policy) {
            problems.push(format!("webhook {}: {e}", http::redact(url)));
        }
    }
    problems
}
