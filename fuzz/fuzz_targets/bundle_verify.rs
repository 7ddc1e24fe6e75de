//! Bundle verification: any bytes as a bundle zip (with a `SHA256SUMS` beside it taken from
//! the input's tail after the last NUL) must verify, list problems or be refused.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (zip, sums) = match data.iter().rposition(|&b| b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("m-1.0.0.zip");
    std::fs::write(&path, zip).expect("write");
    if let Some(sums) = sums {
        std::fs::write(dir.path().join("SHA256SUMS"), sums).expect("write");
    }
    if let Ok(verified) = modelci_bundle::verify::verify(&path) {
        for problem in &verified.problems {
            let _ = problem.to_string();
        }
    }
});
