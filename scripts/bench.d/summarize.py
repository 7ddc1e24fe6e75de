"""Reads the measurements of scripts/bench, checks them, prints the summary table and, with
--write FILE, records it in BENCHMARKS.md between the generated-section markers (text outside
them is kept; a missing file is created).

Exits 1 when eval-diff and the Python script disagree on an accuracy (the comparison would then
not be of equivalent work). Missed targets are reported, not failed.
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import sys
from importlib import metadata

BEGIN = "<!-- scripts/bench: generated section, rewritten by `scripts/bench --write` -->"
END = "<!-- scripts/bench: end of generated section -->"

TARGET_THROUGHPUT = 1.0
TARGET_PROCESS = 0.25
TARGET_RSS = 1.2


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def process_times(results):
    """Per-run wall seconds of each whole process: from hyperfine's JSON or the bash timer."""
    path = os.path.join(results, "process.json")
    if os.path.exists(path):
        runs = load(path)["results"]
        return {r["command"]: r["times"] for r in runs}, {
            r["command"]: (r.get("user"), r.get("system")) for r in runs
        }
    times = {}
    for name in ("eval-diff", "python"):
        with open(os.path.join(results, f"process-{name}.times"), encoding="utf-8") as f:
            times[name] = [float(line) for line in f if line.strip()]
    return times, {}


def peak_rss_kib(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if not match:
        raise SystemExit(f"no peak RSS in {path}")
    return int(match.group(1))


def verdict(ok):
    if ok is None:
        return "n/a"
    return "met" if ok else "**not met**"


def main() -> int:
    p = argparse.ArgumentParser()
    for name in ("results", "nproc", "cpu", "loadavg-start", "loadavg-end",
                 "eval-diff-version", "rustc", "tract", "timer", "kernel", "command"):
        p.add_argument(f"--{name}", required=True)
    for name in ("repeats", "runs", "batch-size"):
        p.add_argument(f"--{name}", type=int, required=True)
    p.add_argument("--write")
    a = p.parse_args()
    r = a.results

    # 1. Throughput: eval-diff's reports (median of the runs) vs onnxruntime's passes.
    reports = [load(os.path.join(r, f"throughput-{i}", "report.json"))
               for i in range(1, a.repeats + 1)]
    ort = load(os.path.join(r, "ort-throughput.json"))
    throughput = {}
    for role in ("candidate", "baseline"):
        tract_runs = [rep[role]["latency"]["throughput"] for rep in reports]
        tract = statistics.median(tract_runs)
        onnx = statistics.median(ort[role]["passes"])
        throughput[role] = (tract, onnx, tract / onnx, tract_runs, ort[role]["passes"])

    # 2. Whole process, and the equivalence check on its outputs.
    times, cpu = process_times(r)
    ed_s, py_s = statistics.median(times["eval-diff"]), statistics.median(times["python"])
    report = load(os.path.join(r, "process-eval-diff", "report.json"))
    summary = load(os.path.join(r, "process-python", "summary.json"))
    samples = summary["samples"]
    problems = []
    accuracies = {}
    for role in ("baseline", "candidate"):
        ed_acc = report[role]["metrics"]["accuracy"]
        py_acc = summary[role]["accuracy"]
        accuracies[role] = (ed_acc, py_acc)
        if round(ed_acc * samples) != round(py_acc * samples):
            problems.append(f"{role} accuracy: eval-diff {ed_acc:.6f}, Python {py_acc:.6f}")
    ed_agree, py_agree = report["pair"]["agreement"], summary["agreement"]
    if round(ed_agree * samples) != round(py_agree * samples):
        problems.append(f"agreement: eval-diff {ed_agree:.6f}, Python {py_agree:.6f}")

    # 3. Peak RSS.
    rss_1k = peak_rss_kib(os.path.join(r, "rss-1k.txt"))
    rss_100k = peak_rss_kib(os.path.join(r, "rss-100k.txt"))

    rows = [
        ("Evaluation throughput, CNN candidate (samples/s; tract vs onnxruntime)",
         f"{throughput['candidate'][0]:,.0f}", f"{throughput['candidate'][1]:,.0f}",
         throughput["candidate"][2], f">= {TARGET_THROUGHPUT:.1f}x",
         throughput["candidate"][2] >= TARGET_THROUGHPUT),
        ("Evaluation throughput, logistic-regression baseline (samples/s)",
         f"{throughput['baseline'][0]:,.0f}", f"{throughput['baseline'][1]:,.0f}",
         throughput["baseline"][2], f">= {TARGET_THROUGHPUT:.1f}x",
         throughput["baseline"][2] >= TARGET_THROUGHPUT),
        (f"Whole process, {samples:,} samples (median wall s; eval-diff vs Python script)",
         f"{ed_s:.3f}", f"{py_s:.3f}", ed_s / py_s, f"<= {TARGET_PROCESS:.2f}x",
         ed_s / py_s <= TARGET_PROCESS),
    ]
    if "eval-diff" in cpu and "python" in cpu:
        ed_cpu, py_cpu = sum(cpu["eval-diff"]), sum(cpu["python"])
        rows.append((
            "Whole process, CPU time (mean user + system s; for context, no target)",
            f"{ed_cpu:.3f}", f"{py_cpu:.3f}", ed_cpu / py_cpu, "none", None))
    rows += [
        ("Peak RSS of eval-diff (MiB; 100k samples vs 1k)",
         f"{rss_100k / 1024:.1f}", f"{rss_1k / 1024:.1f}", rss_100k / rss_1k,
         f"<= {TARGET_RSS:.1f}x", rss_100k / rss_1k <= TARGET_RSS),
    ]
    table = [
        "| Measure | eval-diff | Reference | Ratio | Target | Result |",
        "| :--- | ---: | ---: | ---: | :--- | :--- |",
    ] + [f"| {m} | {e} | {ref} | {ratio:.2f}x | {t} | {verdict(ok)} |"
         for m, e, ref, ratio, t, ok in rows]

    print()
    print("\n".join(table))
    print()
    for role, (tract, onnx, _, tr, orr) in throughput.items():
        print(f"{role} throughput runs: tract {', '.join(f'{v:,.0f}' for v in tr)}; "
              f"onnxruntime {', '.join(f'{v:,.0f}' for v in orr)}")
    print(f"whole process runs (s): eval-diff {', '.join(f'{v:.3f}' for v in times['eval-diff'])}; "
          f"python {', '.join(f'{v:.3f}' for v in times['python'])}")
    print(f"accuracy on {samples:,} samples (eval-diff / Python): "
          + "; ".join(f"{role} {e:.4%} / {p:.4%}" for role, (e, p) in accuracies.items()))
    print(f"load average: {a.loadavg_start} at the start, {a.loadavg_end} at the end")
    if problems:
        print("scripts/bench: eval-diff and the Python script disagree: " + "; ".join(problems),
              file=sys.stderr)
        return 1

    if a.write:
        write(a, table, throughput, times, cpu, ed_s, py_s, accuracies, samples, rss_1k,
              rss_100k)
        print(f"wrote {a.write}")
    return 0


def write(a, table, throughput, times, cpu, ed_s, py_s, accuracies, samples, rss_1k, rss_100k):
    versions = {name: metadata.version(name) for name in ("onnxruntime", "numpy", "matplotlib")}
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu_lines = []
    for name in ("eval-diff", "python"):
        user, system = cpu.get(name, (None, None))
        if user is not None:
            cpu_lines.append(f"{name} {user:.3f} s user + {system:.3f} s system")
    lines = [
        BEGIN,
        "",
        f"## Results ({now})",
        "",
        f"Command: `{a.command}`",
        "",
        *table,
        "",
        "Details:",
        "",
        f"- Throughput: batch size {a.batch_size}, digits tiled to {samples:,} samples, median of "
        f"{a.repeats} eval-diff runs and {a.repeats} onnxruntime passes. Candidate runs: tract "
        + ", ".join(f"{v:,.0f}" for v in throughput["candidate"][3]) + "; onnxruntime "
        + ", ".join(f"{v:,.0f}" for v in throughput["candidate"][4]) + ". Baseline runs: tract "
        + ", ".join(f"{v:,.0f}" for v in throughput["baseline"][3]) + "; onnxruntime "
        + ", ".join(f"{v:,.0f}" for v in throughput["baseline"][4]) + ".",
        f"- Whole process: {a.runs} runs each after one warm-up, timed with {a.timer}. "
        f"Median {ed_s:.3f} s (eval-diff) vs {py_s:.3f} s (Python); min "
        f"{min(times['eval-diff']):.3f} s vs {min(times['python']):.3f} s"
        + (f"; mean CPU time {', '.join(cpu_lines)}" if cpu_lines else "") + ".",
        f"- Both processes agree on {samples:,} samples: accuracy "
        + "; ".join(f"{role} {e:.2%} (eval-diff) = {p:.2%} (Python)"
                    for role, (e, p) in accuracies.items()) + ".",
        f"- Peak RSS (GNU time): {rss_1k:,} KiB at 1k samples, {rss_100k:,} KiB at 100k.",
        "",
        "Machine and versions:",
        "",
        f"- {a.nproc} cores (`nproc`), {a.cpu}, {a.kernel}; load average {a.loadavg_start} "
        f"at the start of the run, {a.loadavg_end} at the end (other work shares this machine).",
        f"- {a.eval_diff_version} (release build), tract-onnx {a.tract}, {a.rustc}.",
        f"- Python {platform.python_version()}, onnxruntime {versions['onnxruntime']}, "
        f"numpy {versions['numpy']}, matplotlib {versions['matplotlib']}.",
        "",
        END,
    ]
    block = "\n".join(lines)
    if os.path.exists(a.write):
        with open(a.write, encoding="utf-8") as f:
            text = f.read()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            tail = rest.split(END, 1)[1]
            text = head + block + tail
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    else:
        text = "# Benchmarks\n\n" + block + "\n"
    with open(a.write, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main())
