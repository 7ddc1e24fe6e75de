//! One sanitiser for everything a binary prints that comes from data (see `docs/limits.md`).
//! The sanitiser itself lives in `modelci_ci::sanitize` (so the libraries that print, such as
//! `modelci-post`, use it too); this module adds the command-line side: usage errors as one
//! line.
//!
//! File names, class folders, model names and flag values can hold newlines and control
//! characters. Printed raw, a newline starts a new log line, and a line that starts with `::`
//! is a GitHub Actions workflow command (`::error title=INJECTED::pwned`); escape sequences
//! can rewrite a terminal. [`sanitize`] shows every control character escaped (`\n`, `\r`,
//! `\t`, `\u{1b}`), along with Unicode line and paragraph separators and bidirectional
//! overrides, and cuts text longer than [`MAX_LINE_CHARS`] with `…`, so one message is always
//! one bounded line.

pub use modelci_ci::sanitize::{MAX_LINE_CHARS, sanitize};

/// A clap error as one line, `unexpected argument '--x' found (see `TOOL --help`)`: the first
/// paragraph of clap's message without its `error: ` prefix, sanitised.
#[must_use]
pub fn usage_line(tool: &str, clap_message: &str) -> String {
    let first = clap_message
        .trim_end()
        .split("\n\n")
        .next()
        .unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    format!("{} (see `{tool} --help`)", sanitize(first.trim_end()))
}

/// Parses the command line into `P`; a usage error is printed as one line on standard error
/// (`TOOL: error: … (see `TOOL --help`)`) and becomes `Err` with exit code 2, `--help` and
/// `--version` are printed in full and become `Err` with exit code 0.
///
/// # Errors
/// The exit code to return from `main` when the program must not run.
pub fn parse_args<P: clap::Parser>(tool: &str) -> Result<P, std::process::ExitCode> {
    use std::io::Write as _;
    match P::try_parse() {
        Ok(args) => Ok(args),
        Err(e) if !e.use_stderr() => {
            // `--help` and `--version`: nothing sensible is left to do if stdout is gone.
            let _ = e.print();
            Err(std::process::ExitCode::SUCCESS)
        }
        Err(e) => {
            let line = usage_line(tool, &e.to_string());
            let _ = writeln!(std::io::stderr().lock(), "{tool}: error: {line}");
            Err(std::process::ExitCode::from(crate::exit::BAD_INPUT))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_are_one_line() {
        let clap = "error: unexpected argument '--x\n::error::y' found\n\n  tip: to pass '--x' as a value, use '-- --x'\n\nUsage: t [OPTIONS]\n\nFor more information, try '--help'.\n";
        assert_eq!(
            usage_line("t", clap),
            "unexpected argument '--x\\n::error::y' found (see `t --help`)"
        );
    }
}
