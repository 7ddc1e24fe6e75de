//! Running the built binary in a fresh temporary folder, and paths to the repository's data.

use std::path::{Path, PathBuf};
use std::process::Command;

pub use modelci_test::harness::{digits, repo};

/// A model fixture.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/models").join(name)
}

/// What a run printed and how it ended.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs eval-diff with `args`, writing the report to `out`.
pub fn eval_diff(out: &Path, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eval-diff"));
    cmd.arg("--output-dir").arg(out).arg("--quiet");
    for a in args {
        cmd.arg(a.as_ref());
    }
    let output = cmd.output().expect("eval-diff runs");
    Outcome {
        code: output
            .status
            .code()
            .expect("exited, not killed by a signal"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Reads `report.json` from `out`.
pub fn report(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("report.json")).expect("report.json written");
    serde_json::from_str(&text).expect("report.json is JSON")
}

/// The example's scikit-learn reference.
pub fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(digits("reference.json")).expect("reference.json");
    serde_json::from_str(&text).expect("reference is JSON")
}

/// A JSON array of numbers as `f64`s.
pub fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// Asserts two floats agree to 1e-12 (the same computation in another language).
pub fn assert_close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12,
        "{what}: got {got}, scikit-learn says {want}"
    );
}

/// One array for [`write_npz`]: its name, NumPy `descr` (e.g. `<i8`), shape and raw
/// little-endian bytes.
pub struct NpyArray<'a> {
    pub name: &'a str,
    pub descr: &'a str,
    pub shape: &'a [usize],
    pub bytes: Vec<u8>,
}

/// Writes an `.npz` archive the way `np.savez` does (one `.npy` entry per array).
pub fn write_npz(path: &Path, arrays: &[NpyArray<'_>]) {
    use std::io::Write as _;
    let file = std::fs::File::create(path).expect("create npz");
    let mut zip = zip::ZipWriter::new(file);
    for a in arrays {
        let dims: Vec<String> = a.shape.iter().map(ToString::to_string).collect();
        let shape = if dims.len() == 1 {
            format!("({},)", dims[0])
        } else {
            format!("({})", dims.join(", "))
        };
        let mut header = format!(
            "{{'descr': '{}', 'fortran_order': False, 'shape': {shape}, }}",
            a.descr
        );
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        zip.start_file(
            format!("{}.npy", a.name),
            zip::write::SimpleFileOptions::default(),
        )
        .expect("entry");
        zip.write_all(b"\x93NUMPY\x01\x00").expect("magic");
        let len = u16::try_from(header.len()).expect("short header");
        zip.write_all(&len.to_le_bytes()).expect("header length");
        zip.write_all(header.as_bytes()).expect("header");
        zip.write_all(&a.bytes).expect("data");
    }
    zip.finish().expect("finish npz");
}

/// The little-endian bytes of `i64` values.
pub fn i64_bytes(values: impl IntoIterator<Item = i64>) -> Vec<u8> {
    values.into_iter().flat_map(i64::to_le_bytes).collect()
}

/// The reference numbers of the issue-15 model fixtures.
pub fn models_reference() -> serde_json::Value {
    let text = std::fs::read_to_string(fixture("models_reference.json")).expect("reference");
    serde_json::from_str(&text).expect("reference is JSON")
}
