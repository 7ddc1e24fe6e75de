//! `publish`: turn a vetted model into a versioned artifact that deployment pulls (issue 6).
//!
//! The binary's `main.rs` parses [`Args`] and calls [`run`]. A run:
//! 1. checks every input before any work: semver version, bundle name, `--to` targets, files;
//! 2. builds the deterministic bundle with [`modelci_bundle`] into `--output-dir`
//!    (`NAME-VERSION.zip`, `SHA256SUMS`, `manifest.json`), then verifies it;
//! 3. publishes it to each `--to` target in order ([`targets`]): a folder, a GitHub Release, a
//!    GitLab generic package + release (both through [`modelci_forge::releases`], idempotent on
//!    rerun), an OCI registry ([`modelci_oci`]) — or, with `--dry-run`, prints the plan and
//!    sends no request;
//! 4. prints a summary (or `--json`) and writes CI step outputs ([`summary`]).
//!
//! `--layout triton|mlserver` adds a serving layout ([`modelci_serving`]) to the bundle under
//! `serving/`; `--to oci://… --as image` pushes the layout as a KServe modelcar image (the
//! `image` module) instead of the artifact; `--kserve-manifest FILE` writes the KServe
//! `InferenceService` that serves that image (the `kserve` module).
//!
//! A drift reference (`--drift-reference`, or the one `--report` names: eval-diff
//! `--reference-stats`) is validated and bundled as `drift-reference.json` (the `drift` module).
//!
//! `publish verify BUNDLE.zip` checks a bundle ([`verify_cmd`]): exit 0 when good, 1 when a
//! checksum, the manifest or an entry name (zip slip) is wrong, 2 when it is not a bundle.

mod args;
mod dir;
mod drift;
mod hosts;
mod image;
mod kserve;
mod layout;
mod oci;
mod run;
mod source;
pub mod summary;
pub mod targets;
mod verify_cmd;

pub use args::{Args, Command};
pub use run::run;
