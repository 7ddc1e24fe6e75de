#!/usr/bin/env python3
"""What `drift-check --reference R --current C` computes, the way a Python user writes it:
pandas to read both CSVs, per feature the two-sample KS test (scipy.stats.ks_2samp) and PSI
over the reference's deciles (numpy), a table and one chart (matplotlib). For scripts/bench-drift.
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats


def psi(ref, cur):
    edges = np.unique(np.quantile(ref, np.linspace(0.1, 0.9, 9)))
    r = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=len(edges) + 1) / len(ref)
    c = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1) / len(cur)
    r = np.where(r == 0, 1e-4, r)
    c = np.where(c == 0, 1e-4, c)
    return float(np.sum((c - r) * np.log(c / r)))


def main():
    reference, current, out = sys.argv[1], sys.argv[2], sys.argv[3]
    ref = pd.read_csv(reference)
    cur = pd.read_csv(current)
    rows = []
    for name in ref.columns:
        a = ref[name].dropna().to_numpy()
        b = cur[name].dropna().to_numpy()
        ks = stats.ks_2samp(a, b, method="asymp")
        rows.append((name, psi(a, b), ks.statistic, ks.pvalue))
    rows.sort(key=lambda r: -r[1])
    with open(f"{out}/report.md", "w") as f:
        f.write("| feature | PSI | KS | p |\n|---|---|---|---|\n")
        for name, p, d, pv in rows:
            f.write(f"| {name} | {p:.3f} | {d:.4f} | {pv:.2e} |\n")
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar([r[0] for r in rows[:20]], [r[1] for r in rows[:20]])
    fig.savefig(f"{out}/psi.png")


if __name__ == "__main__":
    main()
