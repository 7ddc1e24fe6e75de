//! Issue 12, "Done when": the README's workflows played with the tokens users give modelci,
//! against the fake code host in its realistic mode (an installation token is refused on
//! `GET /user`, a read-only token on every write, GitLab's job token outside the endpoints that
//! accept it). Each scenario leaves exactly one sticky comment: after 3 sequential runs, after
//! 5 concurrent runs, with 150 foreign comments before ours, and after injected 502s and a lost
//! reply.

use std::path::Path;
use std::process::Command;

use modelci_test::{
    ACTIONS_LOGIN, ACTIONS_TOKEN, BOT_LOGIN, FORK_TOKEN, FakeServer, FaultKind, GITLAB_PROJECT,
    JOB_TOKEN, PAT_TOKEN, PROJECT_BOT_LOGIN, PROJECT_TOKEN,
};

use crate::harness::Outcome;
use crate::posting::{GITHUB_REPO, PR, github_env, gitlab_env, run_in_ci};

/// The merge request of the GitLab environment.
const MR: u64 = 7;

/// Posts the report folder `dir` (evaluated once) with `--post-from`: the posting half of a
/// run, so that five concurrent runs do not evaluate five times.
fn post_from(dir: &Path, env: &[(&str, String)]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eval-diff"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = cmd.arg("--post-from").arg(dir).output().expect("runs");
    Outcome {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The environment the README's GitHub workflow gives the binary: the action passes its
/// `token` input (default `${{ github.token }}`) as `MODELCI_GITHUB_TOKEN`.
fn actions_env(work: &Path, server: &FakeServer, token: &str) -> Vec<(&'static str, String)> {
    let mut env = github_env(work, server.github_url());
    env.retain(|(k, _)| *k != "GITHUB_TOKEN");
    env.push(("MODELCI_GITHUB_TOKEN", token.to_owned()));
    env
}

/// One host and token: how to build the run's environment, where comments land, whose they are.
struct Setup {
    repo: &'static str,
    number: u64,
    login: &'static str,
    token: &'static str,
    env: fn(&Path, &FakeServer) -> Vec<(&'static str, String)>,
    /// The path part of the create request (`/issues/2/comments`, `/merge_requests/7/notes`).
    create_path: &'static str,
}

fn ours(server: &FakeServer, s: &Setup) -> Vec<modelci_test::StoredComment> {
    server.comments_by(s.repo, s.number, s.login)
}

fn ok(r: &Outcome, what: &str, token: &str) {
    assert_eq!(r.code, 0, "{what}: {}", r.stderr);
    assert!(!r.stderr.contains(token), "{what}: token never in logs");
    assert!(
        !r.stderr.contains("warning"),
        "{what}: no warning: {}",
        r.stderr
    );
}

/// Every guarantee of the sticky comment, each on a fresh fake.
fn play(s: &Setup) {
    let work = tempfile::tempdir().expect("temp dir");

    // 3 sequential runs of the workflow (full evaluations).
    let server = FakeServer::start();
    let env = (s.env)(work.path(), &server);
    for run in 0..3 {
        let r = run_in_ci(
            &work.path().join(format!("run-{run}")),
            &env,
            &["--tolerance", "accuracy=0.5pt"],
        );
        ok(&r, &format!("sequential run {run}"), s.token);
        if s.repo == GITHUB_REPO {
            assert!(
                r.stdout.contains("comment: "),
                "the URL is printed: {}",
                r.stdout
            );
        }
    }
    assert_eq!(ours(&server, s).len(), 1, "3 runs, one comment");
    assert!(ours(&server, s)[0].body.contains("eval-diff passed"));
    server.assert_no_violations();
    let report = work.path().join("run-2");

    // 150 foreign comments before ours (one quoting our marker), then two runs.
    let server = FakeServer::start();
    let env = (s.env)(work.path(), &server);
    server.seed_comments(s.repo, s.number, "octo-reviewer", 140, "review");
    server.seed_comments(s.repo, s.number, "dependabot[bot]", 9, "bump");
    server.add_comment(
        s.repo,
        s.number,
        "octo-reviewer",
        "<!-- modelci:eval-diff:default -->\nquoted",
    );
    for run in 0..2 {
        ok(
            &post_from(&report, &env),
            &format!("paged run {run}"),
            s.token,
        );
    }
    assert_eq!(
        ours(&server, s).len(),
        1,
        "150 foreign comments, one of ours"
    );
    assert_eq!(server.comments(s.repo, s.number).len(), 151);
    server.assert_no_violations();

    // 5 concurrent runs.
    let server = FakeServer::start();
    let env = (s.env)(work.path(), &server);
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..5)
            .map(|_| scope.spawn(|| post_from(&report, &env)))
            .collect();
        for (i, r) in runs.into_iter().enumerate() {
            ok(
                &r.join().expect("joined"),
                &format!("concurrent run {i}"),
                s.token,
            );
        }
    });
    assert_eq!(ours(&server, s).len(), 1, "5 concurrent runs, one comment");
    server.assert_no_violations();

    // Two 502s on the create, then a create that lands but whose reply is lost, then a rerun.
    let server = FakeServer::start();
    let env = (s.env)(work.path(), &server);
    server.inject(Some("POST"), s.create_path, 2, FaultKind::Status(502));
    server.inject(
        Some("POST"),
        s.create_path,
        1,
        FaultKind::ProcessThenStatus(502),
    );
    ok(&post_from(&report, &env), "run after faults", s.token);
    assert_eq!(
        ours(&server, s).len(),
        1,
        "502s and a lost reply, one comment"
    );
    ok(&post_from(&report, &env), "rerun after faults", s.token);
    assert_eq!(ours(&server, s).len(), 1);
    server.assert_no_violations();
}

#[test]
fn readme_workflow_with_actions_github_token() {
    play(&Setup {
        repo: GITHUB_REPO,
        number: PR,
        login: ACTIONS_LOGIN,
        token: ACTIONS_TOKEN,
        env: |w, s| actions_env(w, s, ACTIONS_TOKEN),
        create_path: "/issues/2/comments",
    });
}

#[test]
fn readme_workflow_with_a_personal_token() {
    play(&Setup {
        repo: GITHUB_REPO,
        number: PR,
        login: BOT_LOGIN,
        token: PAT_TOKEN,
        env: |w, s| actions_env(w, s, PAT_TOKEN),
        create_path: "/issues/2/comments",
    });
}

#[test]
fn readme_gitlab_component_with_a_project_access_token() {
    play(&Setup {
        repo: GITLAB_PROJECT,
        number: MR,
        login: PROJECT_BOT_LOGIN,
        token: PROJECT_TOKEN,
        env: |_, s| gitlab_env(s, ("GITLAB_TOKEN", PROJECT_TOKEN)),
        create_path: "/merge_requests/7/notes",
    });
}

#[test]
fn gitlab_job_token_gets_the_documented_warning_and_exit_0() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let env = gitlab_env(&server, ("CI_JOB_TOKEN", JOB_TOKEN));
    let r = run_in_ci(&work.path().join("r"), &env, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first = modelci_ci::GITLAB_JOB_TOKEN_ONLY_MESSAGE
        .lines()
        .next()
        .expect("a line");
    assert!(r.stderr.contains(first), "{}", r.stderr);
    assert!(r.stderr.contains("hint: create a project access token"));
    assert!(!r.stderr.contains(JOB_TOKEN), "token never in logs");
    // The job token may read releases (the trend over releases); nothing GitLab would refuse
    // it (`GET /user`, notes, uploads) is sent.
    let requests = server.requests();
    assert!(
        requests.iter().all(|r| r.status == 200
            && r.path != "/api/v4/user"
            && !r.path.contains("/notes")
            && !r.path.contains("/uploads")),
        "{requests:?}"
    );
    assert!(
        work.path().join("r/junit.xml").is_file(),
        "CI reports still written"
    );
}

#[test]
fn fork_pull_request_with_read_only_github_token_warns_naming_the_permission() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let env = actions_env(work.path(), &server, FORK_TOKEN);
    let r = run_in_ci(&work.path().join("r"), &env, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("Resource not accessible by integration")
            && r.stderr.contains("`pull-requests: write`"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(FORK_TOKEN));
    assert!(
        std::fs::read_to_string(work.path().join("summary.md"))
            .expect("job summary")
            .contains("eval-diff")
    );
    let strict = run_in_ci(&work.path().join("s"), &env, &["--strict"]);
    assert_eq!(strict.code, 3, "{}", strict.stderr);
    assert!(server.comments(GITHUB_REPO, PR).is_empty());
    server.assert_no_violations();
}

#[test]
fn image_branch_with_actions_token_and_without_contents_write() {
    let server = FakeServer::start();
    server.add_branch(GITHUB_REPO, "modelci-charts");
    let work = tempfile::tempdir().expect("temp dir");
    let args = ["--image-branch", "modelci-charts"];
    let r = run_in_ci(
        &work.path().join("a"),
        &actions_env(work.path(), &server, ACTIONS_TOKEN),
        &args,
    );
    ok(&r, "image branch", ACTIONS_TOKEN);
    assert!(!server.files().is_empty(), "charts committed");
    let ours = server.comments_by(GITHUB_REPO, PR, ACTIONS_LOGIN);
    assert_eq!(ours.len(), 1);
    assert!(
        ours[0].body.contains("/raw/modelci-charts/"),
        "{}",
        ours[0].body
    );

    // `pull-requests: write` but not `contents: write`: the comment still posts, the charts
    // are linked from the run, and the warning names the permission.
    let server = FakeServer::start();
    server.add_branch(GITHUB_REPO, "modelci-charts");
    let token = "ghs_noContentsWrite00000000000000000000";
    server.add_user(
        token,
        ACTIONS_LOGIN,
        modelci_test::TokenKind::Installation(modelci_test::Permissions {
            contents_write: false,
            ..modelci_test::Permissions::WRITE_ALL
        }),
    );
    let r = run_in_ci(
        &work.path().join("b"),
        &actions_env(work.path(), &server, token),
        &args,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("`contents: write`") && !r.stderr.contains(token),
        "{}",
        r.stderr
    );
    assert!(server.files().is_empty());
    assert_eq!(server.comments_by(GITHUB_REPO, PR, ACTIONS_LOGIN).len(), 1);
    server.assert_no_violations();
}
