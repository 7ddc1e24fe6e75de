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

#[test]
fn the_model_is_not_run_on_image_folders_in_one_line() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("r");
    let run = drift_check(
        &out,
        &[
            "--reference",
            &digits("test.npz"),
            "--current",
            &digits("test"),
            "--model",
            &digits("candidate.onnx"),
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let line = run.stderr.trim();
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.contains("leave out --model"), "{line}");
    assert!(!out.join("report.json").exists());
}
