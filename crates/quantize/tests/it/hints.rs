//! Issue 15: every "give it with --FLAG" hint quantize can print names a flag that quantize has.

use std::path::Path;

use modelci_test::hints::assert_hints_are_flags;

#[test]
fn every_hint_names_a_flag_of_this_binary() {
    // The evaluation core's hints are among them (so the scan really reads the dependencies).
    assert_hints_are_flags(
        Path::new(env!("CARGO_BIN_EXE_quantize")),
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["modelci-eval"],
        &["--image-size", "--input-shape", "--label-column"],
    );
}
