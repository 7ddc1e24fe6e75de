//! `--kserve-manifest FILE`: a KServe `InferenceService` (`serving.kserve.io/v1beta1`) for the
//! image just published.
//!
//! Why here and not in `deploy-notify`: the manifest needs what only this run knows — the image
//! reference and its digest, the serving layout inside it, the version — and it belongs to the
//! release, so it is written with the bundle; `deploy-notify` runs after `kubectl apply`, once the
//! service answers.
//!
//! The service: `storageUri` `oci://HOST/REPO:VERSION@sha256:…` (the image index just built,
//! pinned by digest; KServe mounts it as a "modelcar"), `modelFormat: onnx`,
//! `protocolVersion: v2` (the Open Inference Protocol that `deploy-notify --smoke-endpoint`
//! speaks), the runtime that reads the layout (`kserve-tritonserver` for `--layout triton`,
//! `kserve-mlserver` for `--layout mlserver`, or `--kserve-runtime`), and CPU and memory as both
//! request and limit from `--kserve-cpu` / `--kserve-memory`. Kubernetes cannot run in CI here:
//! the tests validate the manifest against KServe's CRD schema.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::anyhow;
use modelci_cli::Failure;
use modelci_serving::Layout;
use serde::Serialize;

use crate::args::Args;

/// What the manifest needs besides the image.
#[derive(Debug, Clone)]
pub(crate) struct ServiceSpec {
    name: String,
    namespace: Option<String>,
    runtime: String,
    resources: BTreeMap<String, String>,
}

/// Checks the `--kserve-*` flags before any work.
///
/// # Errors
/// Exit 2: no image to point at, the plain layout, a name or namespace Kubernetes refuses, a
/// CPU or memory quantity it cannot read.
pub(crate) fn plan(args: &Args, bundle_name: &str, image: bool) -> Result<ServiceSpec, Failure> {
    if !image {
        return Err(Failure::bad_input(anyhow!(
            "--kserve-manifest needs the image KServe mounts: --to oci://HOST/REPO --as image"
        )));
    }
    let layout: Layout = args.layout.into();
    let runtime = match (&args.kserve_runtime, layout) {
        (Some(r), _) => r.clone(),
        (None, Layout::Triton) => "kserve-tritonserver".to_owned(),
        (None, Layout::MlServer) => "kserve-mlserver".to_owned(),
        (None, Layout::Plain) => {
            return Err(Failure::bad_input(anyhow!(
                "--kserve-manifest needs --layout triton or --layout mlserver: KServe's runtimes read a model repository, not a bare model file"
            )));
        }
    };
    let name = args
        .kserve_name
        .clone()
        .unwrap_or_else(|| bundle_name.to_ascii_lowercase().replace(['.', '_'], "-"));
    check_label(&name, "--kserve-name", 63, true)?;
    check_label(&runtime, "--kserve-runtime", 253, false)?;
    if let Some(ns) = &args.kserve_namespace {
        check_label(ns, "--kserve-namespace", 63, false)?;
    }
    let mut resources = BTreeMap::new();
    for (key, value, flag) in [
        ("cpu", &args.kserve_cpu, "--kserve-cpu"),
        ("memory", &args.kserve_memory, "--kserve-memory"),
    ] {
        if let Some(v) = value {
            if !is_quantity(v) {
                return Err(Failure::bad_input(anyhow!(
                    "{flag} {v:?}: not a Kubernetes quantity (e.g. 500m, 1, 2Gi)"
                )));
            }
            resources.insert(key.to_owned(), v.clone());
        }
    }
    Ok(ServiceSpec {
        name,
        namespace: args.kserve_namespace.clone(),
        runtime,
        resources,
    })
}

/// A DNS label (RFC 1123; RFC 1035 — starting with a letter — when `letter_first`), at most
/// `max` characters.
fn check_label(text: &str, flag: &str, max: usize, letter_first: bool) -> Result<(), Failure> {
    let ok = !text.is_empty()
        && text.len() <= max
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !text.ends_with('-')
        && text
            .starts_with(|c: char| c.is_ascii_lowercase() || (!letter_first && c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(Failure::bad_input(anyhow!(
            "{flag} {text:?}: Kubernetes wants lower-case letters, digits and `-`, starting with a {} and at most {max} characters",
            if letter_first {
                "letter"
            } else {
                "letter or digit"
            }
        )))
    }
}

/// A Kubernetes resource quantity: a decimal number, then a binary (`Ki`…`Ei`) or decimal
/// (`n u m k M G T P E`) suffix or an exponent (`e3`).
fn is_quantity(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let number_len = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (number, suffix) = body.split_at(number_len);
    let number_ok = !number.is_empty()
        && number.matches('.').count() <= 1
        && number.chars().any(|c| c.is_ascii_digit());
    let exponent = |s: &str| {
        let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
    };
    let suffix_ok = matches!(
        suffix,
        "" | "Ki"
            | "Mi"
            | "Gi"
            | "Ti"
            | "Pi"
            | "Ei"
            | "n"
            | "u"
            | "m"
            | "k"
            | "M"
            | "G"
            | "T"
            | "P"
            | "E"
    ) || suffix.strip_prefix(['e', 'E']).is_some_and(exponent);
    number_ok && suffix_ok
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InferenceService<'a> {
    api_version: &'a str,
    kind: &'a str,
    metadata: Metadata<'a>,
    spec: Spec<'a>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    annotations: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
struct Spec<'a> {
    predictor: Predictor<'a>,
}

#[derive(Serialize)]
struct Predictor<'a> {
    model: ModelSpec<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ModelSpec<'a> {
    model_format: ModelFormat<'a>,
    protocol_version: &'a str,
    runtime: &'a str,
    storage_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<Resources<'a>>,
}

#[derive(Serialize)]
struct ModelFormat<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Resources<'a> {
    requests: &'a BTreeMap<String, String>,
    limits: &'a BTreeMap<String, String>,
}

/// The manifest's YAML for the image `repository:version@digest`.
///
/// # Errors
/// Exit 2 when the YAML cannot be encoded (it always can).
pub(crate) fn render(
    spec: &ServiceSpec,
    repository: &str,
    version: &str,
    digest: &str,
) -> Result<String, Failure> {
    let service = InferenceService {
        api_version: "serving.kserve.io/v1beta1",
        kind: "InferenceService",
        metadata: Metadata {
            name: &spec.name,
            namespace: spec.namespace.as_deref(),
            annotations: BTreeMap::from([("modelci.dev/version", version)]),
        },
        spec: Spec {
            predictor: Predictor {
                model: ModelSpec {
                    model_format: ModelFormat { name: "onnx" },
                    protocol_version: "v2",
                    runtime: &spec.runtime,
                    storage_uri: format!("oci://{repository}:{version}@{digest}"),
                    resources: (!spec.resources.is_empty()).then_some(Resources {
                        requests: &spec.resources,
                        limits: &spec.resources,
                    }),
                },
            },
        },
    };
    let yaml = serde_norway::to_string(&service)
        .map_err(|e| Failure::bad_input(anyhow!("cannot encode the InferenceService: {e}")))?;
    Ok(format!(
        "# KServe InferenceService for {} {version}, written by modelci publish.\n{yaml}",
        spec.name
    ))
}

/// Writes `text` to `path` atomically.
///
/// # Errors
/// Exit 2 when the file cannot be written.
pub(crate) fn write(path: &Path, text: &str) -> Result<(), Failure> {
    modelci_report::write_atomic(path, text.as_bytes())
        .map_err(|e| Failure::bad_input(anyhow!("--kserve-manifest {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        for ok in ["1", "500m", "0.5", "2Gi", "128Mi", "1e3", "1.5G", "+1"] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in ["", "two", "1GB", "1.2.3", "Gi", "1e", "-", "1 Gi"] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }
}
