"""Cross-check quantize outputs with the reference tools: onnx.checker (full check) and onnxruntime.

Usage: python crosscheck.py ORIGINAL QUANTIZED [ORIGINAL QUANTIZED ...]

For each pair: runs onnx.checker.check_model(full_check=True) on the quantized model, loads both
in onnxruntime, feeds the same seeded random inputs, one per model input (floats in [0, 1),
integers 0 or 1; dynamic sizes: batch 4, others 1) and prints one JSON object per pair on stdout:
{"original", "quantized", "checker": null | error, "ort": null | error,
 "max_relative_error": float, "agreement": float | null}
"""

import json
import sys

import numpy as np
import onnx
import onnxruntime as ort

TYPES = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(int64)": np.int64}


def feed(session):
    rng = np.random.RandomState(0)
    feeds = {}
    for inp in session.get_inputs():
        shape = [d if isinstance(d, int) else (4 if i == 0 else 1) for i, d in enumerate(inp.shape)]
        dtype = TYPES.get(inp.type, np.float32)
        if np.issubdtype(dtype, np.integer):
            feeds[inp.name] = rng.randint(0, 2, size=shape).astype(dtype)
        else:
            feeds[inp.name] = rng.rand(*shape).astype(dtype)
    return feeds


def compare(original, quantized):
    result = {"original": original, "quantized": quantized, "checker": None, "ort": None,
              "max_relative_error": None, "agreement": None}
    try:
        onnx.checker.check_model(onnx.load(quantized), full_check=True)
    except Exception as e:  # noqa: BLE001 - reported, not raised
        result["checker"] = f"{type(e).__name__}: {e}"
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    ref_session = ort.InferenceSession(original, options, providers=["CPUExecutionProvider"])
    inputs = feed(ref_session)
    expected = ref_session.run(None, inputs)
    try:
        session = ort.InferenceSession(quantized, options, providers=["CPUExecutionProvider"])
        got = session.run(None, inputs)
    except Exception as e:  # noqa: BLE001
        result["ort"] = f"{type(e).__name__}: {e}"
        return result
    max_diff, max_ref, same, total = 0.0, 0.0, 0, 0
    for e, g in zip(expected, got):
        e, g = np.asarray(e), np.asarray(g)
        if e.dtype.kind == "f":
            max_diff = max(max_diff, float(np.abs(e.astype(np.float64) - g).max(initial=0.0)))
            max_ref = max(max_ref, float(np.abs(e).max(initial=0.0)))
            if total == 0 and e.ndim == 2 and e.shape[1] > 1:
                same += int((e.argmax(axis=1) == g.argmax(axis=1)).sum())
                total += e.shape[0]
        elif total == 0:
            same += int((e == g).sum())
            total += e.size
    result["max_relative_error"] = max_diff / max_ref if max_ref > 0 else max_diff
    result["agreement"] = same / total if total else None
    return result


def main():
    args = sys.argv[1:]
    for original, quantized in zip(args[::2], args[1::2]):
        print(json.dumps(compare(original, quantized)), flush=True)


if __name__ == "__main__":
    main()
