//! `eval-diff`: baseline vs candidate on a dataset, with a report and gates.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = eval_diff::Args::parse();
    modelci_cli::finish("eval-diff", eval_diff::run(&args))
}
