#!/usr/bin/env python3
"""Writes crates/modelci-metrics/tests/fixtures/sklearn_macro.json: scikit-learn's own
classification metrics on test sets that hold only some of a 10-class model's classes.

The Rust test `sklearn_agreement` recomputes them with modelci-metrics and compares. Run with
any Python that has scikit-learn and numpy (e.g. the mlserver venv of scripts/ci/mlserver.sh):

    python scripts/sklearn_metrics_fixture.py
"""

import json
import pathlib

import numpy as np
import sklearn
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)

CLASSES = 10
OUT = pathlib.Path(__file__).resolve().parent.parent / "crates/modelci-metrics/tests/fixtures/sklearn_macro.json"


def case(name, y_true, y_pred):
    y_true = [int(v) for v in y_true]
    y_pred = [int(v) for v in y_pred]
    p, r, f, s = precision_recall_fscore_support(
        y_true, y_pred, labels=list(range(CLASSES)), zero_division=0
    )
    return {
        "name": name,
        "classes": CLASSES,
        "y_true": y_true,
        "y_pred": y_pred,
        "accuracy": accuracy_score(y_true, y_pred),
        # average="macro" with labels=None: over unique_labels(y_true, y_pred).
        "macro_precision": precision_score(y_true, y_pred, average="macro", zero_division=0),
        "macro_recall": recall_score(y_true, y_pred, average="macro", zero_division=0),
        "macro_f1": f1_score(y_true, y_pred, average="macro", zero_division=0),
        "weighted_f1": f1_score(y_true, y_pred, average="weighted", zero_division=0),
        "precision": p.tolist(),
        "recall": r.tolist(),
        "f1": f.tolist(),
        "support": s.tolist(),
    }


def main():
    rng = np.random.default_rng(18)
    cases = []
    # Issue 18: 3 of 10 classes in the test set, every sample right: macro F1 100%, not 30%.
    y = [2, 5, 7] * 10
    cases.append(case("three_of_ten_all_right", y, y))
    # Some errors, and a prediction of a class that is not in the labels (class 9).
    y_true = rng.choice([0, 1, 3], size=60).tolist()
    y_pred = [t if rng.random() < 0.8 else int(rng.choice([0, 1, 3, 9])) for t in y_true]
    cases.append(case("three_of_ten_with_errors_and_a_stray_prediction", y_true, y_pred))
    # A class with support that is never predicted (precision ill-defined, counted as 0).
    y_true = [4] * 5 + [6] * 5 + [8] * 5
    y_pred = [4] * 5 + [6] * 5 + [6] * 3 + [4] * 2
    cases.append(case("a_class_never_predicted", y_true, y_pred))
    # Every class present.
    y_true = rng.integers(0, CLASSES, size=200).tolist()
    y_pred = [t if rng.random() < 0.7 else int(rng.integers(0, CLASSES)) for t in y_true]
    cases.append(case("all_ten_classes", y_true, y_pred))
    OUT.write_text(
        json.dumps({"scikit_learn": sklearn.__version__, "cases": cases}, indent=1) + "\n"
    )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
