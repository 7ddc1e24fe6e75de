//! Jenkins multibranch detection: the forge comes from the Git remote.

use modelci_ci::{Env, Forge, Provider, Repository, detect};

use crate::no_files;

fn jenkins_pr(git_url: &str) -> Env {
    Env::new()
        .with("JENKINS_URL", "https://jenkins.example.com/")
        .with(
            "BUILD_URL",
            "https://jenkins.example.com/job/classifier/job/PR-7/3/",
        )
        .with("CHANGE_ID", "7")
        .with("CHANGE_TARGET", "main")
        .with("CHANGE_BRANCH", "PR-7")
        .with("GIT_COMMIT", "4f1d2c3b")
        .with("GIT_URL", git_url)
}

#[test]
fn github_over_https() {
    let ctx = detect(
        &jenkins_pr("https://github.com/octo-org/classifier.git"),
        &no_files,
    )
    .expect("ok");
    assert_eq!(ctx.provider, Provider::Jenkins);
    assert_eq!(
        ctx.forge,
        Forge::GitHub {
            api_url: "https://api.github.com".into(),
            web_url: "https://github.com".into()
        }
    );
    assert_eq!(
        ctx.repository,
        Some(Repository::GitHub {
            owner: "octo-org".into(),
            name: "classifier".into()
        })
    );
    let change = ctx.change.expect("pr");
    assert_eq!(change.number, 7);
    assert_eq!(change.base_ref.as_deref(), Some("main"));
    assert_eq!(change.head_sha.as_deref(), Some("4f1d2c3b"));
    assert!(!change.is_fork);
    assert_eq!(
        ctx.run_url.as_deref(),
        Some("https://jenkins.example.com/job/classifier/job/PR-7/3/")
    );
}

#[test]
fn github_over_ssh() {
    let https = detect(
        &jenkins_pr("https://github.com/octo-org/classifier.git"),
        &no_files,
    )
    .expect("ok");
    let ssh = detect(
        &jenkins_pr("git@github.com:octo-org/classifier.git"),
        &no_files,
    )
    .expect("ok");
    assert_eq!(ssh.forge, https.forge);
    assert_eq!(ssh.repository, https.repository);
}

#[test]
fn gitlab_by_host_name_with_nested_groups() {
    let ctx = detect(
        &jenkins_pr("git@gitlab.example.com:ml-team/vision/classifier.git"),
        &no_files,
    )
    .expect("ok");
    assert_eq!(
        ctx.forge,
        Forge::GitLab {
            api_url: "https://gitlab.example.com/api/v4".into(),
            web_url: "https://gitlab.example.com".into()
        }
    );
    let repo = ctx.repository.expect("repo");
    assert_eq!(
        repo.gitlab_api_id().as_deref(),
        Some("ml-team%2Fvision%2Fclassifier")
    );
}

#[test]
fn self_hosted_gitlab_with_overrides() {
    let env = jenkins_pr("https://git.corp.example:8443/team/model.git")
        .with("MODELCI_FORGE", "gitlab")
        .with("MODELCI_API_URL", "https://git.corp.example:8443/api/v4/");
    let ctx = detect(&env, &no_files).expect("ok");
    assert_eq!(
        ctx.forge,
        Forge::GitLab {
            api_url: "https://git.corp.example:8443/api/v4".into(),
            web_url: "https://git.corp.example:8443".into()
        }
    );
}

#[test]
fn fork_change() {
    let env = jenkins_pr("https://github.com/o/r.git").with("CHANGE_FORK", "forker");
    let ctx = detect(&env, &no_files).expect("ok");
    assert!(ctx.change.expect("pr").is_fork);
}

#[test]
fn branch_build_has_no_change() {
    let env = jenkins_pr("https://github.com/o/r.git").without("CHANGE_ID");
    let ctx = detect(&env, &no_files).expect("ok");
    assert!(ctx.change.is_none());
    assert!(ctx.repository.is_some());
}
