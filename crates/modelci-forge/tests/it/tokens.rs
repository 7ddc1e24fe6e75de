//! Issue 12: the sticky comment with every kind of token users give modelci, against the fake in
//! its realistic mode (installation tokens refused on `GET /user`, read-only tokens refused on
//! writes, GitLab's job token refused outside the endpoints that accept it).

use modelci_forge::{Action, Forge, ForgeError, Mode, Token};
use modelci_test::{
    ACTIONS_LOGIN, ACTIONS_TOKEN, APP_LOGIN, APP_TOKEN, BOT_LOGIN, FORK_TOKEN, FakeServer,
    FaultKind, GITLAB_PROJECT, JOB_TOKEN, OTHER_LOGIN, PAT_TOKEN, PROJECT_BOT_LOGIN, PROJECT_TOKEN,
};

use crate::{REPO, github_at, gitlab, post};

/// The guarantees of a sticky comment, played with one token: 3 sequential runs, 150 foreign
/// comments (one quoting our marker, some by another bot) before ours, 5 concurrent runs, two
/// injected 502s and a lost reply. Each scenario leaves exactly one comment of `login`.
fn one_comment_whatever_happens(
    server: &FakeServer,
    repo: &str,
    login: &str,
    connect: &(dyn Fn() -> Box<dyn Forge> + Sync),
    notes: &str,
) {
    let ours = |n: u64| server.comments_by(repo, n, login);

    // Three reruns.
    let forge = connect();
    let actions: Vec<Action> = (0..3)
        .map(|i| {
            post(forge.as_ref(), 1, Mode::Update, &format!("run {i}"))
                .unwrap()
                .action
        })
        .collect();
    assert_eq!(actions, [Action::Created, Action::Updated, Action::Updated]);
    assert_eq!(ours(1).len(), 1);
    assert!(ours(1)[0].body.ends_with("run 2"));

    // 150 foreign comments before ours, a person quoting our marker, another bot talking.
    server.seed_comments(repo, 2, OTHER_LOGIN, 140, "review");
    server.seed_comments(repo, 2, "dependabot[bot]", 9, "bump");
    server.add_comment(
        repo,
        2,
        OTHER_LOGIN,
        "<!-- modelci:eval-diff:cpu -->\nquoted",
    );
    let first = post(forge.as_ref(), 2, Mode::Update, "first").unwrap();
    assert_eq!(first.action, Action::Created);
    let second = post(forge.as_ref(), 2, Mode::Update, "second").unwrap();
    assert_eq!(second.action, Action::Updated);
    assert_eq!(ours(2).len(), 1);
    assert_eq!(server.comments(repo, 2).len(), 151);
    assert!(
        server.comments(repo, 2)[149].body.ends_with("quoted"),
        "untouched"
    );

    // Five concurrent runs.
    std::thread::scope(|s| {
        let runs: Vec<_> = (0..5)
            .map(|i| {
                s.spawn(move || {
                    let forge = connect();
                    post(forge.as_ref(), 3, Mode::Update, &format!("run {i}")).unwrap()
                })
            })
            .collect();
        for r in runs {
            r.join().unwrap();
        }
    });
    assert_eq!(ours(3).len(), 1, "{:#?}", server.comments(repo, 3));

    // Two 502s on create, then a create that lands but whose reply is lost.
    server.inject(
        Some("POST"),
        &format!("/4/{notes}"),
        2,
        FaultKind::Status(502),
    );
    post(forge.as_ref(), 4, Mode::Update, "after 502s").unwrap();
    server.inject(
        Some("POST"),
        &format!("/5/{notes}"),
        1,
        FaultKind::ProcessThenStatus(502),
    );
    let out = post(forge.as_ref(), 5, Mode::Update, "lost reply").unwrap();
    assert_eq!(out.action, Action::Created);
    assert_eq!(ours(4).len(), 1);
    assert_eq!(ours(5).len(), 1);
    // A rerun after the lost reply finds the comment that landed.
    post(forge.as_ref(), 5, Mode::Update, "rerun").unwrap();
    assert_eq!(ours(5).len(), 1);
    assert!(ours(5)[0].body.ends_with("rerun"));
    server.assert_no_violations();
}

#[test]
fn actions_github_token_keeps_one_comment_and_never_asks_for_its_user() {
    let server = FakeServer::start();
    let url = server.github_url();
    let connect = || github_at(&url, ACTIONS_TOKEN);
    one_comment_whatever_happens(&server, REPO, ACTIONS_LOGIN, &connect, "comments");
    assert!(
        server.requests().iter().all(|r| r.path != "/user"),
        "GET /user is refused for installation tokens"
    );
}

#[test]
fn github_app_installation_token_keeps_one_comment() {
    let server = FakeServer::start();
    let url = server.github_enterprise_url();
    let connect = || github_at(&url, APP_TOKEN);
    one_comment_whatever_happens(&server, REPO, APP_LOGIN, &connect, "comments");
}

#[test]
fn personal_token_keeps_one_comment() {
    let server = FakeServer::start();
    let url = server.github_url();
    let connect = || github_at(&url, PAT_TOKEN);
    one_comment_whatever_happens(&server, REPO, BOT_LOGIN, &connect, "comments");
    assert!(server.requests().iter().any(|r| r.path == "/user"));
}

#[test]
fn gitlab_project_access_token_keeps_one_note() {
    let server = FakeServer::start();
    let connect = || gitlab(&server, Token::new(PROJECT_TOKEN)).unwrap();
    let forge = connect();
    let me = forge.current_user().unwrap().unwrap();
    assert_eq!(me.login, PROJECT_BOT_LOGIN);
    one_comment_whatever_happens(
        &server,
        GITLAB_PROJECT,
        PROJECT_BOT_LOGIN,
        &connect,
        "notes",
    );
}

#[test]
fn a_token_of_unknown_form_refused_on_user_falls_back_to_bot_comments() {
    let server = FakeServer::start();
    // An old-style installation token (`v1.` + hex) has no `ghs_` prefix to read.
    server.add_user(
        "v1.0123456789abcdef",
        ACTIONS_LOGIN,
        modelci_test::TokenKind::Installation(modelci_test::Permissions::WRITE_ALL),
    );
    let forge = github_at(&server.github_url(), "v1.0123456789abcdef");
    assert_eq!(forge.current_user().unwrap(), None);
    for i in 0..3 {
        post(forge.as_ref(), 7, Mode::Update, &format!("run {i}")).unwrap();
    }
    assert_eq!(server.comments_by(REPO, 7, ACTIONS_LOGIN).len(), 1);
}

#[test]
fn read_only_token_of_a_fork_is_refused_naming_the_permission() {
    let server = FakeServer::start();
    let forge = github_at(&server.github_url(), FORK_TOKEN);
    let err = post(forge.as_ref(), 8, Mode::Update, "hello").unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("Resource not accessible by integration")
            && message.contains("`pull-requests: write`")
            && !message.contains('\n')
            && !message.contains(FORK_TOKEN),
        "{message}"
    );
    assert!(server.comments(REPO, 8).is_empty());
}

#[test]
fn recreate_and_append_work_with_an_installation_token() {
    let server = FakeServer::start();
    let forge = github_at(&server.github_url(), ACTIONS_TOKEN);
    post(forge.as_ref(), 9, Mode::Update, "a").unwrap();
    server.seed_comments(REPO, 9, "dependabot[bot]", 1, "bump");
    assert_eq!(
        post(forge.as_ref(), 9, Mode::Recreate, "b").unwrap().action,
        Action::Recreated
    );
    assert_eq!(server.comments_by(REPO, 9, ACTIONS_LOGIN).len(), 1);
    assert_eq!(server.comments_by(REPO, 9, "dependabot[bot]").len(), 1);
    post(forge.as_ref(), 9, Mode::Append, "c").unwrap();
    assert_eq!(server.comments_by(REPO, 9, ACTIONS_LOGIN).len(), 2);
    server.assert_no_violations();
}

#[test]
fn gitlab_job_token_is_refused_on_notes_as_gitlab_does() {
    let server = FakeServer::start();
    server.seed_comments(GITLAB_PROJECT, 4, OTHER_LOGIN, 2, "hi");
    let forge = gitlab(&server, Token::gitlab_job(JOB_TOKEN)).unwrap();
    assert_eq!(
        forge.list_comments(4).unwrap().len(),
        2,
        "reading is allowed"
    );
    let err = post(forge.as_ref(), 4, Mode::Update, "hello").unwrap_err();
    assert!(matches!(err, ForgeError::Forbidden { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("CI_JOB_TOKEN cannot") && message.contains("`api` scope"),
        "{message}"
    );
    // GitLab ignored the job token on the note and answered 401, as it does for `/user`.
    let refused: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].status, 401);
    let (status, body) = modelci_test::send_raw(
        &server.gitlab_url(),
        "GET",
        "/api/v4/user",
        &[("JOB-TOKEN", JOB_TOKEN)],
        "",
    )
    .unwrap();
    assert_eq!(
        (status, body.as_str()),
        (401, r#"{"message":"401 Unauthorized"}"#)
    );
}
