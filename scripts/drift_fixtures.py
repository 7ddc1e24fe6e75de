#!/usr/bin/env python3
"""Reference figures for modelci-drift's statistics, computed with scipy and numpy.

Writes crates/modelci-drift/tests/fixtures/scipy.json: fixed samples (seeded, so anyone can
rerun this) and, for each, the figures the Rust code must reproduce to 1e-9:
- scipy.stats.ks_2samp(reference, current).statistic;
- scipy.special.kolmogorov(sqrt(n*m/(n+m)) * D), the asymptotic p-value modelci reports;
- PSI over the reference's deciles, a plain numpy implementation of the definition in
  crates/modelci-drift/src/psi.rs (bins closed by the first value whose cumulative count reaches
  each tenth, ties merged, empty bins counted as 1e-4);
- scipy.stats.chisquare for categorical counts.

Run: python3 -m venv v && v/bin/pip install scipy==1.16.3 numpy && v/bin/python scripts/drift_fixtures.py
"""
import json
import math
import pathlib

import numpy as np
import scipy
from scipy import special, stats

EMPTY_BIN = 1e-4


def psi(reference, current):
    ref = np.sort(np.asarray(reference, dtype=np.float64))
    points, counts = np.unique(ref, return_counts=True)
    at_or_below = np.cumsum(counts)
    total = len(ref)
    edges = []
    for decile in range(1, 10):
        needed = -(-decile * total // 10)
        index = int(np.searchsorted(at_or_below, needed, side="left"))
        if index < len(points) and (not edges or edges[-1] != index):
            edges.append(index)
    if edges and edges[-1] == len(points) - 1:
        edges.pop()
    closing = points[edges]
    cur = np.asarray(current, dtype=np.float64)
    ref_bins = np.diff(np.concatenate([[0], np.searchsorted(ref, closing, side="right"), [len(ref)]]))
    cur_bins = np.diff(np.concatenate([[0], np.searchsorted(np.sort(cur), closing, side="right"), [len(cur)]]))
    r = np.where(ref_bins == 0, EMPTY_BIN, ref_bins / ref_bins.sum())
    c = np.where(cur_bins == 0, EMPTY_BIN, cur_bins / cur_bins.sum())
    return float(np.sum((c - r) * np.log(c / r)))


def continuous_case(name, reference, current):
    reference = [float(v) for v in reference]
    current = [float(v) for v in current]
    d = stats.ks_2samp(reference, current).statistic
    n, m = len(reference), len(current)
    return {
        "name": name,
        "reference": reference,
        "current": current,
        "ks_statistic": float(d),
        "ks_p_value": float(special.kolmogorov(math.sqrt(n * m / (n + m)) * d)),
        "psi": psi(reference, current),
    }


def categorical_case(name, reference, current):
    categories = sorted(set(reference))
    seen = [v for v in current if v in set(categories)]
    observed = np.array([seen.count(c) for c in categories], dtype=np.float64)
    shares = np.array([reference.count(c) for c in categories], dtype=np.float64) / len(reference)
    result = stats.chisquare(observed, shares * len(seen))
    return {
        "name": name,
        "reference": reference,
        "current": current,
        "chi2_statistic": float(result.statistic),
        "chi2_p_value": float(result.pvalue),
    }


def main():
    rng = np.random.default_rng(20261205)
    cases = [
        continuous_case("same normal", rng.normal(0, 1, 1500).round(4), rng.normal(0, 1, 1200).round(4)),
        continuous_case("mean shifted by 0.2", rng.normal(0, 1, 1500).round(4), rng.normal(0.2, 1, 1200).round(4)),
        continuous_case("scale doubled", rng.normal(5, 1, 800).round(3), rng.normal(5, 2, 900).round(3)),
        continuous_case("integers with ties", rng.integers(0, 12, 700), rng.integers(0, 15, 650)),
        continuous_case("exponential vs lognormal", rng.exponential(1.0, 1000).round(5), rng.lognormal(0, 0.5, 1000).round(5)),
    ]
    colours = ["red", "green", "blue", "amber"]
    categorical = [
        categorical_case("same shares", list(rng.choice(colours, 600, p=[0.4, 0.3, 0.2, 0.1])), list(rng.choice(colours, 500, p=[0.4, 0.3, 0.2, 0.1]))),
        categorical_case("shifted shares", list(rng.choice(colours, 600, p=[0.4, 0.3, 0.2, 0.1])), list(rng.choice(colours, 500, p=[0.25, 0.25, 0.25, 0.25]))),
    ]
    for case in categorical:
        case["reference"] = [str(v) for v in case["reference"]]
        case["current"] = [str(v) for v in case["current"]]
    out = pathlib.Path(__file__).resolve().parent.parent / "crates/modelci-drift/tests/fixtures/scipy.json"
    out.write_text(json.dumps({
        "generator": "scripts/drift_fixtures.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "continuous": cases,
        "categorical": categorical,
    }, indent=None, separators=(",", ":")) + "\n")
    print(out, out.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
