#!/usr/bin/env python3
"""Trains the model drift-check's MLServer test serves: scikit-learn's logistic regression (with
standard scaling) on the reference half of examples/drift (Breast Cancer Wisconsin, see
scripts/drift_example.py), saved with joblib for MLServer's scikit-learn runtime.

The labels come from scikit-learn's copy of the dataset, matched to the reference rows by their
30 feature values. Deterministic (lbfgs, no randomness).

Run: python3 scripts/drift_model.py OUT.joblib   (needs scikit-learn and joblib, e.g. the venv of
scripts/ci/mlserver.sh)
"""
import csv
import pathlib
import sys

import joblib
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    out = pathlib.Path(sys.argv[1])
    data = load_breast_cancer()
    label_of = {tuple(f"{v:.6g}" for v in row): int(y) for row, y in zip(data.data, data.target)}
    x, y = [], []
    with (ROOT / "examples" / "drift" / "reference.csv").open(newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        features = [i for i, name in enumerate(header) if name != "site"]
        for row in reader:
            key = tuple(row[i] for i in features)
            x.append([float(v) for v in key])
            y.append(label_of[key])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(np.array(x), np.array(y))
    joblib.dump(model, out)
    print(out)


if __name__ == "__main__":
    main()
