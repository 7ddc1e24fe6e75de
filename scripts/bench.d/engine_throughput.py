"""Single-model throughput of onnxruntime from Python, measured as eval-diff measures its own.

Usage: engine_throughput.py MODEL.onnx DATASET.npz BATCH_SIZE REPEATS THREADS

The dataset's `x` is fed as eval-diff feeds it: uint8 arrays scaled by 1/255 into the model's
declared layout (flat or NCHW, the digits sets), float32 arrays as stored (the MobileNet set).
A session with intra_op_num_threads=THREADS, inter_op 1, sequential execution, all graph
optimisations (onnxruntime's default). Inputs are prepared before the clock starts; only
`sess.run` is timed, per full batch, after a warm-up. Prints JSON: the median pass's throughput
(samples/s), p50 per batch, and every pass.
"""

import json
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort

WARMUP_BATCHES = 8


def model_input(sess, x):
    if x.dtype != np.uint8:
        return np.ascontiguousarray(x, dtype=np.float32)
    shape = sess.get_inputs()[0].shape
    scaled = x.astype(np.float32) / np.float32(255.0)
    n = len(x)
    if len(shape) == 2:
        return scaled.reshape(n, -1)
    return scaled.reshape(n, 1, x.shape[1], x.shape[2])


def main() -> int:
    if len(sys.argv) != 6:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    model, dataset = sys.argv[1], sys.argv[2]
    batch, repeats, threads = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    with np.load(dataset) as data:
        x = model_input(sess, np.asarray(data["x"]))
    name = sess.get_inputs()[0].name
    feeds = [{name: np.ascontiguousarray(x[a:a + batch])} for a in range(0, len(x) - batch + 1, batch)]
    for feed in feeds[:WARMUP_BATCHES]:
        sess.run(None, feed)
    passes = []
    for _ in range(repeats):
        times = []
        for feed in feeds:
            started = time.perf_counter()
            sess.run(None, feed)
            times.append(time.perf_counter() - started)
        passes.append({
            "throughput": batch * len(times) / sum(times),
            "p50_ms": float(np.percentile(np.array(times) * 1e3, 50)),
        })
    median = statistics.median_low([p["throughput"] for p in passes])
    best = next(p for p in passes if p["throughput"] == median)
    print(json.dumps({**best, "passes": [p["throughput"] for p in passes],
                      "onnxruntime": ort.__version__, "threads": threads, "batch_size": batch}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
