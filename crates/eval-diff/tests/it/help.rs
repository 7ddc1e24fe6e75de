//! The posting, output and model-running flags of eval-diff, train-check and quantize come from
//! one definition each (`modelci_cli::flags`): every binary's `--help` shows each shared group
//! exactly as the group alone renders it.

use clap::{Args as _, Command, CommandFactory as _};
use modelci_cli::flags::ModelArgs;
use modelci_cli::{OutputArgs, PostArgs};

/// The lines of the section under `heading` in a long help text, whitespace collapsed (clap
/// aligns and wraps each help by its own longest flag).
fn section(help: &str, heading: &str) -> Vec<String> {
    let mut lines = help
        .lines()
        .skip_while(|l| l.trim_end() != format!("{heading}:"));
    lines.next();
    let text: Vec<&str> = lines
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .collect();
    // One entry per flag: a flag starts at the left margin's indentation with `-`.
    let mut flags: Vec<String> = Vec::new();
    for line in text {
        let trimmed = line.trim();
        if trimmed.starts_with('-') {
            flags.push(trimmed.to_owned());
        } else if let Some(last) = flags.last_mut()
            && !trimmed.is_empty()
        {
            last.push(' ');
            last.push_str(trimmed);
        }
    }
    flags
        .into_iter()
        .map(|f| f.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn long_help(mut command: Command) -> String {
    command.render_long_help().to_string()
}

fn binaries() -> [(&'static str, String); 3] {
    [
        ("eval-diff", long_help(eval_diff::Args::command())),
        ("train-check", long_help(train_check::Args::command())),
        ("quantize", long_help(quantize::Args::command())),
    ]
}

fn assert_group(heading: &str, group: Command) {
    let expected = section(&long_help(group), heading);
    assert!(
        expected.len() >= 2,
        "the {heading} group renders its flags: {expected:?}"
    );
    for (name, help) in binaries() {
        let shown = section(&help, heading);
        let start = shown
            .iter()
            .position(|f| *f == expected[0])
            .unwrap_or_else(|| {
                panic!(
                    "{name} --help lacks {:?} under {heading}:\n{help}",
                    expected[0]
                )
            });
        assert_eq!(
            shown[start..(start + expected.len()).min(shown.len())],
            expected[..],
            "{name}'s {heading} flags differ from the shared definition"
        );
    }
}

#[test]
fn posting_flags_are_the_same_in_every_posting_binary() {
    assert_group("Posting", PostArgs::augment_args(Command::new("group")));
}

#[test]
fn output_flags_are_the_same_in_every_binary_that_writes_a_report() {
    assert_group("Output", OutputArgs::augment_args(Command::new("group")));
}

#[test]
fn model_running_flags_are_the_same_in_every_binary_that_runs_models() {
    assert_group("Data", ModelArgs::augment_args(Command::new("group")));
}

#[test]
fn the_sections_hold_the_flags_users_look_for() {
    for (name, help) in binaries() {
        let posting = section(&help, "Posting").join("\n");
        for flag in [
            "--post",
            "--no-post",
            "--comment-mode <MODE>",
            "--comment-key <KEY>",
            "--strict",
            "--image-branch <BRANCH>",
        ] {
            assert!(posting.contains(flag), "{name} lacks {flag}:\n{posting}");
        }
        let data = section(&help, "Data").join("\n");
        for flag in ["--layout <LAYOUT>", "--image-size <WxH>", "--mean", "--std"] {
            assert!(data.contains(flag), "{name} lacks {flag}:\n{data}");
        }
    }
}
