//! `train-check`: a quality gate on a training run.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = train_check::Args::parse();
    modelci_cli::finish("train-check", train_check::run_and_deliver(&args))
}
