"""Evaluation throughput of onnxruntime, measured the way eval-diff measures tract's.

Usage: ort_throughput.py BASELINE.onnx CANDIDATE.onnx DATASET.npz BATCH_SIZE REPEATS

Both models get single-threaded sessions (intra_op 1, inter_op 1, sequential) and the same
float32 inputs as eval-diff (x / 255, flat or NCHW). Inputs are prepared before the clock
starts; only `sess.run` is timed, per batch, baseline and candidate alternating batch by batch
as in eval-diff's loop. Throughput is samples per second over the full batches (eval-diff's
definition). After a warm-up of a few batches, the dataset is run REPEATS times; the printed
JSON has the median pass for each model.
"""

import json
import statistics
import sys
import time

import numpy as np

from common import batches, model_input, session

WARMUP_BATCHES = 8


def main() -> int:
    if len(sys.argv) != 6:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    paths = {"baseline": sys.argv[1], "candidate": sys.argv[2]}
    dataset, batch_size, repeats = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    with np.load(dataset) as data:
        x = np.asarray(data["x"])
    sessions = {role: session(path) for role, path in paths.items()}
    inputs = {role: model_input(sess, x) for role, sess in sessions.items()}
    names = {role: sess.get_inputs()[0].name for role, sess in sessions.items()}
    spans = [span for span in batches(len(x), batch_size) if span[1] - span[0] == batch_size]
    feeds = {
        role: [{names[role]: np.ascontiguousarray(inputs[role][a:b])} for a, b in spans]
        for role in sessions
    }

    for i in range(min(WARMUP_BATCHES, len(spans))):
        for role, sess in sessions.items():
            sess.run(None, feeds[role][i])

    passes = {role: [] for role in sessions}
    for _ in range(repeats):
        times = {role: [] for role in sessions}
        for i in range(len(spans)):
            for role, sess in sessions.items():
                feed = feeds[role][i]
                started = time.perf_counter()
                sess.run(None, feed)
                times[role].append(time.perf_counter() - started)
        for role, t in times.items():
            ms = np.array(t) * 1e3
            passes[role].append(
                {
                    "batches": len(t),
                    "batch_size": batch_size,
                    "p50_ms": float(np.percentile(ms, 50)),
                    "p95_ms": float(np.percentile(ms, 95)),
                    "throughput": batch_size * len(t) / sum(t),
                }
            )
    result = {}
    for role, runs in passes.items():
        median = statistics.median_low([r["throughput"] for r in runs])
        result[role] = next(r for r in runs if r["throughput"] == median)
        result[role]["passes"] = [r["throughput"] for r in runs]
    import onnxruntime

    result["onnxruntime"] = onnxruntime.__version__
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
