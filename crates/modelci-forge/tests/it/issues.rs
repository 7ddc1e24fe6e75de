//! The sticky issue (drift-check's monitoring issue) against the fake GitHub.

use modelci_forge::issues::sync;
use modelci_forge::{
    ForgeConfig, ForgeError, ForgeKind, Health, IssueOutcome, Issues, Marker, Token, connect_issues,
};
use modelci_test::{ACTIONS_LOGIN, ACTIONS_TOKEN, FakeServer, Permissions, TokenKind};

use crate::{REPO, fast_retries};

fn client(server: &FakeServer, token: &str) -> Box<dyn Issues> {
    let mut config = ForgeConfig::new(ForgeKind::GitHub, REPO, Token::new(token));
    config.api_url = Some(server.github_url());
    config.retry = fast_retries();
    connect_issues(&config).unwrap()
}

fn failing(body: &str) -> Health {
    Health::Failing {
        title: "Drift: digits in production".into(),
        body: body.into(),
    }
}

#[test]
fn opens_updates_and_closes_one_issue_per_key() {
    let server = FakeServer::start();
    // GitHub lists pull requests among issues: they must be skipped, not updated.
    server.seed_open_pull(REPO, 7);
    let forge = client(&server, ACTIONS_TOKEN);
    let production = Marker::new("drift-check", "production");
    let staging = Marker::new("drift-check", "staging");
    let label = "modelci-drift";

    let opened = sync(
        forge.as_ref(),
        &production,
        label,
        &failing("3 features drifted"),
    )
    .unwrap();
    let IssueOutcome::Opened(issue) = opened else {
        panic!("{opened:?}")
    };
    assert!(
        issue
            .url
            .as_deref()
            .unwrap()
            .ends_with(&format!("/issues/{}", issue.number))
    );
    let updated = sync(
        forge.as_ref(),
        &production,
        label,
        &failing("5 features drifted"),
    )
    .unwrap();
    assert_eq!(
        updated,
        IssueOutcome::Updated(modelci_forge::Issue {
            body: format!("{production}\n5 features drifted"),
            ..issue.clone()
        })
    );
    // Another environment keeps its own issue.
    let other = sync(
        forge.as_ref(),
        &staging,
        label,
        &failing("1 feature drifted"),
    )
    .unwrap();
    assert!(
        matches!(other, IssueOutcome::Opened(ref i) if i.number != issue.number),
        "{other:?}"
    );

    let healthy = Health::Healthy {
        comment: "No drift any more.".into(),
    };
    assert_eq!(
        sync(forge.as_ref(), &production, label, &healthy).unwrap(),
        IssueOutcome::Closed(issue.number)
    );
    assert_eq!(
        sync(forge.as_ref(), &production, label, &healthy).unwrap(),
        IssueOutcome::Quiet
    );

    let issues = server.issues();
    assert_eq!(issues.len(), 2);
    assert_eq!(issues[0].state, "closed");
    assert_eq!(issues[0].labels, ["modelci-drift"]);
    assert_eq!(issues[0].author, ACTIONS_LOGIN);
    assert_eq!(issues[1].state, "open");
    let closing = server.comments(REPO, issue.number);
    assert_eq!(closing.len(), 1);
    assert_eq!(closing[0].body, "No drift any more.");
    // The pull request was never written to.
    assert!(server.comments(REPO, 7).is_empty());

    // Failing again opens a new issue: the closed one stays closed, as its history.
    let again = sync(
        forge.as_ref(),
        &production,
        label,
        &failing("drift is back"),
    )
    .unwrap();
    assert!(
        matches!(again, IssueOutcome::Opened(ref i) if i.number != issue.number),
        "{again:?}"
    );
    server.assert_no_violations();
}

#[test]
fn a_token_without_issues_write_is_refused_with_the_permission_named() {
    let server = FakeServer::start();
    let token = "ghs_noIssuesWrite0000000000000000000000";
    server.add_user(
        token,
        ACTIONS_LOGIN,
        TokenKind::Installation(Permissions {
            issues_write: false,
            ..Permissions::WRITE_ALL
        }),
    );
    let forge = client(&server, token);
    let error = sync(
        forge.as_ref(),
        &Marker::new("drift-check", "production"),
        "modelci-drift",
        &failing("x"),
    )
    .unwrap_err();
    assert!(matches!(error, ForgeError::Forbidden { .. }), "{error:?}");
    assert!(server.issues().is_empty());
}

fn gitlab_client(server: &FakeServer, token: Token) -> Box<dyn Issues> {
    let mut config = ForgeConfig::new(ForgeKind::GitLab, modelci_test::GITLAB_PROJECT, token);
    config.api_url = Some(server.gitlab_url());
    config.retry = fast_retries();
    connect_issues(&config).unwrap()
}

#[test]
fn gitlab_opens_updates_and_closes_one_issue_per_key() {
    let server = FakeServer::start();
    let forge = gitlab_client(&server, Token::new(modelci_test::PROJECT_TOKEN));
    let production = Marker::new("drift-check", "production");
    let label = "modelci-drift";
    let IssueOutcome::Opened(issue) = sync(
        forge.as_ref(),
        &production,
        label,
        &failing("3 features drifted"),
    )
    .unwrap() else {
        panic!("not opened")
    };
    assert!(issue.url.as_deref().unwrap().contains("/-/issues/"));
    let updated = sync(
        forge.as_ref(),
        &production,
        label,
        &failing("4 features drifted"),
    )
    .unwrap();
    assert!(
        matches!(updated, IssueOutcome::Updated(ref i) if i.number == issue.number && i.body.ends_with("4 features drifted")),
        "{updated:?}"
    );
    let healthy = Health::Healthy {
        comment: "Healthy again.".into(),
    };
    assert_eq!(
        sync(forge.as_ref(), &production, label, &healthy).unwrap(),
        IssueOutcome::Closed(issue.number)
    );
    assert_eq!(
        sync(forge.as_ref(), &production, label, &healthy).unwrap(),
        IssueOutcome::Quiet
    );
    let issues = server.issues();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].state, "closed");
    assert_eq!(issues[0].labels, ["modelci-drift"]);
    let notes = server.comments(modelci_test::GITLAB_PROJECT, issue.number);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].body, "Healthy again.");
    server.assert_no_violations();
}

#[test]
fn gitlab_refuses_the_job_token_for_issues() {
    let server = FakeServer::start();
    let forge = gitlab_client(&server, Token::gitlab_job(modelci_test::JOB_TOKEN));
    let error = sync(
        forge.as_ref(),
        &Marker::new("drift-check", "production"),
        "modelci-drift",
        &failing("x"),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("401") || matches!(error, ForgeError::Forbidden { .. }),
        "{error}"
    );
    assert!(server.issues().is_empty());
}
