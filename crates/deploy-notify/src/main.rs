//! `deploy-notify`: record a deployment, smoke-check it, tell people.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = deploy_notify::Args::parse();
    modelci_cli::finish("deploy-notify", deploy_notify::run(&args))
}
