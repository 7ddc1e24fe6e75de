"""What the Python side of scripts/bench shares: sessions, inputs, batching."""

import numpy as np
import onnxruntime as ort


def session(path: str) -> ort.InferenceSession:
    """A single-threaded, sequential CPU session: one core, like eval-diff's tract plans."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def model_input(sess: ort.InferenceSession, x: np.ndarray) -> np.ndarray:
    """x (uint8 [N, 8, 8]) as the model takes it: scaled to [0, 1] float32, flat or NCHW.

    The same layout eval-diff derives from the declared input shape.
    """
    shape = sess.get_inputs()[0].shape
    scaled = x.astype(np.float32) / np.float32(255.0)
    n = len(x)
    if len(shape) == 2:
        return scaled.reshape(n, -1)
    if len(shape) == 4:
        return scaled.reshape(n, 1, x.shape[1], x.shape[2])
    raise SystemExit(f"unexpected input shape {shape}")


def scores(outputs: list, names: list) -> np.ndarray:
    """The [N, classes] float scores among a model's outputs (probabilities or logits)."""
    for name, value in zip(names, outputs):
        if value.ndim == 2 and value.dtype.kind == "f" and value.shape[1] > 1:
            return value
    raise SystemExit(f"no [N, classes] float output among {names}")


def batches(n: int, size: int):
    """(start, stop) of each batch of `size`, the last one possibly smaller."""
    for start in range(0, n, size):
        yield start, min(start + size, n)
