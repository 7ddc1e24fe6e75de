//! The shared flag groups (output, posting, model running: `modelci_cli::flags`) read the same in
//! all six binaries: every binary that flattens a group shows each of the group's sections
//! exactly as the group alone renders it, and a flag named like one of a group's flags, wherever
//! it appears, is that flag, word for word, unless it is one of the few listed below that mean
//! something else (each listed with why, and checked to still differ).

use std::collections::BTreeMap;

use clap::{Args as _, Command, CommandFactory as _};
use modelci_cli::flags::ModelArgs;
use modelci_cli::{OutputArgs, PostArgs};

/// Flags that share a name with a group's flag but are a different flag, with the reason.
const DIFFERENT_ON_PURPOSE: &[(&str, &str, &str)] = &[
    (
        "publish",
        "--output-dir",
        "the bundle's folder (default modelci-bundle); publish writes no report",
    ),
    (
        "publish",
        "--layout",
        "the serving layout of the bundle and image (plain, triton, mlserver); publish runs no model, so it has no input memory layout",
    ),
    (
        "deploy-notify",
        "--strict",
        "also turns failed webhooks into exit 3; deploy-notify posts no report comment",
    ),
    (
        "publish",
        "--layout",
        "the bundle's serving layout (plain, triton, mlserver), not the model input's memory order",
    ),
    (
        "deploy-notify",
        "--engine",
        "runs only the smoke check's local model and requires --smoke-endpoint",
    ),
];

/// One help text as sections: heading → flag entries (whitespace collapsed, since clap aligns
/// and wraps each help by its own longest flag). Options without a heading are under `Options`.
fn sections(help: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut heading: Option<String> = None;
    for line in help.lines() {
        if !line.starts_with(' ') && line.trim_end().ends_with(':') && !line.trim().is_empty() {
            heading = Some(line.trim_end().trim_end_matches(':').to_owned());
            continue;
        }
        if !line.is_empty() && !line.starts_with(' ') {
            heading = None;
            continue;
        }
        let Some(h) = &heading else { continue };
        let trimmed = line.trim();
        let flags = out.entry(h.clone()).or_default();
        // A flag starts at clap's flag indentation (2 spaces, 6 without a short flag); its help
        // is indented deeper, and a wrapped help line may itself start with `--flag`.
        let indent = line.len() - line.trim_start().len();
        if trimmed.starts_with('-') && indent <= 6 {
            flags.push(trimmed.to_owned());
        } else if let Some(last) = flags.last_mut()
            && !trimmed.is_empty()
        {
            last.push(' ');
            last.push_str(trimmed);
        }
    }
    for flags in out.values_mut() {
        for f in flags.iter_mut() {
            *f = f.split_whitespace().collect::<Vec<_>>().join(" ");
        }
    }
    out
}

/// The long flag an entry documents: `--post`, `--output-dir`.
fn long_name(entry: &str) -> Option<&str> {
    entry
        .split([' ', ','])
        .find(|w| w.starts_with("--"))
        .map(|w| w.trim_end_matches(','))
}

/// The long help without the examples after the options (their command lines are not flags).
fn long_help(command: Command) -> String {
    command
        .after_long_help(None::<&str>)
        .after_help(None::<&str>)
        .render_long_help()
        .to_string()
}

/// Every binary's long help, as users see it.
fn binaries() -> Vec<(&'static str, String)> {
    vec![
        ("eval-diff", long_help(eval_diff::Args::command())),
        ("train-check", long_help(train_check::Args::command())),
        ("quantize", long_help(quantize::Args::command())),
        ("publish", long_help(publish::Args::command())),
        ("deploy-notify", long_help(deploy_notify::Args::command())),
        ("drift-check", long_help(drift_check::Args::command())),
    ]
}

/// The shared groups, each rendered alone.
fn groups() -> Vec<(&'static str, BTreeMap<String, Vec<String>>)> {
    // A group rendered alone also shows clap's own `--help` under `Options`: not the group's.
    let render = |command: Command| {
        let mut shown = sections(&long_help(command));
        shown.remove("Options");
        shown
    };
    vec![
        (
            "output",
            render(OutputArgs::augment_args(Command::new("g"))),
        ),
        ("posting", render(PostArgs::augment_args(Command::new("g")))),
        (
            "model running",
            render(ModelArgs::augment_args(Command::new("g"))),
        ),
    ]
}

/// Which binaries flatten which group: asserted, so a binary that drops a group (or copies its
/// flags instead) fails here.
const USES: &[(&str, &[&str])] = &[
    ("eval-diff", &["output", "posting", "model running"]),
    ("train-check", &["output", "posting", "model running"]),
    ("quantize", &["output", "posting", "model running"]),
    ("drift-check", &["output", "posting"]),
    ("publish", &[]),
    ("deploy-notify", &[]),
];

#[test]
fn every_binary_shows_each_shared_group_as_the_group_renders_it() {
    let groups = groups();
    for (name, help) in binaries() {
        let shown = sections(&help);
        let uses = USES
            .iter()
            .find(|(b, _)| *b == name)
            .map(|(_, g)| *g)
            .expect("every binary is listed in USES");
        for (group, group_sections) in &groups {
            if !uses.contains(group) {
                continue;
            }
            for (heading, expected) in group_sections {
                assert!(!expected.is_empty(), "the {group} group renders {heading}");
                let flags = shown.get(heading).unwrap_or_else(|| {
                    panic!("{name} --help has no {heading} section ({group} flags):\n{help}")
                });
                let start = flags
                    .iter()
                    .position(|f| *f == expected[0])
                    .unwrap_or_else(|| {
                        panic!(
                            "{name} --help lacks {:?} under {heading}:\n{help}",
                            expected[0]
                        )
                    });
                assert_eq!(
                    flags[start..(start + expected.len()).min(flags.len())],
                    expected[..],
                    "{name}'s {heading} flags differ from the shared {group} group"
                );
            }
        }
    }
}

#[test]
fn a_flag_named_like_a_shared_one_is_the_shared_one() {
    let mut shared: BTreeMap<String, (String, &str)> = BTreeMap::new();
    for (group, group_sections) in groups() {
        for entry in group_sections.into_values().flatten() {
            if let Some(flag) = long_name(&entry) {
                shared.insert(flag.to_owned(), (entry.clone(), group));
            }
        }
    }
    assert!(shared.contains_key("--comment-mode") && shared.contains_key("--engine"));
    let mut seen = Vec::new();
    for (name, help) in binaries() {
        for entry in sections(&help).into_values().flatten() {
            let Some(flag) = long_name(&entry) else {
                continue;
            };
            let Some((expected, group)) = shared.get(flag) else {
                continue;
            };
            let listed = DIFFERENT_ON_PURPOSE
                .iter()
                .find(|(b, f, _)| *b == name && *f == flag);
            match listed {
                Some((_, _, why)) => {
                    seen.push((name, flag.to_owned()));
                    assert_ne!(
                        &entry, expected,
                        "{name} {flag} now matches the {group} group ({why}): take it off the list"
                    );
                }
                None => assert_eq!(
                    &entry, expected,
                    "{name} {flag} is written again instead of coming from the {group} group"
                ),
            }
        }
    }
    for (name, flag, _) in DIFFERENT_ON_PURPOSE {
        assert!(
            seen.contains(&(*name, (*flag).to_owned())),
            "{name} has no {flag} any more: take it off the list"
        );
    }
}

#[test]
fn the_sections_hold_the_flags_users_look_for() {
    for (name, help) in binaries() {
        let shown = sections(&help);
        let text = |heading: &str| shown.get(heading).map(|f| f.join("\n")).unwrap_or_default();
        if ["eval-diff", "train-check", "quantize", "drift-check"].contains(&name) {
            let posting = text("Posting");
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
            assert!(text("Output").contains("--output-dir <DIR>"), "{name}");
        }
        if ["eval-diff", "train-check", "quantize"].contains(&name) {
            let data = text("Data");
            for flag in ["--layout <LAYOUT>", "--image-size <WxH>", "--mean", "--std"] {
                assert!(data.contains(flag), "{name} lacks {flag}:\n{data}");
            }
            assert!(text("Engine").contains("--jobs <N>"), "{name}");
        }
    }
}
