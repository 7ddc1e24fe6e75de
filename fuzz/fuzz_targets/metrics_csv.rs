//! The training-log parsers for Keras and Lightning CSV logs: any text must give a history or an error.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = modelci_history::keras_csv::parse(Path::new("history.csv"), text);
        let _ = modelci_history::lightning::parse(Path::new("metrics.csv"), text);
    }
});
