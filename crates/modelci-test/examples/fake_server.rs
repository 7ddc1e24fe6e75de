//! The fake GitHub and GitLab as a standalone process, for tests that run a real CI interpreter
//! (gitlab-ci-local, act) whose jobs call the fake from the binaries they start.
//!
//! ```text
//! fake_server STATE.json REPO NUMBER
//! ```
//!
//! Once it listens it prints `github=URL`, `gitlab=URL`, `token=TOKEN` and `bot=LOGIN` (one per
//! line) on standard output: the seeded GitLab project access token of project `modelci/demo`
//! (`modelci_test::PROJECT_TOKEN`) and the bot user it acts as (`modelci_test::PROJECT_BOT_LOGIN`).
//! Then it serves until its standard input ends. Then it writes STATE.json, one JSON object:
//! `comments` (the comments and notes on issue, pull or merge request NUMBER of REPO, a GitHub
//! `owner/repo` or a GitLab project path, oldest first), `requests` (every request: `method`,
//! `path`, `query`, `status`) and `violations` (requests the real API would have refused), and
//! exits 0. The seeded users and projects are the library's (`modelci_test::GITLAB_PROJECT`,
//! ...). Bad arguments exit 2.

use std::io::{Read, Write};
use std::process::ExitCode;

use modelci_test::FakeServer;
use serde_json::json;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [state_path, repo, number] = args.as_slice() else {
        eprintln!("usage: fake_server STATE.json REPO NUMBER");
        return ExitCode::from(2);
    };
    let Ok(number) = number.parse::<u64>() else {
        eprintln!("fake_server: NUMBER `{number}` is not a pull or merge request number");
        return ExitCode::from(2);
    };
    let server = FakeServer::start();
    {
        let mut out = std::io::stdout().lock();
        let announced = writeln!(out, "github={}", server.github_url())
            .and_then(|()| writeln!(out, "gitlab={}", server.gitlab_url()))
            .and_then(|()| writeln!(out, "token={}", modelci_test::PROJECT_TOKEN))
            .and_then(|()| writeln!(out, "bot={}", modelci_test::PROJECT_BOT_LOGIN))
            .and_then(|()| out.flush());
        if let Err(e) = announced {
            eprintln!("fake_server: cannot write to standard output: {e}");
            return ExitCode::from(1);
        }
    }
    // Serve (on the library's thread) until whoever started us closes our standard input.
    let mut sink = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut sink) {
        eprintln!("fake_server: reading standard input failed: {e}; stopping");
    }
    let comments: Vec<_> = server
        .comments(repo, number)
        .into_iter()
        .map(|c| {
            json!({
                "id": c.id, "author": c.author, "body": c.body, "system": c.system,
                "created_at": c.created_at, "updated_at": c.updated_at,
            })
        })
        .collect();
    let requests: Vec<_> = server
        .requests()
        .into_iter()
        .map(|r| json!({"method": r.method, "path": r.path, "query": r.query, "status": r.status}))
        .collect();
    let state = json!({
        "comments": comments,
        "requests": requests,
        "violations": server.take_violations(),
    });
    if let Err(e) = std::fs::write(state_path, state.to_string()) {
        eprintln!("fake_server: cannot write {state_path}: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
