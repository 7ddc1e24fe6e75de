//! GitHub Actions detection from GitHub's own example webhook payloads.

use std::io;
use std::path::Path;

use modelci_ci::{ChangeRequest, DetectError, Env, Forge, Provider, Repository, detect};

use crate::{detect_fs, fixture, read_fixture};

fn actions_env(event: &str, payload: &str) -> Env {
    Env::new()
        .with("GITHUB_ACTIONS", "true")
        .with("GITHUB_EVENT_NAME", event)
        .with(
            "GITHUB_EVENT_PATH",
            fixture(&format!("github/{payload}")).to_string_lossy(),
        )
        .with("GITHUB_REPOSITORY", "Codertocat/Hello-World")
        .with("GITHUB_SERVER_URL", "https://github.com")
        .with("GITHUB_API_URL", "https://api.github.com")
        .with("GITHUB_RUN_ID", "1658821493")
        .with("GITHUB_SHA", "0000000000000000000000000000000000merge1")
}

fn hello_world_pr() -> ChangeRequest {
    ChangeRequest {
        number: 2,
        base_ref: Some("master".into()),
        head_ref: Some("changes".into()),
        base_sha: Some("f95f852bd8fca8fcc58a9a2d6c842781e32a215e".into()),
        head_sha: Some("ec26c3e57ca3a959ca5aad62de7213c562f8c821".into()),
        is_fork: false,
    }
}

#[test]
fn pull_request_opened() {
    let ctx = detect_fs(&actions_env("pull_request", "pull_request.opened.json")).expect("ok");
    insta::assert_debug_snapshot!(ctx);
    assert_eq!(ctx.provider, Provider::GitHubActions);
    assert_eq!(
        ctx.forge,
        Forge::GitHub {
            api_url: "https://api.github.com".into(),
            web_url: "https://github.com".into()
        }
    );
    assert_eq!(ctx.change, Some(hello_world_pr()));
    assert_eq!(
        ctx.repository.map(|r| r.to_string()).as_deref(),
        Some("Codertocat/Hello-World")
    );
    assert_eq!(
        ctx.run_url.as_deref(),
        Some("https://github.com/Codertocat/Hello-World/actions/runs/1658821493")
    );
}

#[test]
fn pull_request_synchronize_and_target() {
    for event in ["pull_request", "pull_request_target"] {
        let ctx = detect_fs(&actions_env(event, "pull_request.synchronize.json")).expect("ok");
        assert_eq!(ctx.change, Some(hello_world_pr()), "{event}");
    }
}

#[test]
fn events_without_a_pull_request_never_read_the_payload() {
    for (event, payload) in [
        ("push", "push.json"),
        ("workflow_dispatch", "workflow_dispatch.json"),
        ("release", "release.published.json"),
    ] {
        let env = actions_env(event, payload);
        let ctx = detect(&env, &|p: &Path| -> io::Result<String> {
            panic!("{event} read {}", p.display())
        })
        .expect("ok");
        assert_eq!(ctx.change, None, "{event}");
        assert_eq!(
            ctx.commit_sha.as_deref(),
            Some("0000000000000000000000000000000000merge1")
        );
        // The payloads themselves parse, so they stay valid fixtures.
        let _: serde_json::Value =
            serde_json::from_str(&read_fixture(&format!("github/{payload}"))).expect("json");
    }
}

#[test]
fn fork_pull_request() {
    let mut payload: serde_json::Value =
        serde_json::from_str(&read_fixture("github/pull_request.opened.json")).expect("json");
    let head_repo = &mut payload["pull_request"]["head"]["repo"];
    head_repo["full_name"] = "forker/Hello-World".into();
    head_repo["fork"] = true.into();
    let text = payload.to_string();
    let env = actions_env("pull_request", "unused.json");
    let ctx = detect(&env, &|_: &Path| Ok(text.clone())).expect("ok");
    let change = ctx.change.expect("pr");
    assert!(change.is_fork);
    assert_eq!(change.number, 2);

    // Only the name differs (e.g. `fork` missing from a trimmed payload).
    head_repo_name_only();
}

fn head_repo_name_only() {
    let mut payload: serde_json::Value =
        serde_json::from_str(&read_fixture("github/pull_request.opened.json")).expect("json");
    let head_repo = payload["pull_request"]["head"]["repo"]
        .as_object_mut()
        .expect("object");
    head_repo.insert("full_name".into(), "forker/Hello-World".into());
    head_repo.remove("fork");
    let text = payload.to_string();
    let ctx = detect(&actions_env("pull_request", "x.json"), &|_: &Path| {
        Ok(text.clone())
    })
    .expect("ok");
    assert!(ctx.change.expect("pr").is_fork);
}

#[test]
fn workflow_run_takes_its_first_pull_request_and_head_sha() {
    let payload = r#"{
      "action": "completed",
      "workflow_run": {
        "id": 30433642,
        "head_sha": "acb5820ced9479c074f688cc328bf03f341a511d",
        "head_branch": "feature",
        "event": "pull_request",
        "pull_requests": [{
          "id": 1, "number": 12,
          "head": {"ref": "feature", "sha": "acb5820ced9479c074f688cc328bf03f341a511d",
                   "repo": {"id": 118, "url": "https://api.github.com/repos/octo-org/octo-repo", "name": "octo-repo"}},
          "base": {"ref": "main", "sha": "a9d4f6bb8ba4e08e7d4e45dd35e1cc0d2c6a7c11",
                   "repo": {"id": 118, "url": "https://api.github.com/repos/octo-org/octo-repo", "name": "octo-repo"}}
        }],
        "head_repository": {"id": 118, "full_name": "octo-org/octo-repo"},
        "repository": {"id": 118, "full_name": "octo-org/octo-repo"}
      }
    }"#;
    let env = actions_env("workflow_run", "x.json").with("GITHUB_REPOSITORY", "octo-org/octo-repo");
    let ctx = detect(&env, &|_: &Path| Ok(payload.to_owned())).expect("ok");
    assert_eq!(
        ctx.change,
        Some(ChangeRequest {
            number: 12,
            base_ref: Some("main".into()),
            head_ref: Some("feature".into()),
            base_sha: Some("a9d4f6bb8ba4e08e7d4e45dd35e1cc0d2c6a7c11".into()),
            head_sha: Some("acb5820ced9479c074f688cc328bf03f341a511d".into()),
            is_fork: false,
        })
    );
    assert_eq!(
        ctx.commit_sha.as_deref(),
        Some("acb5820ced9479c074f688cc328bf03f341a511d")
    );

    // A run from a fork: GitHub leaves pull_requests empty.
    let fork = r#"{"workflow_run": {"head_sha": "h", "pull_requests": [],
        "head_repository": {"full_name": "forker/octo-repo"},
        "repository": {"full_name": "octo-org/octo-repo"}}}"#;
    let ctx = detect(&env, &|_: &Path| Ok(fork.to_owned())).expect("ok");
    assert_eq!(ctx.change, None);
    assert_eq!(ctx.commit_sha.as_deref(), Some("h"));
}

#[test]
fn github_enterprise_server_urls() {
    let env = actions_env("pull_request", "pull_request.opened.json")
        .with("GITHUB_SERVER_URL", "https://github.acme.example")
        .with("GITHUB_API_URL", "https://github.acme.example/api/v3");
    let ctx = detect_fs(&env).expect("ok");
    assert_eq!(
        ctx.forge,
        Forge::GitHub {
            api_url: "https://github.acme.example/api/v3".into(),
            web_url: "https://github.acme.example".into()
        }
    );
    assert_eq!(
        ctx.run_url.as_deref(),
        Some("https://github.acme.example/Codertocat/Hello-World/actions/runs/1658821493")
    );
    assert_eq!(
        ctx.repository,
        Some(Repository::github_slug("Codertocat/Hello-World").expect("slug"))
    );
}

#[test]
fn missing_payload_file_is_a_clear_error() {
    let env = actions_env("pull_request", "does-not-exist.json");
    let err = detect_fs(&env).expect_err("missing");
    assert!(matches!(err, DetectError::ReadEvent { .. }));
    let msg = err.to_string();
    assert!(
        msg.starts_with("could not read the GitHub event payload `"),
        "{msg}"
    );
    assert!(msg.contains("does-not-exist.json"), "{msg}");

    let env = env.without("GITHUB_EVENT_PATH");
    let err = detect_fs(&env).expect_err("unset");
    assert_eq!(
        err.to_string(),
        "GitHub Actions detected, but `GITHUB_EVENT_PATH` is not set"
    );
}

#[test]
fn payload_of_the_wrong_event_is_a_parse_error() {
    let err = detect_fs(&actions_env("pull_request", "push.json")).expect_err("wrong");
    assert!(matches!(err, DetectError::ParseEvent { .. }));
    let source = std::error::Error::source(&err).map(ToString::to_string);
    assert!(
        source
            .as_deref()
            .is_some_and(|s| s.contains("pull_request")),
        "{source:?}"
    );
}

#[test]
fn io_errors_from_the_reader_are_kept_as_source() {
    let env = actions_env("pull_request", "p.json");
    let err = detect(&env, &|_: &Path| {
        Err(io::Error::new(io::ErrorKind::PermissionDenied, "denied"))
    })
    .expect_err("denied");
    let source = std::error::Error::source(&err).map(ToString::to_string);
    assert_eq!(source.as_deref(), Some("denied"));
}
