"""What eval-diff does, as the plain Python script a team would write instead.

Usage: eval_diff_equivalent.py BASELINE.onnx CANDIDATE.onnx DATASET.npz OUT_DIR [BATCH_SIZE]

Loads both models in single-threaded onnxruntime sessions, runs the dataset (x uint8, y int64)
in batches (default 32, only `sess.run` timed), computes accuracy, top-2 accuracy, per-class
precision/recall/F1 with macro and weighted averages, confusion matrices and the agreement
between the models, and writes OUT_DIR/report.md (eval-diff's main comparison table),
OUT_DIR/summary.json (the figures scripts/bench checks against eval-diff's) and one matplotlib
bar chart, OUT_DIR/metrics.png.

It does less than eval-diff (no McNemar test, bootstrap interval, flip list, parameter count,
per-class and confusion charts or SVGs), so the process comparison favours it.
"""

import json
import os
import sys
import time

import numpy as np

from common import batches, model_input, scores, session


def evaluate(sess, x, y, batch_size):
    inputs = model_input(sess, x)
    name = sess.get_inputs()[0].name
    outputs = [o.name for o in sess.get_outputs()]
    predicted, top2, times = [], [], []
    for a, b in batches(len(x), batch_size):
        feed = {name: inputs[a:b]}
        started = time.perf_counter()
        result = sess.run(None, feed)
        elapsed = time.perf_counter() - started
        if b - a == batch_size:
            times.append(elapsed)
        s = scores(result, outputs)
        predicted.append(np.argmax(s, axis=1))
        top2.append(np.argsort(-s, axis=1, kind="stable")[:, :2])
        classes = s.shape[1]
    pred = np.concatenate(predicted)
    top = np.concatenate(top2)
    confusion = np.bincount(y * classes + pred, minlength=classes * classes).reshape(
        classes, classes
    )
    tp = np.diag(confusion).astype(float)
    support = confusion.sum(axis=1).astype(float)
    predicted_count = confusion.sum(axis=0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted_count > 0, tp / predicted_count, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    ms = np.array(times) * 1e3
    return {
        "pred": pred,
        "accuracy": float(np.mean(pred == y)),
        "top_k_accuracy": float(np.mean((top == y[:, None]).any(axis=1))),
        "macro_f1": float(f1.mean()),
        "weighted_f1": float((f1 * support).sum() / support.sum()),
        "macro_precision": float(precision.mean()),
        "macro_recall": float(recall.mean()),
        "per_class_f1": f1.tolist(),
        "confusion": confusion.tolist(),
        "latency_p50_ms": float(np.percentile(ms, 50)),
        "latency_p95_ms": float(np.percentile(ms, 95)),
        "throughput": batch_size * len(times) / sum(times),
    }


ROWS = [
    ("Accuracy", "accuracy", "pct", True),
    ("Top-2 accuracy", "top_k_accuracy", "pct", True),
    ("Macro F1", "macro_f1", "pct", True),
    ("Weighted F1", "weighted_f1", "pct", True),
    ("Macro precision", "macro_precision", "pct", True),
    ("Macro recall", "macro_recall", "pct", True),
    ("Latency p50 (ms/batch)", "latency_p50_ms", "ms", False),
    ("Latency p95 (ms/batch)", "latency_p95_ms", "ms", False),
    ("Throughput (samples/s)", "throughput", "rate", True),
    ("File size", "size", "bytes", False),
]


def fmt(value, unit):
    if unit == "pct":
        return f"{value * 100:.2f}%"
    if unit == "ms":
        return f"{value:.3f} ms"
    if unit == "rate":
        return f"{value:,.0f}/s"
    return f"{value / 1024:,.1f} KiB"


def delta(base, cand, unit):
    d = cand - base
    if unit == "pct":
        text = f"{d * 100:+.2f} pp"
    elif unit == "ms":
        text = f"{d:+.3f} ms"
    elif unit == "rate":
        text = f"{d:+,.0f}"
    else:
        text = f"{d / 1024:+,.1f} KiB"
    rel = f"{d / base * 100:+.1f}%" if base else "n/a"
    return text, rel


def markdown(base, cand, agreement, samples):
    lines = [
        f"## eval-diff equivalent: accuracy {base['accuracy'] * 100:.2f}% -> "
        f"{cand['accuracy'] * 100:.2f}%",
        "",
        "| Metric | Baseline | Candidate | Δ | Δ % |  |",
        "| :--- | ---: | ---: | ---: | ---: | :--- |",
    ]
    for label, key, unit, higher_better in ROWS:
        b, c = base[key], cand[key]
        d, rel = delta(b, c, unit)
        if b == c:
            verdict = "= same"
        elif (c > b) == higher_better:
            verdict = "✅ better"
        else:
            verdict = "⚠️ worse"
        lines.append(f"| {label} | {fmt(b, unit)} | {fmt(c, unit)} | {d} | {rel} | {verdict} |")
    lines += ["", f"Of {samples} samples, the two models agree on {agreement * 100:.1f}%.", ""]
    lines += ["![Baseline vs candidate](metrics.png)", ""]
    return "\n".join(lines)


def chart(base, cand, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [("Accuracy", "accuracy"), ("Top-2 accuracy", "top_k_accuracy"),
            ("Macro F1", "macro_f1"), ("Weighted F1", "weighted_f1")]
    positions = np.arange(len(keys))
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    ax.bar(positions - 0.2, [base[k] for _, k in keys], 0.4, label="baseline", color="#0072B2")
    ax.bar(positions + 0.2, [cand[k] for _, k in keys], 0.4, label="candidate", color="#E69F00")
    ax.set_xticks(positions, [label for label, _ in keys])
    ax.set_ylim(0, 1)
    ax.set_ylabel("score")
    ax.set_title("Baseline vs candidate")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> int:
    if len(sys.argv) not in (5, 6):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    baseline, candidate, dataset, out_dir = sys.argv[1:5]
    batch_size = int(sys.argv[5]) if len(sys.argv) == 6 else 32
    with np.load(dataset) as data:
        x = np.asarray(data["x"])
        y = np.asarray(data["y"]).astype(np.int64)
    results = {}
    for role, path in (("baseline", baseline), ("candidate", candidate)):
        results[role] = evaluate(session(path), x, y, batch_size)
        results[role]["size"] = float(os.path.getsize(path))
    base, cand = results["baseline"], results["candidate"]
    agreement = float(np.mean(base["pred"] == cand["pred"]))
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "report.md"), "w", encoding="utf-8") as f:
        f.write(markdown(base, cand, agreement, len(y)))
    chart(base, cand, os.path.join(out_dir, "metrics.png"))
    summary = {
        "samples": len(y),
        "agreement": agreement,
        **{
            role: {k: v for k, v in r.items() if k != "pred"}
            for role, r in results.items()
        },
    }
    with open(os.path.join(out_dir, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
