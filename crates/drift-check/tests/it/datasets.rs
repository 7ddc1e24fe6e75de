//! Issue 20: image folders and NumPy files as reference and current data, summarised by the
//! feature extraction eval-diff `--reference-stats` uses (the digits example's images).

use std::path::Path;

use crate::example::drift_check;

fn digits(name: &str) -> String {
    modelci_test::harness::digits(name)
        .to_str()
        .unwrap()
        .to_owned()
}

fn report(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

#[test]
fn an_npz_reference_and_the_same_images_as_a_folder_agree() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("r");
    let written = work.path().join("reference.json");
    let run = drift_check(
        &out,
        &[
            "--reference",
            &digits("test.npz"),
            "--write-reference",
            written.to_str().unwrap(),
            "--current",
            &digits("test"),
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let got = report(&out);
    let names: Vec<&str> = got["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    // The .npz's images have no file format: no 8-bit pixel distribution, the same means.
    assert_eq!(names.len(), 2, "{got}");
    assert!(names.contains(&"intensity_mean[gray]") && names.contains(&"image_size"));
    for feature in got["features"].as_array().unwrap() {
        assert_eq!(feature["psi"], 0.0, "{feature}");
    }
    let reference: modelci_drift::Reference =
        serde_json::from_slice(&std::fs::read(&written).unwrap()).unwrap();
    reference.validate().unwrap();
    assert_eq!(reference.rows, 360);
    assert!(reference.predictions.is_none(), "no model ran");
}

#[test]
fn a_dataset_whose_features_differ_from_the_reference_is_refused_naming_both() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("r");
    // The folder's reference has 8-bit pixel distributions the .npz cannot give.
    let run = drift_check(
        &out,
        &[
            "--reference",
            &digits("test"),
            "--current",
            &digits("test.npz"),
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let line = run.stderr.trim();
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.contains("test.npz"), "{line}");
    assert!(line.contains("\"pixel_intensity[gray]\""), "{line}");
    assert!(line.contains("do not match the reference's"), "{line}");
    assert!(!out.join("report.json").exists());

    // Tabular reference columns against images.
    let csv = modelci_test::harness::repo().join("examples/drift/reference.csv");
    let run = drift_check(
        &out,
        &[
            "--reference",
            csv.to_str().unwrap(),
            "--current",
            &digits("test"),
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("do not match"), "{}", run.stderr);
}

/// The checks of report.json by name: (state, detail).
fn checks(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["model"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["state"].as_str().unwrap().to_owned(),
                c["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_model_runs_on_an_npz_reference_and_current_with_their_labels() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("r");
    let written = work.path().join("reference.json");
    let run = drift_check(
        &out,
        &[
            "--reference",
            &digits("test.npz"),
            "--current",
            &digits("test.npz"),
            "--model",
            &digits("candidate.onnx"),
            "--write-reference",
            written.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let got = report(&out);
    for (name, state, detail) in checks(&got) {
        let expected = if name == "estimated accuracy" {
            "reported"
        } else {
            "ok"
        };
        assert_eq!(state, expected, "{name}: {detail}");
    }
    assert_eq!(got["model"]["prediction"]["psi"], 0.0, "{got}");
    assert_eq!(got["model"]["rows"], 360);
    // The candidate gets 359 of the 360 digits right (eval-diff's figure on the same data).
    let measured = &got["model"]["measured"];
    assert_eq!(measured["rows"], 360, "{measured}");
    assert!((measured["accuracy"].as_f64().unwrap() - 359.0 / 360.0).abs() < 1e-12);
    assert_eq!(measured["accuracy"], measured["reference"], "{measured}");
    let reference: modelci_drift::Reference =
        serde_json::from_slice(&std::fs::read(&written).unwrap()).unwrap();
    let predictions = reference
        .predictions
        .expect("the model ran on the reference");
    assert_eq!(predictions.output, "logits");
    let performance = predictions.performance.expect("the y array labels it");
    assert_eq!(
        (performance.metric.as_str(), performance.rows),
        ("accuracy", 360)
    );

    // Without --model, the reason names what works for a NumPy file: --model, not a log.
    let again = work.path().join("again");
    let written = written.to_str().unwrap();
    let run = drift_check(
        &again,
        &["--reference", written, "--current", &digits("test.npz")],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for (name, state, detail) in checks(&report(&again)) {
        assert_eq!(state, "not_checked", "{name}");
        assert!(detail.contains("give --model M.onnx"), "{name}: {detail}");
        assert!(!detail.contains("log"), "{name}: {detail}");
    }
}

#[test]
fn noisy_npz_images_drift_the_predictions_and_drop_the_accuracy() {
    let Some(python) = crate::model::python() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let noisy = work.path().join("noisy.npz");
    // The same digits, with strong seeded Gaussian noise on every pixel.
    let script = "import sys, numpy as np\n\
        d = np.load(sys.argv[1])\n\
        rng = np.random.default_rng(7)\n\
        x = d['x'].astype(np.float64) + rng.normal(0, 120, d['x'].shape)\n\
        np.savez(sys.argv[2], x=np.clip(x, 0, 255).astype(np.uint8), y=d['y'])\n";
    let source = digits("test.npz");
    let args = ["-c", script, &source, noisy.to_str().unwrap()].map(std::ffi::OsStr::new);
    crate::model::run_python(&python, &args);
    let out = work.path().join("r");
    let run = drift_check(
        &out,
        &[
            "--reference",
            &digits("test.npz"),
            "--current",
            noisy.to_str().unwrap(),
            "--model",
            &digits("candidate.onnx"),
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let got = report(&out);
    let failed: Vec<String> = checks(&got)
        .into_iter()
        .filter(|(_, state, _)| state == "failed")
        .map(|(name, _, _)| name)
        .collect();
    assert!(failed.contains(&"measured accuracy".to_owned()), "{got}");
    let measured = &got["model"]["measured"];
    assert!(
        measured["accuracy"].as_f64().unwrap() + 0.1 < measured["reference"].as_f64().unwrap(),
        "{measured}"
    );
}

#[test]
fn the_window_and_the_preprocessing_flags_reach_the_model_on_a_dataset() {
    let work = tempfile::tempdir().unwrap();
    let written = work.path().join("reference.json");
    let model = digits("candidate.onnx");
    let npz = digits("test.npz");
    let folder = digits("test");
    let mut args = vec!["--reference", &npz];
    args.extend(["--current", &npz, "--model", &model, "--window", "100"]);
    args.extend(["--write-reference", written.to_str().unwrap()]);
    let run = drift_check(&work.path().join("w"), &args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let got = report(&work.path().join("w"));
    // The last 100 samples: features and predictions alike.
    assert_eq!(got["model"]["rows"], 100, "{got}");
    assert_eq!(got["model"]["measured"]["rows"], 100, "{got}");

    // --scale is eval-diff's preprocessing: a quarter of the pixel values makes the model
    // less sure (the score shift fails); the images' own features do not move.
    let written = written.to_str().unwrap();
    let scaled = [
        "--reference",
        written,
        "--current",
        &folder,
        "--model",
        &model,
        "--scale",
        "0.25",
    ];
    let run = drift_check(&work.path().join("s"), &scaled);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let got = report(&work.path().join("s"));
    let states: Vec<(String, String)> = checks(&got)
        .into_iter()
        .map(|(name, state, _)| (name, state))
        .collect();
    assert!(
        states.contains(&("score shift".to_owned(), "failed".to_owned())),
        "{states:?}"
    );
    assert_eq!(got["drifted"], 0, "{got}");
}
