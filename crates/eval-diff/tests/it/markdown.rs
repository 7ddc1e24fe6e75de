//! Issue 18 item 4 (and issue 14's escaping policy): `report.md` rendered as GitHub renders it
//! (CommonMark + GFM, by comrak) with hostile class names, file names and dataset path shows
//! every name literally, with no stray backslash, no injected markup and no live mention,
//! inside and outside code spans and tables.

use modelci_report::check::problems;

use crate::harness::{digits, eval_diff, report};

/// Ten class names a dataset could bring (one per line in `--class-names`).
const CLASSES: [&str; 10] = [
    "a|b",
    "tick`s",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "@everyone",
    "snake_case_*name*",
    "~~gone~~ #1 & <b>",
    "back\\slash",
    "- item",
    "nine",
];

#[test]
fn hostile_names_render_literally_in_report_md() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ds = dir.path().join("data_set `x` |y| <i>");
    for (class, name) in CLASSES.iter().enumerate() {
        let folder = ds.join(name.replace('/', "_"));
        std::fs::create_dir_all(&folder).expect("class folder");
        let source = digits("test").join(class.to_string());
        let mut files: Vec<_> = std::fs::read_dir(&source)
            .expect("example class folder")
            .map(|e| e.expect("entry").file_name())
            .collect();
        files.sort();
        for file in files {
            let file = file.to_string_lossy().into_owned();
            std::fs::copy(
                source.join(&file),
                folder.join(format!("f_`|<i>@all\nx_{file}")),
            )
            .expect("copy");
        }
    }
    let names = dir.path().join("classes.txt");
    std::fs::write(&names, CLASSES.join("\n")).expect("class names");
    let out = dir.path().join("out");
    let r = eval_diff(
        &out,
        &[
            &"--baseline",
            &digits("baseline.onnx"),
            &"--candidate",
            &digits("candidate.onnx"),
            &"--dataset",
            &ds,
            &"--class-names",
            &names,
        ],
    );
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    let json = report(&out);
    let flipped = json["pair"]["improved_samples"][0]["id"]
        .as_str()
        .expect("a flipped sample")
        .to_owned();
    let dataset = ds.display().to_string();
    let mut data: Vec<&str> = CLASSES.to_vec();
    data.push(&flipped);
    data.push(&dataset);
    let found = problems(&md, &data);
    assert!(found.is_empty(), "{found:#?}\n\n{md}");
    // The contact sheet of flipped samples is drawn and embedded.
    assert!(md.contains("](flipped_samples.png)"), "{md}");
    assert!(out.join("flipped_samples.png").is_file());
}
