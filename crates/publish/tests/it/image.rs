//! `--to oci://HOST/REPO --as image`: the KServe modelcar image pushed to a real CNCF registry
//! (Debian's `docker-registry`), pulled back per platform with `skopeo copy`, unpacked with
//! `umoci unpack` and checked file by file; its index, manifests and configs validated against
//! the OCI image-spec JSON schemas (tests/fixtures/image-spec, Apache-2.0); the same inputs give
//! the same digest. The busybox binaries come from Debian's busybox-static through
//! scripts/ci/oci-image.sh (`MODELCI_BUSYBOX_DIR`).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use modelci_oci::testing::{TestRegistry, external_program};
use serde_json::Value;

use crate::harness::{EPOCH, bundle_args, model, publish, refs, with};

/// `MODELCI_BUSYBOX_DIR` (with `amd64/busybox` and `arm64/busybox`), or `None` when the test
/// may skip.
pub fn busybox_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("MODELCI_BUSYBOX_DIR")
        .map(PathBuf::from)
        .filter(|d| d.join("amd64/busybox").is_file() && d.join("arm64/busybox").is_file());
    if dir.is_none() {
        let why = "MODELCI_BUSYBOX_DIR does not hold amd64/busybox and arm64/busybox: run `export MODELCI_BUSYBOX_DIR=\"$(scripts/ci/oci-image.sh | tail -n 1)\"`";
        assert!(
            std::env::var("MODELCI_REQUIRE_EXTERNAL").as_deref() != Ok("1"),
            "MODELCI_REQUIRE_EXTERNAL=1: {why}"
        );
        eprintln!("skipping: {why}");
    }
    dir
}

/// The image-spec schemas, `$ref`s resolved to the vendored files by file name.
struct Schemas {
    compiled: boon::Schemas,
    index: boon::SchemaIndex,
    manifest: boon::SchemaIndex,
    config: boon::SchemaIndex,
}

struct FixtureLoader;

impl boon::UrlLoader for FixtureLoader {
    fn load(&self, url: &str) -> Result<Value, Box<dyn std::error::Error>> {
        let name = url.rsplit('/').next().unwrap_or_default();
        let name = if name.ends_with(".json") {
            name.to_owned()
        } else {
            format!("{name}.json")
        };
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/image-spec")
            .join(name);
        Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
    }
}

fn schemas() -> Schemas {
    let mut compiled = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.use_loader(Box::new(FixtureLoader));
    let mut compile = |file: &str| {
        compiler
            .compile(
                &format!("https://opencontainers.org/schema/image/{file}"),
                &mut compiled,
            )
            .unwrap_or_else(|e| panic!("{file}: {e:#}"))
    };
    let index = compile("image-index-schema.json");
    let manifest = compile("image-manifest-schema.json");
    let config = compile("config-schema.json");
    Schemas {
        compiled,
        index,
        manifest,
        config,
    }
}

impl Schemas {
    fn check(&self, which: boon::SchemaIndex, doc: &Value, what: &str) {
        if let Err(e) = self.compiled.validate(doc, which) {
            panic!("{what} does not follow the OCI image-spec schema: {e:#}\n{doc:#}");
        }
    }
}

fn skopeo(args: &[&str]) -> Vec<u8> {
    let out = Command::new("skopeo")
        .args(args)
        .output()
        .expect("skopeo runs");
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("JSON")
}

/// Every file and link below `root`, relative, sorted.
fn tree(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            let kind = entry.file_type().expect("type");
            if kind.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).expect("below root");
                out.push(rel.display().to_string());
            }
        }
    }
    out.sort();
    out
}

fn zip_entry(zip: &Path, name: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).expect("zip")).expect("zip");
    let mut entry = archive.by_name(name).expect(name);
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).expect("read");
    bytes
}

#[test]
fn triton_modelcar_image_is_pulled_unpacked_and_valid_for_both_platforms() {
    let Some(registry) = TestRegistry::start() else {
        return;
    };
    if !external_program("skopeo") || !external_program("umoci") {
        return;
    }
    let Some(busybox) = busybox_dir() else {
        return;
    };
    let work = tempfile::tempdir().expect("temp dir");
    let image_args = |out: &str, repo: &str| {
        with(
            &bundle_args(&work.path().join(out), "1.2.0"),
            &[
                "--layout",
                "triton",
                "--to",
                &format!("oci://{}/{repo}", registry.addr()),
                "--as",
                "image",
                "--busybox",
                &format!("amd64={}", busybox.join("amd64/busybox").display()),
                "--busybox",
                &format!("arm64={}", busybox.join("arm64/busybox").display()),
                "--json",
            ],
        )
    };
    let vars = [("SOURCE_DATE_EPOCH", EPOCH.to_owned())];
    let first = publish(work.path(), &vars, &refs(&image_args("out", "ml/digits")));
    assert_eq!(first.code, 0, "{}", first.stderr);
    let first: Value = serde_json::from_str(&first.stdout).expect("JSON");
    let url = first["targets"][0]["url"].as_str().expect("url").to_owned();
    let digest = url.rsplit_once('@').expect("digest").1.to_owned();

    // Same inputs, another output folder and repository: the same image, byte for byte.
    let second = publish(work.path(), &vars, &refs(&image_args("out2", "ml/again")));
    assert_eq!(second.code, 0, "{}", second.stderr);
    let second: Value = serde_json::from_str(&second.stdout).expect("JSON");
    assert!(
        second["targets"][0]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with(&format!("@{digest}"))),
        "{second}"
    );

    let reference = format!("docker://{}/ml/digits:1.2.0", registry.addr());
    let raw_index = skopeo(&["inspect", "--raw", "--tls-verify=false", &reference]);
    assert_eq!(modelci_oci::sha256_digest(&raw_index), digest);
    let index = json(&raw_index);
    let schemas = schemas();
    schemas.check(schemas.index, &index, "the index");
    assert_eq!(
        index["annotations"]["org.opencontainers.image.version"],
        "1.2.0"
    );
    let platforms: Vec<&str> = index["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .map(|m| {
            m["platform"]["architecture"]
                .as_str()
                .expect("architecture")
        })
        .collect();
    assert_eq!(platforms, ["amd64", "arm64"]);

    let bundle = work.path().join("out/digits-1.2.0.zip");
    let config_pbtxt = zip_entry(&bundle, "serving/digits/config.pbtxt");
    assert!(String::from_utf8_lossy(&config_pbtxt).contains("platform: \"onnxruntime_onnx\""));
    let mut layers_seen = Vec::new();
    for arch in ["amd64", "arm64"] {
        let at = format!("docker://{}/ml/digits@", registry.addr());
        let entry = index["manifests"]
            .as_array()
            .expect("manifests")
            .iter()
            .find(|m| m["platform"]["architecture"] == arch)
            .expect("platform");
        let by_digest = format!("{at}{}", entry["digest"].as_str().expect("digest"));
        let manifest = json(&skopeo(&[
            "inspect",
            "--raw",
            "--tls-verify=false",
            &by_digest,
        ]));
        schemas.check(schemas.manifest, &manifest, "a manifest");
        // The schema check can fail: a digest that is no digest is refused.
        let mut broken = manifest.clone();
        broken["config"]["digest"] = "not a digest".into();
        assert!(
            schemas
                .compiled
                .validate(&broken, schemas.manifest)
                .is_err()
        );
        let config = json(&skopeo(&[
            "inspect",
            "--config",
            "--raw",
            "--tls-verify=false",
            &by_digest,
        ]));
        schemas.check(schemas.config, &config, "a config");
        assert_eq!(config["architecture"], arch);
        assert_eq!(config["created"], "2026-11-27T10:10:45Z");
        layers_seen.push(manifest["layers"][1]["digest"].clone());

        // Pull this platform into an OCI layout and unpack it.
        let layout = work.path().join("pulled");
        let pulled = format!("oci:{}:{arch}", layout.display());
        skopeo(&[
            "copy",
            "--src-tls-verify=false",
            "--override-arch",
            arch,
            &reference,
            &pulled,
        ]);
        let bundle_dir = work.path().join(format!("unpacked-{arch}"));
        let out = Command::new("umoci")
            .args(["unpack", "--rootless", "--image"])
            .arg(format!("{}:{arch}", layout.display()))
            .arg(&bundle_dir)
            .output()
            .expect("umoci runs");
        assert!(
            out.status.success(),
            "umoci unpack: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rootfs = bundle_dir.join("rootfs");
        assert_eq!(
            tree(&rootfs),
            [
                "bin/busybox",
                "bin/ln",
                "bin/sh",
                "bin/sleep",
                "models/digits/1/model.onnx",
                "models/digits/config.pbtxt",
            ]
        );
        assert_eq!(
            std::fs::read(rootfs.join("models/digits/1/model.onnx")).expect("model"),
            std::fs::read(model()).expect("model")
        );
        assert_eq!(
            std::fs::read(rootfs.join("models/digits/config.pbtxt")).expect("config"),
            config_pbtxt
        );
        assert_eq!(
            std::fs::read(rootfs.join("bin/busybox")).expect("busybox"),
            std::fs::read(busybox.join(arch).join("busybox")).expect("busybox")
        );
        for applet in ["sh", "sleep", "ln"] {
            assert_eq!(
                std::fs::read_link(rootfs.join("bin").join(applet)).expect("link"),
                Path::new("busybox")
            );
        }
        if arch == "amd64" && cfg!(target_arch = "x86_64") {
            // The shell a modelcar container runs works on this platform.
            let out = Command::new(rootfs.join("bin/sh"))
                .args(["-c", "echo modelcar"])
                .output()
                .expect("busybox sh runs");
            assert_eq!(String::from_utf8_lossy(&out.stdout), "modelcar\n");
        }
    }
    // The models layer is the same blob for both platforms.
    assert_eq!(layers_seen[0], layers_seen[1]);
}

#[test]
fn image_inputs_are_checked_before_anything_is_pushed() {
    let work = tempfile::tempdir().expect("temp dir");
    let base = bundle_args(&work.path().join("out"), "1.2.0");
    let oci = ["--to", "oci://127.0.0.1:9/ml/digits"];
    let run = |extra: &[&str]| publish(work.path(), &[], &refs(&with(&base, extra)));

    let r = run(&[&oci[..], &["--as", "image"]].concat());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--as image needs --busybox ARCH=PATH"),
        "{}",
        r.stderr
    );

    let r = run(&["--as", "image", "--busybox", "amd64=/bin/sh"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("needs a --to oci://HOST/REPO target"),
        "{}",
        r.stderr
    );

    let r = run(&[&oci[..], &["--as", "image", "--busybox", "riscv64=/bin/sh"]].concat());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("unknown architecture"), "{}", r.stderr);

    // A text file is no busybox: refused when the image is built, before the registry is asked.
    let fake = work.path().join("busybox");
    std::fs::write(&fake, "#!/bin/sh\n").expect("write");
    let arg = format!("amd64={}", fake.display());
    let r = run(&[&oci[..], &["--as", "image", "--busybox", &arg]].concat());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("not a 64-bit little-endian ELF binary"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);

    let two = with(&base, &["--model"]);
    let mut two = two;
    two.push(crate::harness::baseline_model().into());
    let r = publish(
        work.path(),
        &[],
        &refs(&with(&two, &["--layout", "triton"])),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--layout triton serves one model; got 2"),
        "{}",
        r.stderr
    );
}
