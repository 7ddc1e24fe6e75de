//! `publish`: versioned, checksummed model bundles and releases.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = publish::Args::parse();
    modelci_cli::finish("publish", publish::run(&args))
}
