//! GitLab: notes, uploads, job tokens, pagination, faults.

use modelci_forge::{Action, ForgeError, Marker, Mode, Section, StickyComment, Token, sticky};
use modelci_test::{
    BOT_LOGIN, BOT_TOKEN, FakeServer, FaultKind, GITLAB_PROJECT, JOB_TOKEN, OTHER_LOGIN,
};

use crate::{gitlab, post};

#[test]
fn note_with_uploaded_image() {
    let server = FakeServer::start();
    let forge = gitlab(&server, Token::new(BOT_TOKEN)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("accuracy.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\nfake image bytes").unwrap();
    let image = forge.upload_image(&png).unwrap();
    assert!(image.0.starts_with("![accuracy](/uploads/"), "{image}");
    assert!(image.0.ends_with("/accuracy.png)"), "{image}");

    let sections = [
        Section::keep("## Accuracy"),
        Section::droppable(image.to_string()),
    ];
    let req = StickyComment {
        marker: Marker::new("eval-diff", "cpu"),
        mode: Mode::Update,
        sections: &sections,
        full_report_url: None,
    };
    assert_eq!(
        sticky::post(forge.as_ref(), 3, &req).unwrap().action,
        Action::Created
    );
    let notes = server.comments_by(GITLAB_PROJECT, 3, BOT_LOGIN);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].body.contains(&image.0));
    let uploads = server.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].bytes, b"\x89PNG\r\n\x1a\nfake image bytes");
}

#[test]
fn sticky_note_is_updated_across_pages() {
    let server = FakeServer::start();
    server.seed_comments(GITLAB_PROJECT, 6, OTHER_LOGIN, 130, "review");
    server.add_system_note(
        GITLAB_PROJECT,
        6,
        BOT_LOGIN,
        "added 1 commit <!-- modelci:eval-diff:cpu -->",
    );
    let forge = gitlab(&server, Token::new(BOT_TOKEN)).unwrap();
    let actions: Vec<Action> = (0..3)
        .map(|i| {
            post(forge.as_ref(), 6, Mode::Update, &format!("run {i}"))
                .unwrap()
                .action
        })
        .collect();
    assert_eq!(actions, [Action::Created, Action::Updated, Action::Updated]);
    let ours: Vec<_> = server
        .comments_by(GITLAB_PROJECT, 6, BOT_LOGIN)
        .into_iter()
        .filter(|c| !c.system)
        .collect();
    assert_eq!(ours.len(), 1);
    assert!(ours[0].body.ends_with("run 2"));
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.method == "GET" && r.query.contains("page=2"))
    );
}

#[test]
fn job_token_reads_but_gets_forbidden_on_write() {
    let server = FakeServer::start();
    server.seed_comments(GITLAB_PROJECT, 4, OTHER_LOGIN, 2, "hi");
    let forge = gitlab(&server, Token::gitlab_job(JOB_TOKEN)).unwrap();
    assert_eq!(forge.current_user().unwrap().unwrap().login, BOT_LOGIN);
    assert_eq!(forge.list_comments(4).unwrap().len(), 2);
    let err = post(forge.as_ref(), 4, Mode::Update, "hello").unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    assert!(matches!(err, ForgeError::Forbidden { .. }));
    assert!(!err.to_string().contains(JOB_TOKEN));
}

#[test]
fn bad_gateway_twice_then_success_posts_once() {
    let server = FakeServer::start();
    server.inject(Some("POST"), "/notes", 2, FaultKind::Status(502));
    let forge = gitlab(&server, Token::new(BOT_TOKEN)).unwrap();
    post(forge.as_ref(), 5, Mode::Update, "hello").unwrap();
    assert_eq!(server.comments_by(GITLAB_PROJECT, 5, BOT_LOGIN).len(), 1);
}

#[test]
fn too_many_requests_posts_once() {
    let server = FakeServer::start();
    server.inject(
        Some("POST"),
        "/notes",
        1,
        FaultKind::TooManyRequests { retry_after: 1 },
    );
    server.inject(Some("POST"), "/notes", 1, FaultKind::ProcessThenStatus(500));
    let forge = gitlab(&server, Token::new(BOT_TOKEN)).unwrap();
    post(forge.as_ref(), 5, Mode::Update, "hello").unwrap();
    assert_eq!(server.comments_by(GITLAB_PROJECT, 5, BOT_LOGIN).len(), 1);
}

#[test]
fn recreate_and_append_modes() {
    let server = FakeServer::start();
    let forge = gitlab(&server, Token::new(BOT_TOKEN)).unwrap();
    post(forge.as_ref(), 2, Mode::Update, "a").unwrap();
    assert_eq!(
        post(forge.as_ref(), 2, Mode::Recreate, "b").unwrap().action,
        Action::Recreated
    );
    assert_eq!(server.comments_by(GITLAB_PROJECT, 2, BOT_LOGIN).len(), 1);
    assert_eq!(
        post(forge.as_ref(), 2, Mode::Append, "c").unwrap().action,
        Action::Appended
    );
    assert_eq!(server.comments_by(GITLAB_PROJECT, 2, BOT_LOGIN).len(), 2);
}

#[test]
fn connecting_with_a_bad_token_is_unauthorized() {
    let server = FakeServer::start();
    let err = gitlab(&server, Token::new("glpat-wrong")).unwrap_err();
    assert!(matches!(err, ForgeError::Unauthorized { .. }), "{err}");
    assert!(!err.to_string().contains("glpat-wrong"));
}

#[test]
fn forbidden_project_is_forbidden() {
    let server = FakeServer::start();
    server.forbid_writes(GITLAB_PROJECT);
    let forge = gitlab(&server, Token::new(BOT_TOKEN)).unwrap();
    assert!(
        post(forge.as_ref(), 5, Mode::Update, "x")
            .unwrap_err()
            .is_forbidden()
    );
}

#[test]
fn publishing_to_a_branch_is_unsupported_on_gitlab() {
    let server = FakeServer::start();
    let forge = gitlab(&server, Token::new(BOT_TOKEN)).unwrap();
    let err = forge.publish_image("charts", "a.png", b"png").unwrap_err();
    assert!(matches!(err, ForgeError::Unsupported { .. }), "{err}");
}

#[test]
fn a_huge_answer_is_refused_at_the_cap_not_read_whole() {
    // Issue 14: answers read through the `gitlab` crate's client were not size-capped. A host
    // answering 64 MiB and one byte (the cap is 64 MiB), while connecting and while listing
    // notes, gets a transport error naming the cap (once, without retries, to stay fast).
    let server = FakeServer::start();
    let huge = (64 << 20) + 1;
    let connect = || {
        modelci_forge::GitLab::new(
            &server.gitlab_url(),
            GITLAB_PROJECT,
            &Token::new(BOT_TOKEN),
            modelci_forge::RetryPolicy::none(),
        )
    };
    server.inject(Some("GET"), "/api/v4/user", 1, FaultKind::Oversized(huge));
    let err = connect().unwrap_err();
    assert!(
        matches!(
            err,
            ForgeError::Transport { .. } | ForgeError::GaveUp { .. }
        ),
        "a broken answer, not a refusal: {err}"
    );
    assert!(
        err.to_string().contains("larger than 67108864 bytes"),
        "{err}"
    );
    let forge = connect().expect("the fault is used up");
    server.inject(Some("GET"), "/notes", 1, FaultKind::Oversized(huge));
    let err = modelci_forge::Forge::list_comments(&forge, 5).unwrap_err();
    assert!(
        err.to_string().contains("larger than 67108864 bytes"),
        "{err}"
    );
}

#[test]
fn a_redirect_to_another_host_is_not_followed_with_the_token() {
    // The token travels in `PRIVATE-TOKEN`, a header HTTP clients keep across redirects: an
    // answer sending the client to another origin is not followed.
    let server = FakeServer::start();
    let elsewhere = FakeServer::start();
    server.inject(
        Some("GET"),
        "/api/v4/user",
        1,
        FaultKind::Redirect(format!("{}/user", elsewhere.gitlab_url())),
    );
    let err = modelci_forge::GitLab::new(
        &server.gitlab_url(),
        GITLAB_PROJECT,
        &Token::new(BOT_TOKEN),
        modelci_forge::RetryPolicy::none(),
    )
    .unwrap_err();
    assert!(!err.to_string().contains(BOT_TOKEN), "{err}");
    assert!(
        elsewhere.requests().is_empty(),
        "the other host was asked: {:?}",
        elsewhere.requests()
    );
}
