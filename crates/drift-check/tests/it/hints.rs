//! Issue 15: every "give it with --FLAG" hint drift-check can print names a flag that
//! drift-check has, its own and those of the evaluation core it runs `--model` with.

use std::path::Path;

use modelci_test::hints::assert_hints_are_flags;

#[test]
fn every_hint_names_a_flag_of_this_binary() {
    assert_hints_are_flags(
        Path::new(env!("CARGO_BIN_EXE_drift-check")),
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["modelci-eval"],
        &["--engine", "--ignore", "--max-estimated-accuracy-drop"],
    );
}
