//! Tests of the fake itself: it must refuse what the real APIs refuse.

use modelci_test::{BOT_TOKEN, FakeServer, GITLAB_PROJECT_ID, send_raw};

#[test]
fn github_create_comment_without_body_is_rejected() {
    let server = FakeServer::start();
    let auth = format!("Bearer {BOT_TOKEN}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    let (status, body) = send_raw(
        &server.github_url(),
        "POST",
        "/repos/modelci/demo/issues/1/comments",
        &headers,
        "{}",
    )
    .unwrap();
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("body"), "{body}");
    let (status, _) = send_raw(
        &server.github_url(),
        "POST",
        "/repos/modelci/demo/issues/x/comments",
        &headers,
        r#"{"body":"hi"}"#,
    )
    .unwrap();
    assert_eq!(status, 422);
    let (status, _) = send_raw(
        &server.github_url(),
        "PUT",
        "/repos/modelci/demo/issues/1/comments",
        &headers,
        "",
    )
    .unwrap();
    assert_eq!(status, 404);
    let violations = server.take_violations();
    assert_eq!(violations.len(), 3, "{violations:#?}");
    assert!(server.comments("modelci/demo", 1).is_empty());
}

#[test]
fn github_comment_over_the_size_limit_is_rejected() {
    let server = FakeServer::start();
    let auth = format!("Bearer {BOT_TOKEN}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    let long =
        serde_json::json!({ "body": "x".repeat(modelci_test::GITHUB_MAX_COMMENT_CHARS + 1) })
            .to_string();
    let (status, _) = send_raw(
        &server.github_url(),
        "POST",
        "/repos/modelci/demo/issues/1/comments",
        &headers,
        &long,
    )
    .unwrap();
    assert_eq!(status, 422);
    assert_eq!(server.take_violations().len(), 1);
}

#[test]
fn gitlab_note_without_body_is_rejected() {
    let server = FakeServer::start();
    let headers = [
        ("PRIVATE-TOKEN", BOT_TOKEN),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    let path = format!("/api/v4/projects/{GITLAB_PROJECT_ID}/merge_requests/3/notes");
    let (status, body) = send_raw(&server.github_url(), "POST", &path, &headers, "").unwrap();
    assert_eq!(status, 400, "{body}");
    let (status, _) = send_raw(
        &server.github_url(),
        "POST",
        "/api/v4/projects/42/merge_requests/abc/notes",
        &headers,
        "body=hi",
    )
    .unwrap();
    assert_eq!(status, 400);
    assert_eq!(server.take_violations().len(), 2);
    let (status, _) =
        send_raw(&server.github_url(), "POST", &path, &headers, "body=hello").unwrap();
    assert_eq!(status, 201);
    server.assert_no_violations();
}

#[test]
fn unauthenticated_requests_get_401_without_violation() {
    let server = FakeServer::start();
    let (status, _) = send_raw(&server.github_url(), "GET", "/user", &[], "").unwrap();
    assert_eq!(status, 401);
    let (status, _) = send_raw(
        &server.github_url(),
        "GET",
        "/api/v4/user",
        &[("PRIVATE-TOKEN", "wrong")],
        "",
    )
    .unwrap();
    assert_eq!(status, 401);
}
