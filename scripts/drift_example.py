#!/usr/bin/env python3
"""Builds examples/drift/: real tabular data for drift-check's example and tests.

The data is the Breast Cancer Wisconsin (Diagnostic) dataset as scikit-learn ships it
(sklearn/datasets/data/breast_cancer.csv; UCI Machine Learning Repository, CC BY 4.0;
Wolberg, Street, Mangasarian 1995): 569 tumours, 30 measured features. No download: it is read
from the installed scikit-learn package.

- reference.csv: a seeded, stratified half (the data the model was evaluated on: 37% malignant);
- current.csv: the other half resampled with 80% malignant cases, as when a clinic starts
  referring harder cases (a prior shift: the size and texture features move, nothing else
  changes), plus a categorical `site` column in both files whose mix changes;
- stable.csv: the other half as it is (no shift: drift-check must pass on it);
- requests.jsonl: current.csv's rows as Open Inference Protocol (KServe V2) request bodies of
  batches of 8, one tensor `input-0` of shape [N, 30] (what a payload logger captures in front of a
  scikit-learn model served by MLServer), with a `site` BYTES tensor left out; two malformed lines
  (a truncated line and a tensor whose data do not fill its shape) that drift-check skips.

Run: python3 -m venv v && v/bin/pip install scikit-learn==1.9.1 && v/bin/python scripts/drift_example.py
"""
import csv
import json
import pathlib

import numpy as np
from sklearn.datasets import load_breast_cancer

OUT = pathlib.Path(__file__).resolve().parent.parent / "examples" / "drift"
SITES = ["north", "south", "east", "west"]


def write_csv(path, names, rows, sites):
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(names + ["site"])
        for row, site in zip(rows, sites):
            writer.writerow([f"{v:.6g}" for v in row] + [site])


def main():
    data = load_breast_cancer()
    names = [n.replace(" ", "_") for n in data.feature_names]
    x, y = data.data, data.target  # target 0 = malignant, 1 = benign
    rng = np.random.default_rng(569)
    reference_idx, other_idx = [], []
    for label in (0, 1):
        idx = rng.permutation(np.flatnonzero(y == label))
        half = len(idx) // 2
        reference_idx += list(idx[:half])
        other_idx += list(idx[half:])
    reference_idx = np.array(sorted(reference_idx))
    other_idx = np.array(sorted(other_idx))
    malignant = other_idx[y[other_idx] == 0]
    benign = other_idx[y[other_idx] == 1]
    n = len(other_idx)
    current_idx = np.concatenate([
        rng.choice(malignant, int(n * 0.8), replace=True),
        rng.choice(benign, n - int(n * 0.8), replace=True),
    ])
    rng.shuffle(current_idx)
    OUT.mkdir(parents=True, exist_ok=True)
    write_csv(OUT / "reference.csv", names, x[reference_idx], rng.choice(SITES, len(reference_idx), p=[0.4, 0.3, 0.2, 0.1]))
    write_csv(OUT / "stable.csv", names, x[other_idx], rng.choice(SITES, len(other_idx), p=[0.4, 0.3, 0.2, 0.1]))
    write_csv(OUT / "current.csv", names, x[current_idx], rng.choice(SITES + ["clinic-9"], len(current_idx), p=[0.2, 0.2, 0.2, 0.2, 0.2]))
    lines = []
    rows = x[current_idx]
    for start in range(0, len(rows), 8):
        batch = rows[start:start + 8]
        body = {"inputs": [{"name": "input-0", "shape": list(batch.shape), "datatype": "FP64",
                            "data": [float(f"{v:.6g}") for v in batch.ravel()]}]}
        lines.append(json.dumps(body, separators=(",", ":")))
    lines.insert(3, lines[3][: len(lines[3]) // 2])
    lines.insert(7, json.dumps({"inputs": [{"name": "input-0", "shape": [2, 30], "datatype": "FP64", "data": [1.0] * 31}]}))
    (OUT / "requests.jsonl").write_text("\n".join(lines) + "\n")
    for name in ("reference.csv", "current.csv", "stable.csv", "requests.jsonl"):
        print(OUT / name, (OUT / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
