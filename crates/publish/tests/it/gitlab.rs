//! `--to gitlab` against the fake GitLab: generic package files, then a release with one link
//! per file; a rerun (also after a failed upload, also with the CI job token) adds nothing twice.

use std::path::Path;

use modelci_test::{BOT_TOKEN, FakeServer, FaultKind, GITLAB_PROJECT, JOB_TOKEN};

use crate::harness::{EPOCH, Outcome, bundle_args, publish, refs, with};

const FILES: [&str; 3] = ["SHA256SUMS", "digits-1.2.0.zip", "manifest.json"];

fn run(server: &FakeServer, work: &Path, token: (&str, &str)) -> Outcome {
    let vars = vec![
        ("SOURCE_DATE_EPOCH", EPOCH.to_owned()),
        ("GITLAB_CI", "true".to_owned()),
        ("CI_API_V4_URL", server.gitlab_url()),
        ("CI_PROJECT_ID", "42".to_owned()),
        ("CI_PROJECT_PATH", GITLAB_PROJECT.to_owned()),
        (token.0, token.1.to_owned()),
    ];
    let vars: Vec<(&str, String)> = vars;
    let args = with(
        &bundle_args(&work.join("out"), "1.2.0"),
        &["--to", "gitlab"],
    );
    publish(work, &vars, &refs(&args))
}

/// Asserts one package file per bundle file and one release with one link per file.
fn assert_complete(server: &FakeServer, work: &Path) {
    let packages = server.packages();
    let mut names: Vec<&str> = packages.iter().map(|p| p.file_name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, FILES, "each file once");
    for p in &packages {
        assert_eq!(
            (p.project.as_str(), p.package.as_str(), p.version.as_str()),
            (GITLAB_PROJECT, "digits", "1.2.0")
        );
        assert!(
            p.bytes == std::fs::read(work.join("out").join(&p.file_name)).expect("local"),
            "{}",
            p.file_name
        );
    }
    let releases = server.gitlab_releases();
    assert_eq!(releases.len(), 1);
    let r = &releases[0];
    assert_eq!(r.tag, "v1.2.0");
    assert_eq!(r.git_ref.as_deref(), Some(crate::harness::COMMIT));
    let mut links: Vec<(&str, &str, &str)> = r
        .links
        .iter()
        .map(|l| (l.1.as_str(), l.2.as_str(), l.3.as_str()))
        .collect();
    links.sort_unstable();
    assert_eq!(links.len(), 3, "{links:?}");
    for ((name, url, kind), want) in links.iter().zip(FILES) {
        assert_eq!(*name, want);
        assert_eq!(*kind, "package");
        assert_eq!(
            *url,
            format!(
                "{}/projects/modelci%2Fdemo/packages/generic/digits/1.2.0/{want}",
                server.gitlab_url()
            )
            .replace("modelci%2Fdemo", "42"),
            "the link downloads the package file"
        );
    }
}

#[test]
fn package_then_release_with_links_and_a_rerun_adds_nothing() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let r = run(&server, work.path(), ("GITLAB_TOKEN", BOT_TOKEN));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_complete(&server, work.path());
    assert!(r.stdout.contains("/-/releases/v1.2.0"), "{}", r.stdout);
    let dotenv =
        std::fs::read_to_string(work.path().join("out/publish.env")).expect("dotenv report");
    assert!(dotenv.contains("MODELCI_PUBLISH_RELEASE_URL="), "{dotenv}");

    let again = run(&server, work.path(), ("CI_JOB_TOKEN", JOB_TOKEN));
    assert_eq!(
        again.code, 0,
        "the job token may publish too: {}",
        again.stderr
    );
    assert!(again.stdout.contains("unchanged"), "{}", again.stdout);
    assert_complete(&server, work.path());
    assert!(!again.stderr.contains(JOB_TOKEN) && !r.stderr.contains(BOT_TOKEN));
    server.assert_no_violations();
}

#[test]
fn rerun_after_a_failed_upload_completes_without_duplicates() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    server.inject(Some("PUT"), "/manifest.json", 1, FaultKind::Status(400));
    let first = run(&server, work.path(), ("GITLAB_TOKEN", BOT_TOKEN));
    assert_eq!(first.code, 3, "{}", first.stderr);
    assert!(
        server.gitlab_releases().is_empty(),
        "no release before every file is there"
    );
    assert_eq!(server.packages().len(), 2);
    let second = run(&server, work.path(), ("GITLAB_TOKEN", BOT_TOKEN));
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_complete(&server, work.path());
    server.assert_no_violations();
}
