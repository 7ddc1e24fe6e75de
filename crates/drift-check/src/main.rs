//! `drift-check`: has production data drifted from the data the model was evaluated on?

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match modelci_cli::sanitize::parse_args::<drift_check::Args>("drift-check") {
        Ok(args) => args,
        Err(code) => return code,
    };
    modelci_cli::finish("drift-check", drift_check::run(&args))
}
