//! `train-check`: a quality gate on a training run.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match modelci_cli::sanitize::parse_args::<train_check::Args>("train-check") {
        Ok(args) => args,
        Err(code) => return code,
    };
    modelci_cli::finish("train-check", train_check::run_and_deliver(&args))
}
