//! Issue 18 item 6: the charts of the README's example run are checked into `docs/images/`, so
//! a change in how they look shows in review. This test renders them again and compares bytes
//! (rendering is deterministic: embedded font, no timestamps); after an intended change, run it
//! with `MODELCI_UPDATE_DOCS=1` to rewrite them, and look at the new pictures.

use std::path::Path;

use crate::harness::{digits, eval_diff};

/// Report charts → their file in `docs/images/`.
const IMAGES: [(&str, &str); 4] = [
    ("metrics.png", "metrics.png"),
    ("per_class_f1.png", "example_per_class_f1.png"),
    ("confusion_candidate.png", "example_confusion_candidate.png"),
    ("flipped_samples.png", "example_flipped_samples.png"),
];

#[test]
fn the_example_charts_in_docs_are_current() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    // The README's command 1.
    let r = eval_diff(
        &out,
        &[
            &"--baseline",
            &digits("baseline.onnx"),
            &"--candidate",
            &digits("candidate.onnx"),
            &"--dataset",
            &digits("test"),
            &"--tolerance",
            &"accuracy=0.5pt",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let update = std::env::var_os("MODELCI_UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    for (made, doc) in IMAGES {
        let new = std::fs::read(out.join(made)).expect("chart rendered");
        assert!(
            new.len() < 400_000,
            "{made} is {} bytes: keep docs small",
            new.len()
        );
        // This crate's own checkout (not `repo()`, which a reused build may point elsewhere).
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs/images")
            .join(doc);
        if update {
            std::fs::write(&path, &new).expect("write docs image");
        } else if std::fs::read(&path).ok().as_deref() != Some(new.as_slice()) {
            stale.push(doc);
        }
    }
    assert!(
        stale.is_empty(),
        "docs/images/{stale:?} differ from what the example renders now: rerun this test with MODELCI_UPDATE_DOCS=1 and review the pictures"
    );
}
