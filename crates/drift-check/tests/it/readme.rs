//! examples/drift/README.md's commands run as written, from a clean folder, with the exit codes
//! the README says.

use modelci_test::harness::{Run, repo};

#[test]
fn the_examples_readme_commands_run_with_their_exit_codes() {
    let readme = std::fs::read_to_string(repo().join("examples/drift/README.md")).unwrap();
    let work = tempfile::tempdir().unwrap();
    let examples = repo().join("examples");
    let mut ran = 0;
    for line in readme.lines().filter(|l| l.starts_with("drift-check ")) {
        let (command, code) = line
            .split_once("# exit ")
            .expect("each command ends with its exit code");
        let expected: i32 = code.trim().parse().unwrap();
        let args: Vec<String> = command
            .split_whitespace()
            .skip(1)
            .map(|word| match word.strip_prefix("examples/") {
                Some(rest) => examples.join(rest).display().to_string(),
                None => word.to_owned(),
            })
            .collect();
        let outcome = Run::new(env!("CARGO_BIN_EXE_drift-check"))
            .args(&args)
            .current_dir(work.path())
            .output();
        assert_eq!(
            outcome.code, expected,
            "{line}\n{}\n{}",
            outcome.stdout, outcome.stderr
        );
        assert!(
            work.path().join("modelci-report/report.md").is_file(),
            "{line}"
        );
        ran += 1;
    }
    assert_eq!(ran, 5, "the README's five commands");
    assert!(work.path().join("reference.json").is_file());
}
