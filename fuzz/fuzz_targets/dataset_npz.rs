//! The NPZ dataset reader: any bytes as `data.npz`, opened and streamed to the end.
#![no_main]

use libfuzzer_sys::fuzz_target;
use modelci_eval::{Dataset, DatasetOptions};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("data.npz");
    std::fs::write(&path, data).expect("write");
    if let Ok(mut dataset) = Dataset::open(&path, &DatasetOptions::default()) {
        let _ = dataset.stream(7, &mut |_| Ok(()));
    }
});
