//! `--kserve-manifest`: the InferenceService validated against KServe's CRD schema
//! (tests/fixtures/kserve, the v1beta1 openAPIV3Schema of KServe's CRD, Apache-2.0), with unknown
//! fields refused as `kubectl apply --validate=strict` refuses them. Kubernetes itself cannot
//! run here; `--dry-run` builds the image (and so its digest) without a registry.

use std::path::Path;

use serde_json::Value;

use crate::harness::{bundle_args, publish, refs, with};
use crate::image::busybox_dir;

/// The CRD schema, every object with `properties` closed to other fields unless Kubernetes
/// keeps unknown fields there (`x-kubernetes-preserve-unknown-fields`).
fn crd_schema() -> (boon::Schemas, boon::SchemaIndex) {
    fn close(v: &mut Value) {
        match v {
            Value::Object(map) => {
                let keeps = map
                    .get("x-kubernetes-preserve-unknown-fields")
                    .is_some_and(|k| k == true);
                if map.contains_key("properties")
                    && !map.contains_key("additionalProperties")
                    && !keeps
                {
                    map.insert("additionalProperties".into(), Value::Bool(false));
                }
                for (key, child) in map.iter_mut() {
                    // Property names are data, not keywords: recurse into their schemas.
                    if key != "enum" && key != "required" {
                        close(child);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(close),
            _ => {}
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kserve/inferenceservice-v1beta1.schema.json");
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("JSON");
    close(&mut schema);
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let url = "https://kserve.github.io/crd/inferenceservice-v1beta1.json";
    compiler.add_resource(url, schema).expect("resource");
    let index = compiler
        .compile(url, &mut schemas)
        .expect("CRD schema compiles");
    (schemas, index)
}

fn manifest(work: &Path, extra: &[&str]) -> (crate::harness::Outcome, Option<Value>) {
    let Some(busybox) = busybox_dir() else {
        panic!("checked by the caller")
    };
    let out = work.join("isvc.yaml");
    let _ = std::fs::remove_file(&out);
    let args = with(
        &bundle_args(&work.join("out"), "1.2.0"),
        &[
            &[
                "--to",
                "oci://registry.example.com/ml/digits",
                "--as",
                "image",
                "--busybox",
                &format!("amd64={}", busybox.join("amd64/busybox").display()),
                "--dry-run",
                "--kserve-manifest",
                out.to_str().expect("utf-8"),
            ][..],
            extra,
        ]
        .concat(),
    );
    let r = publish(work, &[], &refs(&args));
    let yaml = std::fs::read_to_string(&out)
        .ok()
        .map(|text| serde_norway::from_str::<Value>(&text).expect("YAML"));
    (r, yaml)
}

#[test]
fn triton_and_mlserver_services_follow_the_crd() {
    if busybox_dir().is_none() {
        return;
    }
    let work = tempfile::tempdir().expect("temp dir");
    let (schemas, index) = crd_schema();

    let (r, isvc) = manifest(
        work.path(),
        &[
            "--layout",
            "triton",
            "--kserve-cpu",
            "1",
            "--kserve-memory",
            "2Gi",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let isvc = isvc.expect("manifest written");
    if let Err(e) = schemas.validate(&isvc, index) {
        panic!("not a valid InferenceService: {e:#}\n{isvc:#}");
    }
    assert_eq!(isvc["apiVersion"], "serving.kserve.io/v1beta1");
    assert_eq!(isvc["kind"], "InferenceService");
    assert_eq!(isvc["metadata"]["name"], "digits");
    let model = &isvc["spec"]["predictor"]["model"];
    assert_eq!(model["modelFormat"]["name"], "onnx");
    assert_eq!(model["protocolVersion"], "v2");
    assert_eq!(model["runtime"], "kserve-tritonserver");
    assert_eq!(model["resources"]["limits"]["memory"], "2Gi");
    assert_eq!(model["resources"]["requests"]["cpu"], "1");
    // Pinned to the image --dry-run reports.
    let uri = model["storageUri"].as_str().expect("storageUri");
    assert!(
        uri.starts_with("oci://registry.example.com/ml/digits:1.2.0@sha256:"),
        "{uri}"
    );
    let digest = uri.rsplit_once('@').expect("digest").1;
    assert!(r.stdout.contains(digest), "{}", r.stdout);

    let (r, isvc) = manifest(
        work.path(),
        &[
            "--layout",
            "mlserver",
            "--kserve-name",
            "digits-v1",
            "--kserve-namespace",
            "ml",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let isvc = isvc.expect("manifest written");
    assert!(schemas.validate(&isvc, index).is_ok(), "{isvc:#}");
    assert_eq!(
        isvc["spec"]["predictor"]["model"]["runtime"],
        "kserve-mlserver"
    );
    assert_eq!(isvc["metadata"]["namespace"], "ml");
    assert!(
        isvc["spec"]["predictor"]["model"]
            .get("resources")
            .is_none()
    );

    // The validation can fail: a misspelt field and a wrong type are refused.
    let mut typo = isvc.clone();
    typo["spec"]["predictor"]["model"]["storageURI"] = "oci://x/y:1".into();
    assert!(schemas.validate(&typo, index).is_err());
    let mut wrong = isvc;
    wrong["spec"]["predictor"]["minReplicas"] = "two".into();
    assert!(schemas.validate(&wrong, index).is_err());
}

#[test]
fn a_manifest_kserve_cannot_serve_is_refused() {
    if busybox_dir().is_none() {
        return;
    }
    let work = tempfile::tempdir().expect("temp dir");
    for (extra, message) in [
        (
            &["--layout", "plain"][..],
            "--kserve-manifest needs --layout triton or --layout mlserver",
        ),
        (
            &["--layout", "triton", "--kserve-memory", "2GB"][..],
            "--kserve-memory \"2GB\": not a Kubernetes quantity",
        ),
        (
            &["--layout", "triton", "--kserve-name", "Digits"][..],
            "--kserve-name \"Digits\": Kubernetes wants lower-case letters",
        ),
    ] {
        let (r, isvc) = manifest(work.path(), extra);
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{extra:?}: {}", r.stderr);
        assert!(isvc.is_none(), "{extra:?}: no manifest written");
    }
    let r = publish(
        work.path(),
        &[],
        &refs(&with(
            &bundle_args(&work.path().join("out"), "1.2.0"),
            &["--layout", "triton", "--kserve-manifest", "x.yaml"],
        )),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "--kserve-manifest needs the image KServe mounts: --to oci://HOST/REPO --as image"
        ),
        "{}",
        r.stderr
    );
}
