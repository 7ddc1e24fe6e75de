//! Notifications: Slack-compatible incoming webhooks ([`slack`]) and generic JSON webhooks with
//! a versioned schema ([`webhook`]), sent by [`modelci_notify`] with bounded retries ([`http`]).
//!
//! Webhook URLs are secrets (a Slack incoming-webhook URL is its own credential), so messages
//! show only their scheme and host ([`http::redact`]).

pub use modelci_notify::http;
pub mod slack;
pub mod webhook;

use crate::summary::Summary;

/// Sends `summary` to every Slack and generic webhook; returns one message per failed delivery
/// (already retried), naming the webhook by its host only.
#[must_use]
pub fn send_all(summary: &Summary, slack_urls: &[String], webhook_urls: &[String]) -> Vec<String> {
    modelci_notify::send_all(
        &slack::message(summary),
        &webhook::payload(summary),
        slack_urls,
        webhook_urls,
    )
}
