//! The training-log parsers for DVC metrics and per-epoch lists in JSON: any text must give a history or an error.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = modelci_history::load_text(Path::new("metrics.json"), text);
    }
});
