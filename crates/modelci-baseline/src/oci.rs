//! `oci://HOST/REPO:TAG`: the artifact `publish` pushes (bundle zip, `SHA256SUMS`,
//! `manifest.json`), pulled with [`modelci_oci`].

use modelci_bundle::Manifest;
use modelci_bundle::manifest::MANIFEST;
use modelci_oci::{Client, Credentials, OciError, Reference};

use crate::{Baseline, BaselineError, Context, from_bundle};

/// Pulls the artifact and returns its bundle's model.
pub(crate) fn fetch(origin: &str, text: &str, ctx: &Context) -> Result<Baseline, BaselineError> {
    let reference: Reference = text
        .parse()
        .map_err(|e: OciError| BaselineError::input(origin, e.to_string()))?;
    let client = Client::new(Credentials::from_lookup(|n| {
        ctx.env.get(n).map(str::to_owned)
    }));
    let dir = tempfile::tempdir().map_err(|e| {
        BaselineError::input(origin, format!("cannot create a temporary folder: {e}"))
    })?;
    let mut attempts = modelci_ci::retry::Attempts::new(&ctx.retry);
    let files = loop {
        match client.pull_to_dir(&reference, dir.path()) {
            Ok(files) => break files,
            Err(e) => {
                let host = matches!(e, OciError::Unreachable { .. } | OciError::Status { .. });
                if host && attempts.wait(None) {
                    continue;
                }
                return Err(if host {
                    BaselineError::host(origin, e.to_string())
                } else {
                    BaselineError::input(origin, e.to_string())
                });
            }
        }
    };
    let manifest: Option<Manifest> = files
        .iter()
        .find(|p| p.file_name().is_some_and(|n| n == MANIFEST))
        .and_then(|p| std::fs::read(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok());
    let zip = files
        .iter()
        .find(|p| {
            p.file_name().is_some_and(|n| match &manifest {
                Some(m) => n.to_string_lossy() == m.zip_name(),
                None => n.to_string_lossy().ends_with(".zip"),
            })
        })
        .cloned()
        .ok_or_else(|| {
            BaselineError::input(
                origin,
                "the artifact holds no modelci bundle (NAME-VERSION.zip)",
            )
        })?;
    from_bundle(
        origin,
        reference.to_string(),
        "oci",
        manifest.as_ref(),
        None,
        ctx,
        &|| {
            std::fs::read(&zip).map_err(|e| {
                BaselineError::input(origin, format!("cannot read the pulled bundle: {e}"))
            })
        },
    )
}
