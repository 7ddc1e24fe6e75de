//! The image-folder dataset reader's entries: the input is a PNG (class `0`) and, after the
//! first `0xFF 0xD8` if any, a JPEG (class `1`); the folder is opened and streamed to the end.
#![no_main]

use libfuzzer_sys::fuzz_target;
use modelci_eval::{Dataset, DatasetOptions};

fuzz_target!(|data: &[u8]| {
    let split = data
        .windows(2)
        .position(|w| w == [0xFF, 0xD8])
        .unwrap_or(data.len());
    let (png, jpeg) = data.split_at(split);
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("ds");
    for (class, name, bytes) in [("0", "a.png", png), ("1", "b.jpg", jpeg)] {
        std::fs::create_dir_all(root.join(class)).expect("mkdir");
        std::fs::write(root.join(class).join(name), bytes).expect("write");
    }
    if let Ok(mut dataset) = Dataset::open(&root, &DatasetOptions::default()) {
        let _ = dataset.stream(2, &mut |_| Ok(()));
    }
});
