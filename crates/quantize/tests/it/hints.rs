//! Issue 15: every "give it with --FLAG" hint quantize can print names a flag that quantize has.

use std::path::Path;
use std::process::Command;

use modelci_test::hints::{hints, missing_from_help};

#[test]
fn every_hint_names_a_flag_of_this_binary() {
    let output = Command::new(env!("CARGO_BIN_EXE_quantize"))
        .arg("--help")
        .output()
        .expect("quantize --help runs");
    let help = String::from_utf8_lossy(&output.stdout);
    let found = hints(Path::new(env!("CARGO_MANIFEST_DIR")), &["modelci-eval"]);
    for flag in ["--image-size", "--input-shape", "--label-column"] {
        assert!(
            found.iter().any(|h| h.flag == flag),
            "{flag} not collected: {found:#?}"
        );
    }
    let missing = missing_from_help(&found, &help);
    assert!(
        missing.is_empty(),
        "hints naming flags quantize lacks: {missing:#?}"
    );
}
