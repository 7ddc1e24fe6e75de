//! `publish`: versioned, checksummed model bundles and releases.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match modelci_cli::sanitize::parse_args::<publish::Args>("publish") {
        Ok(args) => args,
        Err(code) => return code,
    };
    modelci_cli::finish("publish", publish::run(&args))
}
