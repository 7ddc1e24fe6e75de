//! GitHub: sticky comments, pagination, concurrency, faults, permissions, Enterprise URLs.

use std::time::{Duration, Instant};

use modelci_forge::{Action, ForgeError, Marker, Mode, Section, StickyComment, sticky};
use modelci_test::{BOT_LOGIN, FakeServer, FaultKind, OTHER_LOGIN};

use crate::{REPO, github, github_at, post};

#[test]
fn three_runs_leave_one_updated_comment() {
    let server = FakeServer::start();
    server.seed_comments(REPO, 7, OTHER_LOGIN, 2, "LGTM");
    let forge = github(&server);
    let actions: Vec<Action> = (0..3)
        .map(|i| {
            post(
                forge.as_ref(),
                7,
                Mode::Update,
                &format!("accuracy run {i}"),
            )
            .unwrap()
            .action
        })
        .collect();
    assert_eq!(actions, [Action::Created, Action::Updated, Action::Updated]);
    let ours = server.comments_by(REPO, 7, BOT_LOGIN);
    assert_eq!(ours.len(), 1);
    insta::assert_snapshot!(ours[0].body, @r"
    <!-- modelci:eval-diff:cpu -->
    accuracy run 2
    ");
    assert_eq!(server.comments(REPO, 7).len(), 3);
}

#[test]
fn finds_ours_among_150_comments_from_others() {
    let server = FakeServer::start();
    server.seed_comments(REPO, 9, OTHER_LOGIN, 120, "review");
    // Someone else quoting our marker must not be mistaken for ours.
    server.add_comment(
        REPO,
        9,
        OTHER_LOGIN,
        "<!-- modelci:eval-diff:cpu -->\nquoted",
    );
    let forge = github(&server);
    let first = post(forge.as_ref(), 9, Mode::Update, "first").unwrap();
    assert_eq!(first.action, Action::Created);
    server.seed_comments(REPO, 9, OTHER_LOGIN, 30, "more");
    assert_eq!(server.comments(REPO, 9).len(), 152);

    let second = post(forge.as_ref(), 9, Mode::Update, "second").unwrap();
    assert_eq!(second.action, Action::Updated);
    assert_eq!(second.comment.unwrap().id, first.comment.unwrap().id);
    let ours = server.comments_by(REPO, 9, BOT_LOGIN);
    assert_eq!(ours.len(), 1);
    assert!(ours[0].body.ends_with("second"));
    // Our comment is on page 2 of 100: the lookup must have followed the `Link` header.
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.method == "GET" && r.query.contains("page=2"))
    );
}

#[test]
fn five_concurrent_runs_leave_one_comment() {
    let server = FakeServer::start();
    let url = server.github_url();
    let handles: Vec<_> = (0..5)
        .map(|i| {
            let url = url.clone();
            std::thread::spawn(move || {
                let forge = github_at(&url, modelci_test::BOT_TOKEN);
                post(forge.as_ref(), 11, Mode::Update, &format!("run {i}")).unwrap()
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let ours = server.comments_by(REPO, 11, BOT_LOGIN);
    assert_eq!(ours.len(), 1, "{ours:#?}");
}

#[test]
fn bad_gateway_twice_then_success_posts_once() {
    let server = FakeServer::start();
    server.inject(
        Some("POST"),
        "/issues/5/comments",
        2,
        FaultKind::Status(502),
    );
    let forge = github(&server);
    let out = post(forge.as_ref(), 5, Mode::Update, "hello").unwrap();
    assert_eq!(out.action, Action::Created);
    assert_eq!(server.comments_by(REPO, 5, BOT_LOGIN).len(), 1);
    let posts = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 3);
}

#[test]
fn create_that_landed_but_failed_is_not_posted_twice() {
    let server = FakeServer::start();
    server.inject(
        Some("POST"),
        "/issues/5/comments",
        1,
        FaultKind::ProcessThenStatus(502),
    );
    let forge = github(&server);
    let out = post(forge.as_ref(), 5, Mode::Append, "hello").unwrap();
    assert_eq!(out.action, Action::Appended);
    assert_eq!(server.comments_by(REPO, 5, BOT_LOGIN).len(), 1);
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count(),
        1
    );
}

#[test]
fn too_many_requests_waits_retry_after_and_posts_once() {
    let server = FakeServer::start();
    server.inject(
        Some("POST"),
        "/issues/5/comments",
        1,
        FaultKind::TooManyRequests { retry_after: 1 },
    );
    let forge = github(&server);
    let start = Instant::now();
    post(forge.as_ref(), 5, Mode::Update, "hello").unwrap();
    assert!(start.elapsed() >= Duration::from_secs(1));
    assert_eq!(server.comments_by(REPO, 5, BOT_LOGIN).len(), 1);
}

#[test]
fn secondary_rate_limit_is_waited_out() {
    let server = FakeServer::start();
    server.inject(
        Some("GET"),
        "/comments",
        1,
        FaultKind::SecondaryRateLimit {
            retry_after: None,
            reset_in: 1,
        },
    );
    server.inject(
        Some("POST"),
        "/comments",
        1,
        FaultKind::SecondaryRateLimit {
            retry_after: Some(1),
            reset_in: 60,
        },
    );
    let forge = github(&server);
    post(forge.as_ref(), 5, Mode::Update, "hello").unwrap();
    assert_eq!(server.comments_by(REPO, 5, BOT_LOGIN).len(), 1);
}

#[test]
fn retry_budget_is_bounded() {
    let server = FakeServer::start();
    server.inject(Some("GET"), "/user", 1000, FaultKind::Status(503));
    let mut config = modelci_forge::ForgeConfig::new(
        modelci_forge::ForgeKind::GitHub,
        REPO,
        modelci_forge::Token::new(modelci_test::BOT_TOKEN),
    );
    config.api_url = Some(server.github_url());
    config.retry = modelci_forge::RetryPolicy {
        max_attempts: u32::MAX,
        max_elapsed: Duration::from_millis(300),
        initial_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    };
    let forge = modelci_forge::connect(&config).unwrap();
    let start = Instant::now();
    let err = forge.current_user().unwrap_err();
    assert!(matches!(err, ForgeError::GaveUp { .. }), "{err}");
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn fork_pull_request_gets_the_forbidden_error() {
    let server = FakeServer::start();
    server.forbid_writes(REPO);
    let forge = github(&server);
    let err = post(forge.as_ref(), 5, Mode::Update, "hello").unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    assert!(matches!(err, ForgeError::Forbidden { .. }));
    let message = err.to_string();
    assert!(
        message.contains("Resource not accessible by integration")
            && message.contains("`pull-requests: write`")
            && !message.contains('\n'),
        "{message}"
    );
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count(),
        1,
        "403 must not be retried"
    );
}

#[test]
fn bad_token_is_unauthorized_and_not_retried() {
    let server = FakeServer::start();
    let forge = github_at(&server.github_url(), "ghp_wrong_secret");
    let err = forge.current_user().unwrap_err();
    assert!(matches!(err, ForgeError::Unauthorized { .. }), "{err}");
    assert!(!err.to_string().contains("ghp_wrong_secret"));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn enterprise_server_base_url() {
    let server = FakeServer::start();
    let forge = github_at(&server.github_enterprise_url(), modelci_test::BOT_TOKEN);
    assert_eq!(forge.current_user().unwrap().unwrap().login, BOT_LOGIN);
    post(forge.as_ref(), 3, Mode::Update, "one").unwrap();
    post(forge.as_ref(), 3, Mode::Update, "two").unwrap();
    let reqs = server.requests();
    assert!(
        reqs.iter().all(|r| r.path.starts_with("/api/v3/")),
        "{reqs:#?}"
    );
    assert!(reqs.iter().any(|r| r.method == "PATCH"));
    assert_eq!(server.comments_by(REPO, 3, BOT_LOGIN).len(), 1);
}

#[test]
fn recreate_mode_replaces_the_comment() {
    let server = FakeServer::start();
    let forge = github(&server);
    let a = post(forge.as_ref(), 4, Mode::Update, "old")
        .unwrap()
        .comment
        .unwrap();
    server.seed_comments(REPO, 4, OTHER_LOGIN, 1, "in between");
    let b = post(forge.as_ref(), 4, Mode::Recreate, "new").unwrap();
    assert_eq!(b.action, Action::Recreated);
    let ours = server.comments_by(REPO, 4, BOT_LOGIN);
    assert_eq!(ours.len(), 1);
    assert!(ours[0].id > a.id.0 && ours[0].body.ends_with("new"));
    // The new comment is now the last one in the thread.
    assert_eq!(server.comments(REPO, 4).last().unwrap().author, BOT_LOGIN);
}

#[test]
fn append_mode_adds_a_comment_each_time() {
    let server = FakeServer::start();
    let forge = github(&server);
    for i in 0..3 {
        assert_eq!(
            post(forge.as_ref(), 4, Mode::Append, &format!("run {i}"))
                .unwrap()
                .action,
            Action::Appended
        );
    }
    assert_eq!(server.comments_by(REPO, 4, BOT_LOGIN).len(), 3);
    assert_eq!(
        post(forge.as_ref(), 4, Mode::Off, "nothing")
            .unwrap()
            .action,
        Action::Skipped
    );
    assert_eq!(server.comments_by(REPO, 4, BOT_LOGIN).len(), 3);
}

#[test]
fn keys_keep_matrix_jobs_apart() {
    let server = FakeServer::start();
    let forge = github(&server);
    for key in ["cpu", "gpu", "cpu"] {
        let sections = [Section::keep(format!("job {key}"))];
        let req = StickyComment {
            marker: Marker::new("eval-diff", key),
            mode: Mode::Update,
            sections: &sections,
            full_report_url: None,
        };
        sticky::post(forge.as_ref(), 8, &req).unwrap();
    }
    assert_eq!(server.comments_by(REPO, 8, BOT_LOGIN).len(), 2);
}

#[test]
fn long_report_drops_droppable_sections_and_links_the_full_report() {
    let server = FakeServer::start();
    let forge = github(&server);
    let sections = [
        Section::keep("## Summary\naccuracy 0.91 (-0.02)"),
        Section::droppable(format!("<details>{}</details>", "a".repeat(40_000))),
        Section::keep("**Verdict: regression**"),
        Section::droppable(format!("<details>{}</details>", "b".repeat(40_000))),
    ];
    let req = StickyComment {
        marker: Marker::new("eval-diff", "cpu"),
        mode: Mode::Update,
        sections: &sections,
        full_report_url: Some("https://ci.example.com/job/1/artifacts/report.md"),
    };
    let out = sticky::post(forge.as_ref(), 2, &req).unwrap();
    assert_eq!(out.dropped_sections, 1);
    assert!(!out.truncated);
    let body = &server.comments_by(REPO, 2, BOT_LOGIN)[0].body;
    assert!(body.chars().count() <= modelci_test::GITHUB_MAX_COMMENT_CHARS);
    assert!(
        body.contains("Summary") && body.contains("Verdict: regression") && body.contains("aaaa")
    );
    assert!(!body.contains("bbbb"));
    assert!(body.contains("https://ci.example.com/job/1/artifacts/report.md"));
}

#[test]
fn image_upload_is_unsupported_on_github() {
    let server = FakeServer::start();
    let forge = github(&server);
    let err = forge
        .upload_image(std::path::Path::new("chart.png"))
        .unwrap_err();
    assert!(matches!(err, ForgeError::Unsupported { .. }), "{err}");
}

#[test]
fn publish_image_needs_the_branch_then_creates_and_updates_the_file() {
    let server = FakeServer::start();
    let forge = github(&server);
    let path = "modelci/eval-diff/cpu/7/metrics.png";
    let err = forge.publish_image("charts", path, b"one").unwrap_err();
    assert!(matches!(err, ForgeError::Config { .. }), "{err}");
    assert!(err.to_string().contains("git switch --orphan charts"));

    server.add_branch(REPO, "charts");
    let url = forge.publish_image("charts", path, b"one").unwrap();
    assert_eq!(
        url,
        format!("{}/{REPO}/raw/charts/{path}", server.github_url())
    );
    let url2 = forge.publish_image("charts", path, b"two").unwrap();
    assert_eq!(url, url2);
    let files = server.files();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].bytes, b"two");
    assert_eq!(files[0].commits, 2);
    assert!(
        forge
            .publish_image("charts", "../escape.png", b"x")
            .is_err()
    );
    server.assert_no_violations();
}

#[test]
fn publish_image_works_with_enterprise_urls() {
    let server = FakeServer::start();
    server.add_branch(REPO, "charts");
    let forge = github_at(&server.github_enterprise_url(), modelci_test::BOT_TOKEN);
    forge.publish_image("charts", "a.png", b"png").unwrap();
    assert_eq!(server.files()[0].path, "a.png");
    server.assert_no_violations();
}

#[test]
fn publish_image_on_a_fork_is_forbidden() {
    let server = FakeServer::start();
    server.add_branch(REPO, "charts");
    server.forbid_writes(REPO);
    let err = github(&server)
        .publish_image("charts", "a.png", b"png")
        .unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    assert!(server.files().is_empty());
}
