//! Open Inference Protocol (KServe V2) answer parsing: any JSON answer must give an output or
//! an error, with its data matching its declared shape.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(answer) = serde_json::from_slice::<serde_json::Value>(data) {
        for want in [None, Some("predict")] {
            let _ = deploy_notify::smoke::oip::pick_output(&answer, want);
        }
    }
});
