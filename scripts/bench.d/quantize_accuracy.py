"""Accuracy of ONNX models on the digits example, in onnxruntime (for the quantize benchmark).

Usage: quantize_accuracy.py DATASET.npz MODEL.onnx [MODEL.onnx ...]

Inputs are prepared as eval-diff prepares them (x / 255 as float32, NCHW or flat from the
model's input shape, see common.py); prints one JSON object: {model path: accuracy}.
"""

import json
import sys

import numpy as np

from common import model_input, session


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with np.load(sys.argv[1]) as data:
        x, y = np.asarray(data["x"]), np.asarray(data["y"])
    result = {}
    for path in sys.argv[2:]:
        sess = session(path)
        out = sess.run(None, {sess.get_inputs()[0].name: model_input(sess, x)})
        scores = out[-1] if out[-1].ndim == 2 else out[0]
        result[path] = float((np.asarray(scores).argmax(axis=1) == y).mean())
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
