//! modelci-metrics against scikit-learn's own numbers (issue 18): macro averages over the labels
//! present in the data or the predictions, per-class figures with `zero_division=0`.
//!
//! The fixture is written by `scripts/sklearn_metrics_fixture.py` with scikit-learn itself.

use modelci_metrics::classification::ClassificationAccumulator;
use serde_json::Value;

fn close(got: f64, want: &Value, what: &str, case: &str) {
    let want = want
        .as_f64()
        .unwrap_or_else(|| panic!("{case}: {what} is a number"));
    assert!(
        (got - want).abs() < 1e-12,
        "{case}: {what} = {got}, scikit-learn says {want}"
    );
}

#[test]
fn macro_and_per_class_metrics_match_scikit_learn() {
    let text = include_str!("fixtures/sklearn_macro.json");
    let fixture: Value = serde_json::from_str(text).expect("fixture is JSON");
    let cases = fixture["cases"].as_array().expect("cases");
    assert!(cases.len() >= 4, "the fixture holds the cases");
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let classes = usize::try_from(case["classes"].as_u64().expect("classes")).expect("small");
        let mut acc = ClassificationAccumulator::new(classes, 1);
        let truth = case["y_true"].as_array().expect("y_true");
        let predicted = case["y_pred"].as_array().expect("y_pred");
        for (t, p) in truth.iter().zip(predicted) {
            let t = usize::try_from(t.as_u64().expect("label")).expect("small");
            let p = usize::try_from(p.as_u64().expect("label")).expect("small");
            acc.add(t, p, None);
        }
        let m = acc.finish();
        close(m.accuracy, &case["accuracy"], "accuracy", name);
        close(
            m.macro_precision,
            &case["macro_precision"],
            "macro precision",
            name,
        );
        close(m.macro_recall, &case["macro_recall"], "macro recall", name);
        close(m.macro_f1, &case["macro_f1"], "macro F1", name);
        close(m.weighted_f1, &case["weighted_f1"], "weighted F1", name);
        for (c, per) in m.per_class.iter().enumerate() {
            close(
                per.precision,
                &case["precision"][c],
                &format!("precision[{c}]"),
                name,
            );
            close(
                per.recall,
                &case["recall"][c],
                &format!("recall[{c}]"),
                name,
            );
            close(per.f1, &case["f1"][c], &format!("f1[{c}]"), name);
            assert_eq!(
                Some(per.support),
                case["support"][c].as_u64(),
                "{name}: support[{c}]"
            );
        }
    }
}

#[test]
fn a_subset_of_classes_all_right_scores_full_marks_and_lists_the_absent_ones() {
    // Issue 18: 3 of 10 classes in the test set, every sample right, gave macro F1 30%.
    let mut acc = ClassificationAccumulator::new(10, 1);
    for _ in 0..10 {
        for c in [2, 5, 7] {
            acc.add(c, c, None);
        }
    }
    let m = acc.finish();
    assert_eq!(m.macro_f1, 1.0);
    assert_eq!(m.absent, vec![0, 1, 3, 4, 6, 8, 9]);
    assert!(!m.per_class[0].f1_defined() && !m.per_class[0].precision_defined());
    assert!(m.per_class[2].f1_defined());
}
