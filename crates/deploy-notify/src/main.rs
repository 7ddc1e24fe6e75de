//! `deploy-notify`: record a deployment, smoke-check it, tell people.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match modelci_cli::sanitize::parse_args::<deploy_notify::Args>("deploy-notify") {
        Ok(args) => args,
        Err(code) => return code,
    };
    modelci_cli::finish("deploy-notify", deploy_notify::run(&args))
}
