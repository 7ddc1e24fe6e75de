//! Bad input: each case names the file and the problem on one line, exits 2, never panics and
//! leaves no report behind.

use std::path::Path;

use crate::harness::{NpyArray, Outcome, digits, eval_diff, fixture, i64_bytes, write_npz};

/// Asserts a clean bad-input failure mentioning every `needle`.
pub(crate) fn assert_bad_input(out: &Path, run: &Outcome, needles: &[&str]) {
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

/// A four-sample dataset for `two_input_tokens.onnx`, with `input_ids` written as `ids_descr`
/// and `ids_len` tokens per sample, and `extra` arrays.
fn token_npz(dir: &Path, ids_descr: &str, ids_len: usize, extra: &[&str]) -> std::path::PathBuf {
    let path = dir.join("tokens.npz");
    let n = 4;
    let ids_bytes = match ids_descr {
        "<f4" => (0..n * ids_len)
            .flat_map(|i| f32::from(u8::try_from(i % 17).expect("small")).to_le_bytes())
            .collect(),
        _ => i64_bytes((0..n * ids_len).map(|i| i64::try_from(i % 17).expect("small"))),
    };
    let mask_shape = [n, 64];
    let ids_shape = [n, ids_len];
    let mut arrays = vec![
        NpyArray {
            name: "input_ids",
            descr: ids_descr,
            shape: &ids_shape,
            bytes: ids_bytes,
        },
        NpyArray {
            name: "y",
            descr: "<i8",
            shape: &[4],
            bytes: i64_bytes([0, 1, 2, 3]),
        },
    ];
    for name in ["attention_mask"].iter().chain(extra) {
        arrays.push(NpyArray {
            name,
            descr: "<i8",
            shape: &mask_shape,
            bytes: i64_bytes(std::iter::repeat_n(1, n * 64)),
        });
    }
    write_npz(&path, &arrays);
    path
}

fn run_tokens(out: &Path, dataset: &Path, extra: &[&str]) -> Outcome {
    let model = fixture("two_input_tokens.onnx");
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![
        &"--baseline",
        &model,
        &"--candidate",
        &model,
        &"--dataset",
        &dataset,
    ];
    for e in extra {
        args.push(e);
    }
    eval_diff(out, &args)
}

#[test]
fn float_array_for_an_integer_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = token_npz(dir.path(), "<f4", 64, &[]);
    let out = dir.path().join("report");
    let r = run_tokens(&out, &data, &[]);
    assert_bad_input(
        &out,
        &r,
        &[
            "two_input_tokens.onnx",
            "array `input_ids` holds float32",
            "int64",
        ],
    );
}

#[test]
fn missing_input_array() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("no-mask.npz");
    write_npz(
        &data,
        &[
            NpyArray {
                name: "input_ids",
                descr: "<i8",
                shape: &[1, 64],
                bytes: i64_bytes([0; 64]),
            },
            NpyArray {
                name: "y",
                descr: "<i8",
                shape: &[1],
                bytes: i64_bytes([0]),
            },
        ],
    );
    let out = dir.path().join("report");
    let r = run_tokens(&out, &data, &[]);
    assert_bad_input(
        &out,
        &r,
        &["no array `attention_mask`", "attention_mask int64[N, 64]"],
    );
}

#[test]
fn misshaped_input_array() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = token_npz(dir.path(), "<i8", 32, &[]);
    let out = dir.path().join("report");
    let r = run_tokens(&out, &data, &[]);
    assert_bad_input(&out, &r, &["array `input_ids` has shape [32]", "[N, 64]"]);
}

#[test]
fn extra_array_that_is_no_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = token_npz(dir.path(), "<i8", 64, &["token_type_ids"]);
    let out = dir.path().join("report");
    let r = run_tokens(&out, &data, &[]);
    assert_bad_input(&out, &r, &["array `token_type_ids` is not an input"]);
}

#[test]
fn input_shape_naming_no_input() {
    let out = tempfile::tempdir().expect("temp dir");
    let r = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &fixture("dynamic_hw.onnx"),
            &"--candidate",
            &fixture("dynamic_hw.onnx"),
            &"--dataset",
            &digits("test"),
            &"--input-shape",
            &"pixels=Nx1x8x8",
        ],
    );
    assert_bad_input(
        out.path(),
        &r,
        &["--input-shape pixels=Nx1x8x8", "no input `pixels`", "input"],
    );
}

#[test]
fn malformed_input_shape() {
    let out = tempfile::tempdir().expect("temp dir");
    let r = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &fixture("dynamic_hw.onnx"),
            &"--candidate",
            &fixture("dynamic_hw.onnx"),
            &"--dataset",
            &digits("test"),
            &"--input-shape",
            &"input=1xHx8",
        ],
    );
    // A usage error, reported by the argument parser (exit 2, no report).
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("--input-shape input=1xHx8: expected NAME=DIMS"),
        "{}",
        r.stderr
    );
    assert!(!out.path().join("report.json").exists());
}

#[test]
fn dynamic_image_size_without_a_flag_names_the_flags() {
    let out = tempfile::tempdir().expect("temp dir");
    let r = run(
        out.path(),
        &fixture("dynamic_hw.onnx"),
        &fixture("dynamic_hw.onnx"),
        &digits("test"),
    );
    assert_bad_input(
        out.path(),
        &r,
        &["dynamic_hw.onnx", "--image-size", "--input-shape"],
    );
}
