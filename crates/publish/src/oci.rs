//! `oci://HOST/REPO`: the bundle as an ORAS-compatible OCI artifact tagged with the version,
//! through [`modelci_oci`]: one layer per file (the zip, `SHA256SUMS`, `manifest.json`, each
//! titled with its file name), `manifest.json` as the config blob, and the version, creation
//! time, source and revision as manifest annotations. Credentials come from
//! `MODELCI_OCI_USERNAME`/`MODELCI_OCI_PASSWORD` or `MODELCI_OCI_TOKEN`.

use std::collections::BTreeMap;

use anyhow::anyhow;
use modelci_bundle::Built;
use modelci_cli::Failure;
use modelci_oci::{
    ArtifactFile, BUNDLE_ARTIFACT_TYPE, CREATED_ANNOTATION, Client, Credentials, OciError,
    PushRequest, Pushed, REVISION_ANNOTATION, Reference, SOURCE_ANNOTATION, VERSION_ANNOTATION,
};

/// Pushes `built` to `repository` (`HOST[:PORT]/REPO`) under tag VERSION.
pub(crate) fn publish(repository: &str, built: &Built) -> Result<Pushed, Failure> {
    let m = &built.manifest;
    let reference: Reference = format!("oci://{repository}:{}", m.version)
        .parse()
        .map_err(|e: OciError| Failure::bad_input(anyhow!("--to oci://{repository}: {e}")))?;
    let config = std::fs::read(&built.manifest_path).map_err(|e| {
        Failure::bad_input(anyhow!(
            "{}: cannot read: {e}",
            built.manifest_path.display()
        ))
    })?;
    let annotations = annotations(m);
    let request = PushRequest {
        artifact_type: BUNDLE_ARTIFACT_TYPE.to_owned(),
        files: vec![
            ArtifactFile::new(built.zip.clone(), "application/zip"),
            ArtifactFile::new(built.sums.clone(), "text/plain"),
            ArtifactFile::new(built.manifest_path.clone(), "application/json"),
        ],
        annotations,
        config: Some(config),
    };
    Client::new(Credentials::from_env())
        .push(&reference, &request)
        .map_err(|e| match e {
            OciError::InvalidReference { .. }
            | OciError::MissingTag { .. }
            | OciError::ReadFile { .. }
            | OciError::WriteFile { .. }
            | OciError::UnsafeTitle { .. }
            | OciError::DuplicateTitle { .. } => Failure::bad_input(e),
            other => Failure::forge(other),
        })
}

/// The manifest annotations of a release: version, creation time, revision and source.
pub(crate) fn annotations(m: &modelci_bundle::Manifest) -> BTreeMap<String, String> {
    let mut annotations = BTreeMap::new();
    annotations.insert(VERSION_ANNOTATION.to_owned(), m.version.clone());
    if let Some(created) = &m.created {
        annotations.insert(CREATED_ANNOTATION.to_owned(), created.clone());
    }
    if let Some(commit) = &m.source.commit {
        annotations.insert(REVISION_ANNOTATION.to_owned(), commit.clone());
    }
    if let Some(repo) = &m.source.repository {
        annotations.insert(SOURCE_ANNOTATION.to_owned(), repo.clone());
    }
    annotations
}
