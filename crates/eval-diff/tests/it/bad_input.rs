//! Bad input: each case names the file and the problem on one line, exits 2, never panics and
//! leaves no report behind.

use std::path::Path;

use crate::harness::{Outcome, digits, eval_diff, fixture};

/// Asserts a clean bad-input failure mentioning every `needle`.
fn assert_bad_input(out: &Path, run: &Outcome, needles: &[&str]) {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "no panic: {}", run.stderr);
    let line = run.stderr.trim();
    assert_eq!(line.lines().count(), 1, "one line: {line}");
    assert!(line.starts_with("eval-diff: error: "), "{line}");
    for needle in needles {
        assert!(line.contains(needle), "`{needle}` missing from: {line}");
    }
    assert!(!out.join("report.md").exists(), "no partial report");
    assert!(!out.join("report.json").exists(), "no partial report");
}

fn run(out: &Path, baseline: &Path, candidate: &Path, dataset: &Path) -> Outcome {
    eval_diff(
        out,
        &[
            &"--baseline",
            &baseline,
            &"--candidate",
            &candidate,
            &"--dataset",
            &dataset,
        ],
    )
}

#[test]
fn missing_model_file() {
    let out = tempfile::tempdir().expect("temp dir");
    let missing = out.path().join("nope.onnx");
    let r = run(
        out.path(),
        &missing,
        &digits("candidate.onnx"),
        &digits("test.npz"),
    );
    assert_bad_input(out.path(), &r, &["nope.onnx", "No such file"]);
}

#[test]
fn directory_given_as_model() {
    let out = tempfile::tempdir().expect("temp dir");
    let r = run(
        out.path(),
        &digits("test"),
        &digits("candidate.onnx"),
        &digits("test.npz"),
    );
    assert_bad_input(out.path(), &r, &["test", "directory"]);
}

#[test]
fn truncated_and_garbage_models() {
    for name in ["truncated.onnx", "garbage.onnx"] {
        let out = tempfile::tempdir().expect("temp dir");
        let r = run(
            out.path(),
            &digits("baseline.onnx"),
            &fixture(name),
            &digits("test.npz"),
        );
        assert_bad_input(out.path(), &r, &[name, "not a loadable ONNX model"]);
    }
}

#[test]
fn model_input_cannot_take_the_dataset() {
    let out = tempfile::tempdir().expect("temp dir");
    let r = run(
        out.path(),
        &digits("baseline.onnx"),
        &fixture("regression.onnx"),
        &digits("test"),
    );
    assert_bad_input(out.path(), &r, &["regression.onnx", "10 features", "8x8"]);
}

#[test]
fn models_with_different_class_counts() {
    let out = tempfile::tempdir().expect("temp dir");
    let r = run(
        out.path(),
        &digits("baseline.onnx"),
        &fixture("seven_classes.onnx"),
        &digits("test.npz"),
    );
    assert_bad_input(out.path(), &r, &["seven_classes.onnx", "7 classes", "10"]);
}

#[test]
fn nan_in_model_outputs() {
    let out = tempfile::tempdir().expect("temp dir");
    let r = run(
        out.path(),
        &digits("baseline.onnx"),
        &fixture("nan_output.onnx"),
        &digits("test.npz"),
    );
    assert_bad_input(out.path(), &r, &["nan_output.onnx", "NaN", "sample 0"]);
}

#[test]
fn empty_dataset_folder() {
    let out = tempfile::tempdir().expect("temp dir");
    let data = tempfile::tempdir().expect("temp dir");
    let r = run(
        out.path(),
        &digits("baseline.onnx"),
        &digits("candidate.onnx"),
        data.path(),
    );
    assert_bad_input(
        out.path(),
        &r,
        &[&data.path().display().to_string(), "no class folders"],
    );
}

/// A small image folder: class folders `0` and `1` with two real digit images each.
fn small_image_folder() -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("temp dir");
    for class in ["0", "1"] {
        let dir = data.path().join(class);
        std::fs::create_dir(&dir).expect("class folder");
        let source = digits("test").join(class);
        let mut files: Vec<_> = std::fs::read_dir(&source)
            .expect("example class")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        for f in files.iter().take(2) {
            std::fs::copy(f, dir.join(f.file_name().expect("name"))).expect("copy");
        }
    }
    data
}

#[test]
fn corrupt_png() {
    let out = tempfile::tempdir().expect("temp dir");
    let data = small_image_folder();
    std::fs::write(
        data.path().join("1/broken.png"),
        b"\x89PNG\r\n\x1a\nthis is not a PNG body",
    )
    .expect("write");
    let r = run(
        out.path(),
        &digits("baseline.onnx"),
        &digits("candidate.onnx"),
        data.path(),
    );
    assert_bad_input(out.path(), &r, &["broken.png", "cannot decode"]);
}

#[test]
fn class_folders_do_not_match_the_model_outputs() {
    let out = tempfile::tempdir().expect("temp dir");
    let data = small_image_folder();
    std::fs::rename(data.path().join("1"), data.path().join("12")).expect("rename");
    let r = run(
        out.path(),
        &digits("baseline.onnx"),
        &digits("candidate.onnx"),
        data.path(),
    );
    assert_bad_input(out.path(), &r, &["13 classes", "outputs 10"]);
}

#[test]
fn npz_without_x_or_y() {
    use std::io::Write as _;
    let out = tempfile::tempdir().expect("temp dir");
    let path = out.path().join("only-z.npz");
    {
        let file = std::fs::File::create(&path).expect("create");
        let mut zip = zip::ZipWriter::new(file);
        zip.start_file("z.npy", zip::write::SimpleFileOptions::default())
            .expect("entry");
        zip.write_all(
            b"\x93NUMPY\x01\x00v\x00{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }",
        )
        .expect("write");
        zip.finish().expect("finish");
    }
    let report_dir = out.path().join("report");
    let r = run(
        &report_dir,
        &digits("baseline.onnx"),
        &digits("candidate.onnx"),
        &path,
    );
    assert_bad_input(&report_dir, &r, &["only-z.npz", "no array `y`", "z"]);
}

#[test]
fn csv_without_label_column() {
    let out = tempfile::tempdir().expect("temp dir");
    let path = out.path().join("data.csv");
    std::fs::write(&path, "a,b\n1,2\n").expect("write");
    let report_dir = out.path().join("report");
    let r = run(
        &report_dir,
        &digits("baseline.onnx"),
        &digits("candidate.onnx"),
        &path,
    );
    assert_bad_input(
        &report_dir,
        &r,
        &["data.csv", "no label column `label`", "--label-column"],
    );
}

#[test]
fn csv_with_ragged_row_names_the_line() {
    let out = tempfile::tempdir().expect("temp dir");
    let path = out.path().join("data.csv");
    std::fs::write(&path, "a,label\n1,2\n3\n").expect("write");
    let report_dir = out.path().join("report");
    let r = run(
        &report_dir,
        &digits("baseline.onnx"),
        &digits("candidate.onnx"),
        &path,
    );
    assert_bad_input(&report_dir, &r, &["data.csv", "line 3"]);
}

#[test]
fn output_dir_not_writable() {
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let target = file.join("report");
    let r = run(
        &target,
        &digits("baseline.onnx"),
        &digits("candidate.onnx"),
        &digits("test.npz"),
    );
    assert_bad_input(
        &target,
        &r,
        &["a-file/report", "cannot create the output folder"],
    );
}

#[test]
fn unknown_metric_in_a_gate() {
    let out = tempfile::tempdir().expect("temp dir");
    let r = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &digits("baseline.onnx"),
            &"--candidate",
            &digits("candidate.onnx"),
            &"--dataset",
            &digits("test.npz"),
            &"--min",
            &"acc=0.9",
        ],
    );
    assert_bad_input(out.path(), &r, &["--min acc=0.9", "unknown metric `acc`"]);
}

#[test]
fn malformed_pinned_baseline_checksum() {
    let out = tempfile::tempdir().expect("tempdir");
    let (baseline, candidate, dataset) = (
        digits("baseline.onnx"),
        digits("candidate.onnx"),
        digits("test.npz"),
    );
    let r = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &baseline,
            &"--candidate",
            &candidate,
            &"--dataset",
            &dataset,
            &"--baseline-sha256",
            &"xyz",
        ],
    );
    assert_bad_input(
        out.path(),
        &r,
        &["--baseline-sha256", "`xyz`", "not 64 hex digits"],
    );
}

#[test]
fn history_beyond_one_hundred_releases_is_a_usage_error() {
    let out = tempfile::tempdir().expect("tempdir");
    let (baseline, candidate, dataset) = (
        digits("baseline.onnx"),
        digits("candidate.onnx"),
        digits("test.npz"),
    );
    let r = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &baseline,
            &"--candidate",
            &candidate,
            &"--dataset",
            &dataset,
            &"--history",
            &"500",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--history") && r.stderr.contains("0..=100"),
        "{}",
        r.stderr
    );
    assert!(!out.path().join("report.md").exists(), "no report");
}
