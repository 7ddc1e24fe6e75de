//! Progress for long runs: a bar on a terminal, a plain line every few seconds otherwise.
//!
//! CI logs are not terminals; a redrawn bar there turns into thousands of lines, so when
//! standard error is not a terminal we print `label: done/total (pct%)` at most every
//! [`PLAIN_INTERVAL`], and a final line.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often a plain progress line is printed when standard error is not a terminal.
pub const PLAIN_INTERVAL: Duration = Duration::from_secs(5);

/// Reports how many items of a known or unknown total are done.
#[derive(Debug)]
pub struct Progress {
    label: String,
    total: Option<u64>,
    done: u64,
    sink: Sink,
}

#[derive(Debug)]
enum Sink {
    Bar(ProgressBar),
    Plain { last: Instant, started: Instant },
    Quiet,
}

impl Progress {
    /// Starts progress reporting for `label` on standard error.
    ///
    /// `quiet` turns it off entirely.
    #[must_use]
    pub fn new(label: &str, total: Option<u64>, quiet: bool) -> Self {
        let sink = if quiet {
            Sink::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = match total {
                Some(total) => {
                    ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
                }
                None => ProgressBar::new_spinner(),
            };
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(label.to_owned());
            Sink::Bar(bar)
        } else {
            let now = Instant::now();
            Sink::Plain {
                last: now,
                started: now,
            }
        };
        Self {
            label: label.to_owned(),
            total,
            done: 0,
            sink,
        }
    }

    /// Records `n` more items done.
    pub fn advance(&mut self, n: u64) {
        self.done += n;
        match &mut self.sink {
            Sink::Bar(bar) => bar.inc(n),
            Sink::Plain { last, .. } => {
                if last.elapsed() >= PLAIN_INTERVAL {
                    *last = Instant::now();
                    self.print_plain();
                }
            }
            Sink::Quiet => {}
        }
    }

    /// Ends progress reporting.
    pub fn finish(self) {
        match &self.sink {
            Sink::Bar(bar) => bar.finish_and_clear(),
            Sink::Plain { started, .. } if started.elapsed() >= PLAIN_INTERVAL => {
                self.print_plain()
            }
            Sink::Plain { .. } | Sink::Quiet => {}
        }
    }

    fn print_plain(&self) {
        let line = match self.total {
            Some(total) if total > 0 => {
                #[allow(clippy::cast_precision_loss)]
                let pct = self.done as f64 * 100.0 / total as f64;
                format!("{}: {}/{} ({pct:.0}%)", self.label, self.done, total)
            }
            _ => format!("{}: {}", self.label, self.done),
        };
        // The label names a dataset or model: one escaped line.
        let _ = writeln!(std::io::stderr().lock(), "{}", crate::sanitize(&line));
    }
}
