//! Integration tests of modelci-forge against the fake code host of modelci-test.
//!
//! Every test starts its own fake; the fake fails the test if a request broke the real API's
//! rules (GitHub's OpenAPI description, GitLab's documented parameters).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod fake;
mod github;
mod gitlab;
mod issues;
mod tokens;

use std::time::Duration;

use modelci_forge::{
    Forge, ForgeConfig, ForgeKind, Marker, Mode, Outcome, RetryPolicy, Section, StickyComment,
    Token, connect,
};
use modelci_test::FakeServer;

/// The GitHub repository used by the tests.
pub const REPO: &str = "modelci/demo";

/// Small waits so tests stay fast; 10 s budget so a `Retry-After: 1` still fits.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: u32::MAX,
        max_elapsed: Duration::from_secs(10),
        initial_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(200),
    }
}

/// A GitHub client for [`REPO`] on the fake, as the bot.
pub fn github(server: &FakeServer) -> Box<dyn Forge> {
    github_at(&server.github_url(), modelci_test::BOT_TOKEN)
}

/// A GitHub client for [`REPO`] at `url` with `token`.
pub fn github_at(url: &str, token: &str) -> Box<dyn Forge> {
    let mut config = ForgeConfig::new(ForgeKind::GitHub, REPO, Token::new(token));
    config.api_url = Some(url.to_owned());
    config.retry = fast_retries();
    connect(&config).unwrap()
}

/// A GitLab client for the seeded project on the fake.
pub fn gitlab(
    server: &FakeServer,
    token: Token,
) -> Result<Box<dyn Forge>, modelci_forge::ForgeError> {
    let mut config = ForgeConfig::new(ForgeKind::GitLab, modelci_test::GITLAB_PROJECT, token);
    config.api_url = Some(server.gitlab_url());
    config.retry = fast_retries();
    connect(&config).map(|client| -> Box<dyn Forge> { client })
}

/// Posts a sticky report with one kept section.
pub fn post(
    forge: &dyn Forge,
    change: u64,
    mode: Mode,
    text: &str,
) -> Result<Outcome, modelci_forge::ForgeError> {
    let sections = [Section::keep(text)];
    let req = StickyComment {
        marker: Marker::new("eval-diff", "cpu"),
        mode,
        sections: &sections,
        full_report_url: None,
    };
    modelci_forge::sticky::post(forge, change, &req)
}
