"""Reads the measurements of scripts/bench.d/engines.sh, prints the summary table and, with
--write FILE, records it in BENCHMARKS.md between its own generated-section markers.

Usage: engines_summary.py RESULTS_DIR LOAD_NOTE [--write FILE]
"""

import json
import os
import re
import sys

BEGIN = "<!-- scripts/bench --engines: generated section, rewritten by `scripts/bench --engines --write` -->"
END = "<!-- scripts/bench --engines: end of generated section -->"


def number(results, name):
    with open(os.path.join(results, name), encoding="utf-8") as f:
        return float(f.read().strip())


def rss(results, size):
    with open(os.path.join(results, f"rss-jobs2-{size}.txt"), encoding="utf-8") as f:
        return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read()).group(1))


def verdict(ok):
    return "met" if ok else "**not met**"


def main() -> int:
    results, note = sys.argv[1], sys.argv[2]
    rows = []
    for model, label in (("cnn", "digits CNN, batch 32"), ("mobilenet", "MobileNetV3 (PP-OCR cls), batch 16")):
        with open(os.path.join(results, f"tp-{model}-python.json"), encoding="utf-8") as f:
            python = json.load(f)["throughput"]
        ort = number(results, f"tp-{model}-onnxruntime.txt")
        tract = number(results, f"tp-{model}-tract.txt")
        rows.append((f"eval-diff onnxruntime vs Python onnxruntime, {label}, 1 thread",
                     f"{ort:,.0f} vs {python:,.0f} samples/s", ort / python, ">= 0.9x", ort / python >= 0.9))
        target = ">= 0.5x" if model == "cnn" else "(no target)"
        rows.append((f"tract vs onnxruntime (both in eval-diff), {label}",
                     f"{tract:,.0f} vs {ort:,.0f} samples/s", tract / ort, target,
                     tract / ort >= 0.5 if model == "cnn" else None))
    sizes = {b: number(results, f"tract-batch-{b}.txt") for b in (1, 8, 32, 128)}
    rows.append(("tract's CNN throughput by batch size (1 / 8 / 32 / 128), --jobs 1",
                 " / ".join(f"{v:,.0f}" for v in sizes.values()) + " samples/s",
                 max(sizes.values()) / sizes[32], "(best vs 32)", None))
    for engine in ("onnxruntime", "tract"):
        one, two = number(results, f"jobs-{engine}-1-tp.txt"), number(results, f"jobs-{engine}-2-tp.txt")
        rows.append((f"--jobs 2 vs --jobs 1, {engine}, evaluation throughput on 100k samples (both models, all workers busy)",
                     f"{two:,.0f} vs {one:,.0f} samples/s", two / one, ">= 1.7x", two / one >= 1.7))
        one, two = number(results, f"jobs-{engine}-1.txt"), number(results, f"jobs-{engine}-2.txt")
        rows.append((f"--jobs 2 vs --jobs 1, {engine}, wall time of the whole process on 100k samples",
                     f"{two:.2f} s vs {one:.2f} s", one / two, "(no target)", None))
    for size, target in (("10k", 0.5), ("450", 0.25)):
        ours = number(results, f"process-{size}-eval-diff.txt")
        theirs = number(results, f"process-{size}-python.txt")
        rows.append((f"whole eval-diff process vs the Python script, {size} samples (median wall)",
                     f"{ours:.3f} s vs {theirs:.3f} s", ours / theirs, f"<= {target}x", ours / theirs <= target))
    small, large = rss(results, "1k"), rss(results, "100k")
    rows.append(("peak RSS with --jobs 2, 100k vs 1k samples", f"{large / 1024:.1f} vs {small / 1024:.1f} MiB",
                 large / small, "<= 1.2x", large / small <= 1.2))
    with open(os.path.join(results, "default-engine.txt"), encoding="utf-8") as f:
        default_engine = f.read().strip()
    lines = [
        BEGIN,
        "",
        f"Engines run: {note}. The whole-process rows use eval-diff's defaults (`--engine auto`, "
        f"which chose `{default_engine}`; `--jobs` = the available cores, one worker per 32 batches at most, so one worker on 450 samples).",
        "",
        "| measure | values | ratio | target | verdict |",
        "|---|---|---:|---|---|",
    ]
    for what, values, ratio, target, ok in rows:
        lines.append(f"| {what} | {values} | {ratio:.2f}x | {target} | {verdict(ok) if ok is not None else 'n/a'} |")
    lines += ["", END]
    text = "\n".join(lines) + "\n"
    print(text)
    if "--write" in sys.argv:
        path = sys.argv[sys.argv.index("--write") + 1]
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
        if BEGIN in old and END in old:
            new = old[: old.index(BEGIN)] + text.rstrip("\n") + old[old.index(END) + len(END):]
        else:
            new = old.rstrip("\n") + "\n\n### Results\n\n" + text
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
