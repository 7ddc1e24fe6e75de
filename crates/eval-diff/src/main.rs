//! `eval-diff`: baseline vs candidate on a dataset, with a report and gates.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match modelci_cli::sanitize::parse_args::<eval_diff::Args>("eval-diff") {
        Ok(args) => args,
        Err(code) => return code,
    };
    modelci_cli::finish("eval-diff", eval_diff::run(&args))
}
