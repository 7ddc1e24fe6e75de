//! Every "give it with --FLAG" hint a binary can print must name a flag that binary has
//! (issue 15: train-check and quantize told users to pass `--image-size`, which they lacked).
//!
//! [`hints`] reads the source of a binary crate and of the workspace libraries whose messages
//! it prints about running models (`modelci-eval`, …), and collects the flags named after a
//! hint verb (`with`, `use`, `pass`, `add`, `set`, `give`) in production code (test modules
//! are skipped); [`missing_from_help`] checks them against the binary's `--help`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Words that introduce a flag the user is told to give.
const VERBS: [&str; 6] = ["with", "use", "pass", "add", "set", "give"];

/// A flag named in a hint, and the file it is in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hint {
    /// The flag, with its dashes (`--image-size`).
    pub flag: String,
    /// The source file.
    pub file: PathBuf,
}

/// The hints in the crate at `crate_dir` and in the workspace `libraries` (e.g.
/// `modelci-eval`) it depends on.
///
/// # Panics
/// When a source folder or manifest cannot be read, or a library is not a dependency of the
/// crate (a test helper: the test fails).
#[must_use]
pub fn hints(crate_dir: &Path, libraries: &[&str]) -> BTreeSet<Hint> {
    let crates_dir = crate_dir.parent().expect("crates/ folder");
    let deps = workspace_dependencies(crate_dir);
    let mut dirs = vec![crate_dir.to_owned()];
    for lib in libraries {
        assert!(
            deps.iter().any(|d| d == lib),
            "{lib} is not a dependency of {}",
            crate_dir.display()
        );
        dirs.push(crates_dir.join(lib));
    }
    let mut found = BTreeSet::new();
    for dir in dirs {
        for file in rust_files(&dir.join("src")) {
            let text = std::fs::read_to_string(&file).expect("readable source");
            let production = text.split("#[cfg(test)]").next().unwrap_or_default();
            for flag in flags_after_verbs(production) {
                found.insert(Hint {
                    flag,
                    file: file.clone(),
                });
            }
        }
    }
    found
}

/// The hints whose flag does not appear in `help` (a binary's `--help` output).
#[must_use]
pub fn missing_from_help<'a>(hints: &'a BTreeSet<Hint>, help: &str) -> Vec<&'a Hint> {
    hints
        .iter()
        .filter(|h| {
            !help.match_indices(h.flag.as_str()).any(|(at, _)| {
                let after = help[at + h.flag.len()..].chars().next();
                !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
            })
        })
        .collect()
}

/// The whole check of one binary: runs `exe --help`, collects the hints of the crate at
/// `crate_dir` and of its workspace `libraries`, asserts that each flag of `expected` is among
/// them (so the scan really read those libraries), and that every hint's flag is in the help.
///
/// # Panics
/// When the binary does not start, an expected flag is not collected, or a hint names a flag
/// the binary lacks (the test fails, listing them).
pub fn assert_hints_are_flags(exe: &Path, crate_dir: &Path, libraries: &[&str], expected: &[&str]) {
    let name = exe.file_name().map_or_else(
        || exe.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let output = std::process::Command::new(exe)
        .arg("--help")
        .output()
        .expect("the binary's --help runs");
    let help = String::from_utf8_lossy(&output.stdout);
    let found = hints(crate_dir, libraries);
    for flag in expected {
        assert!(
            found.iter().any(|h| h.flag == *flag),
            "{flag} not collected: {found:#?}"
        );
    }
    let missing = missing_from_help(&found, &help);
    assert!(
        missing.is_empty(),
        "hints naming flags {name} lacks: {missing:#?}"
    );
}

fn flags_after_verbs(text: &str) -> Vec<String> {
    let mut flags = Vec::new();
    for (at, _) in text.match_indices(" --") {
        let before = text[..at]
            .rsplit([' ', '(', '"', '\n'])
            .next()
            .unwrap_or("");
        if !VERBS.contains(&before) {
            continue;
        }
        let flag: String = text[at + 1..]
            .chars()
            .enumerate()
            .take_while(|&(i, c)| i < 2 || c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            .map(|(_, c)| c)
            .collect();
        if flag.len() > 2 {
            flags.push(flag.trim_end_matches('-').to_owned());
        }
    }
    flags
}

/// The `modelci-*` crates in the `[dependencies]` table of the crate at `dir`.
fn workspace_dependencies(dir: &Path) -> Vec<String> {
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
    let mut in_deps = false;
    let mut deps = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps
            && let Some(name) = line.split(['.', ' ', '=']).next()
            && name.starts_with("modelci-")
        {
            deps.push(name.to_owned());
        }
    }
    deps
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_flags_after_hint_verbs_only() {
        let text = r#"format!("a dynamic size; give it with --image-size WxH (or pass --input-shape=..)"), "run git fetch --depth 1", "(use --layout)""#;
        assert_eq!(
            flags_after_verbs(text),
            ["--image-size", "--input-shape", "--layout"]
        );
    }

    #[test]
    fn a_flag_is_in_help_only_as_a_whole_word() {
        let hints: BTreeSet<Hint> = ["--image", "--image-size"]
            .into_iter()
            .map(|f| Hint {
                flag: f.to_owned(),
                file: PathBuf::from("x.rs"),
            })
            .collect();
        let missing = missing_from_help(&hints, "      --image-size <WxH>  Resize images");
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].flag, "--image");
    }
}
