#!/usr/bin/env python3
"""Generate the shipped digits example and the ONNX test fixtures of modelci.

How to rerun (from the repository root):

    python3 -m venv /tmp/pyenv-example
    /tmp/pyenv-example/bin/pip install -r scripts/requirements-example.txt
    /tmp/pyenv-example/bin/python scripts/make-example.py

Nothing is downloaded at run time: the data are scikit-learn's bundled copies of
the UCI "Optical Recognition of Handwritten Digits" (load_digits) and "Diabetes"
(load_diabetes) datasets. Everything is seeded and single-threaded, so two runs
with the pinned versions produce byte-identical files (the script writes ONNX,
PNG and NPZ files without timestamps).

Outputs
-------
examples/digits/
    test/<label>/<nnnn>.png  8x8 grayscale PNG per test sample (nnnn = index in the test split)
    test.npz                 x: uint8 [360, 8, 8], y: int64 [360]
    test.csv                 f0..f63,label  (features = u8 / 255 as float32, shortest exact repr)
    baseline.onnx            LogisticRegression (skl2onnx), input "input" [N, 64]
    candidate.onnx           numpy-trained CNN, input "input" [N, 1, 8, 8], output "logits" [N, 10]
    reference.json           metrics computed with scikit-learn from onnxruntime outputs
    history.csv, metrics.json, README.md
tests/fixtures/models/
    nan_output.onnx, seven_classes.onnx, nhwc_cnn.onnx, regression.onnx,
    regression.csv, regression_reference.json, truncated.onnx, garbage.onnx, README.md
    (and the models of scripts/model_fixtures.py and scripts/engine_fixtures.py)

Quantisation rule (all dataset forms give bit-identical model inputs):
    u8    = np.round(x * 255 / 16).astype(uint8)   # x in 0..16; only x=8 hits .5 (127.5 -> 128)
    input = u8.astype(float32) / float32(255)      # Rust: f32::from(u8) / 255.0_f32

reference.json schema
---------------------
{
  "dataset": "digits",
  "n_samples": 360,
  "class_names": ["0", ..., "9"],
  "y_true": [int; 360],
  "preprocessing": str,
  "baseline" | "candidate": {
      "file": str, "input_name": "input", "input_shape": [null|"N", ...],
      "score_output": str,            # ONNX output used for top-k ("probabilities" / "logits")
      "score_kind": "probabilities" | "logits",
      "predictions": [int; 360],      # predicted labels from onnxruntime
      "accuracy": float,
      "top2_accuracy": float,         # top_k_accuracy_score(k=2) on the scores
      "precision": [float; 10], "recall": [float; 10], "f1": [float; 10], "support": [int; 10],
                                      # precision_recall_fscore_support(average=None,
                                      #   labels=0..9, zero_division=0)
      "precision_macro": float, "recall_macro": float,
      "f1_macro": float, "f1_weighted": float,
      "confusion_matrix": [[int; 10]; 10]   # rows = true label, cols = predicted label
  },
  "pair": {
      "baseline": "baseline", "candidate": "candidate",
      "agreement": float,             # fraction of samples with equal predictions
      "n_baseline_right_candidate_wrong": int,  # b
      "n_candidate_right_baseline_wrong": int,  # c
      "baseline_right_candidate_wrong": [int],  # test-split indices
      "candidate_right_baseline_wrong": [int],
      "mcnemar_exact_p": float,       # min(1, 2 * sum_{i<=min(b,c)} C(b+c, i) / 2^(b+c)); 1 if b+c=0
      "mcnemar_exact_p_fraction": "num/den"
  }
}
"""

import os

# Single-threaded BLAS/ORT: modest CPU use and reproducible floating point.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import io  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import shutil  # noqa: E402
import zipfile  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from PIL import Image  # noqa: E402
from skl2onnx import convert_sklearn  # noqa: E402
from skl2onnx.common.data_types import FloatTensorType  # noqa: E402
from sklearn.datasets import load_diabetes, load_digits  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    confusion_matrix,
    f1_score,
    mean_absolute_error,
    precision_recall_fscore_support,
    r2_score,
    root_mean_squared_error,
    top_k_accuracy_score,
)
from sklearn.model_selection import train_test_split  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "digits"
FIXTURES = ROOT / "tests" / "fixtures" / "models"

SEED = 0
EPOCHS = 20
BATCH = 32
LR = 1e-3
PRODUCER = "modelci scripts/make-example.py"
PRODUCER_VERSION = "1"
CNN_OPSET = 13
CNN_IR_VERSION = 7  # the IR version that introduced opset 13
SKL_OPSET = {"": 15, "ai.onnx.ml": 3}
CLASSES = list(range(10))
F32 = np.float32


# --------------------------------------------------------------------------- utilities


def to_input(u8):
    """The one and only uint8 -> model input conversion."""
    return u8.astype(F32) / F32(255.0)


def f32_str(v):
    """Shortest decimal string that parses back to exactly the same float32."""
    s = np.format_float_positional(F32(v), unique=True, trim="-")
    assert F32(s) == F32(v) and F32(float(s)) == F32(v), (v, s)
    return s


def write_bytes(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_text(path, text):
    write_bytes(path, text.encode("utf-8"))


def write_json(path, obj):
    write_text(path, json.dumps(obj, indent=2) + "\n")


def write_npz(path, arrays):
    """Like np.savez_compressed, but with fixed zip timestamps (byte-stable)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, arr in arrays.items():
            npy = io.BytesIO()
            np.lib.format.write_array(npy, np.ascontiguousarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, npy.getvalue(), compresslevel=9)
    write_bytes(path, buf.getvalue())


def dedupe_opsets(model):
    """skl2onnx 1.20 writes the default domain twice in opset_import; keep one entry per domain."""
    best = {}
    for op in model.opset_import:
        best[op.domain] = max(best.get(op.domain, 0), op.version)
    del model.opset_import[:]
    for domain, version in sorted(best.items()):
        model.opset_import.append(helper.make_opsetid(domain, version))
    return model


def save_onnx(model, path):
    onnx.checker.check_model(model, full_check=True)
    write_bytes(path, model.SerializeToString(deterministic=True))


def session(path_or_bytes):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    src = str(path_or_bytes) if isinstance(path_or_bytes, Path) else path_or_bytes
    return ort.InferenceSession(src, opts, providers=["CPUExecutionProvider"])


def io_summary(path):
    m = onnx.load(str(path))

    def shape(vi):
        dims = vi.type.tensor_type.shape.dim
        return [d.dim_param if d.dim_param else (d.dim_value if d.HasField("dim_value") else None)
                for d in dims]

    ins = [(i.name, shape(i)) for i in m.graph.input]
    outs = [(o.name, shape(o)) for o in m.graph.output]
    return ins, outs


# --------------------------------------------------------------------------- data


def load_digits_u8():
    d = load_digits()
    x = d.images  # float64 [1797, 8, 8], values 0..16
    assert x.shape == (1797, 8, 8) and x.min() == 0 and x.max() == 16
    u8 = np.round(x * 255.0 / 16.0).astype(np.uint8)
    y = d.target.astype(np.int64)
    return u8, y


# --------------------------------------------------------------------------- numpy CNN


def conv_forward(x, w, b):
    """3x3 conv, stride 1, pad 1 (cross-correlation, as ONNX Conv). x [B,C,H,W]."""
    bsz, c, h, wd = x.shape
    f = w.shape[0]
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    win = sliding_window_view(xp, (3, 3), axis=(2, 3))  # [B,C,H,W,3,3]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(bsz * h * wd, c * 9)
    out = cols @ w.reshape(f, -1).T + b
    return out.reshape(bsz, h, wd, f).transpose(0, 3, 1, 2), cols


def conv_backward(dout, cols, w, x_shape, need_dx):
    bsz, c, h, wd = x_shape
    f = w.shape[0]
    dflat = dout.transpose(0, 2, 3, 1).reshape(bsz * h * wd, f)
    dw = (dflat.T @ cols).reshape(w.shape)
    db = dflat.sum(axis=0)
    if not need_dx:
        return None, dw, db
    dcols = (dflat @ w.reshape(f, -1)).reshape(bsz, h, wd, c, 3, 3)
    dxp = np.zeros((bsz, c, h + 2, wd + 2), dtype=dout.dtype)
    for ki in range(3):
        for kj in range(3):
            dxp[:, :, ki:ki + h, kj:kj + wd] += dcols[:, :, :, :, ki, kj].transpose(0, 3, 1, 2)
    return dxp[:, :, 1:-1, 1:-1], dw, db


def pool_forward(a):
    """2x2 max pool, stride 2. a [B,C,8,8] -> [B,C,4,4]."""
    bsz, c, h, wd = a.shape
    r = a.reshape(bsz, c, h // 2, 2, wd // 2, 2).transpose(0, 1, 2, 4, 3, 5)
    r = r.reshape(bsz, c, h // 2, wd // 2, 4)
    arg = r.argmax(axis=-1)
    return np.take_along_axis(r, arg[..., None], axis=-1)[..., 0], arg


def pool_backward(dp, arg, a_shape):
    bsz, c, h, wd = a_shape
    dr = np.zeros((bsz, c, h // 2, wd // 2, 4), dtype=dp.dtype)
    np.put_along_axis(dr, arg[..., None], dp[..., None], axis=-1)
    dr = dr.reshape(bsz, c, h // 2, wd // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5)
    return dr.reshape(bsz, c, h, wd)


def cnn_forward(p, x, keep=False):
    z1, cols1 = conv_forward(x, p["conv1.weight"], p["conv1.bias"])
    a1 = np.maximum(z1, 0)
    z2, cols2 = conv_forward(a1, p["conv2.weight"], p["conv2.bias"])
    a2 = np.maximum(z2, 0)
    pooled, arg = pool_forward(a2)
    flat = pooled.reshape(x.shape[0], -1)  # (c, h, w) order, as ONNX Flatten
    logits = flat @ p["fc.weight"].T + p["fc.bias"]
    if keep:
        return logits, (x, z1, cols1, a1, z2, cols2, a2, arg, pooled, flat)
    return logits


def softmax_xent(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    prob = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(prob[np.arange(len(y)), y] + 1e-12).mean()
    return float(loss), prob


def cnn_backward(p, cache, prob, y):
    x, z1, cols1, a1, z2, cols2, a2, arg, pooled, flat = cache
    bsz = len(y)
    dlog = prob.copy()
    dlog[np.arange(bsz), y] -= 1
    dlog /= bsz
    g = {"fc.weight": dlog.T @ flat, "fc.bias": dlog.sum(axis=0)}
    dpooled = (dlog @ p["fc.weight"]).reshape(pooled.shape)
    da2 = pool_backward(dpooled, arg, a2.shape)
    dz2 = da2 * (z2 > 0)
    da1, g["conv2.weight"], g["conv2.bias"] = conv_backward(dz2, cols2, p["conv2.weight"], a1.shape, True)
    dz1 = da1 * (z1 > 0)
    _, g["conv1.weight"], g["conv1.bias"] = conv_backward(dz1, cols1, p["conv1.weight"], x.shape, False)
    return g


def cnn_init(rng):
    def he(shape, fan_in):
        return (rng.standard_normal(shape) * math.sqrt(2.0 / fan_in)).astype(F32)

    return {
        "conv1.weight": he((32, 1, 3, 3), 9),
        "conv1.bias": np.zeros(32, F32),
        "conv2.weight": he((64, 32, 3, 3), 32 * 9),
        "conv2.bias": np.zeros(64, F32),
        "fc.weight": he((10, 64 * 4 * 4), 64 * 4 * 4),
        "fc.bias": np.zeros(10, F32),
    }


def cnn_predict(p, x, batch=256):
    return np.concatenate([cnn_forward(p, x[i:i + batch]) for i in range(0, len(x), batch)])


def shift_augment(xb, rng):
    """Shift every image by a random (dy, dx) in {-1, 0, 1}^2, filling with zeros."""
    xp = np.pad(xb, ((0, 0), (0, 0), (1, 1), (1, 1)))
    win = sliding_window_view(xp, (8, 8), axis=(2, 3))  # [B, 1, 3, 3, 8, 8]
    oy = rng.integers(0, 3, size=len(xb))
    ox = rng.integers(0, 3, size=len(xb))
    return np.ascontiguousarray(win[np.arange(len(xb)), :, oy, ox])  # [B, 1, 8, 8]


def train_cnn(x_tr, y_tr, x_val, y_val):
    rng = np.random.default_rng(SEED)
    p = cnn_init(rng)
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    b1, b2, eps = F32(0.9), F32(0.999), F32(1e-8)
    step = 0
    history = []
    for epoch in range(EPOCHS):
        order = rng.permutation(len(x_tr))
        tot_loss = tot_correct = 0.0
        for s in range(0, len(order), BATCH):
            idx = order[s:s + BATCH]
            xb, yb = shift_augment(x_tr[idx], rng), y_tr[idx]
            logits, cache = cnn_forward(p, xb, keep=True)
            loss, prob = softmax_xent(logits, yb)
            tot_loss += loss * len(idx)
            tot_correct += float((logits.argmax(axis=1) == yb).sum())
            grads = cnn_backward(p, cache, prob, yb)
            step += 1
            lr = LR * 0.5 * (1 + math.cos(math.pi * epoch / EPOCHS))  # cosine decay per epoch
            lr_t = F32(lr * math.sqrt(1 - 0.999 ** step) / (1 - 0.9 ** step))
            for k in p:
                gk = grads[k].astype(F32)
                m[k] = b1 * m[k] + (1 - b1) * gk
                v[k] = b2 * v[k] + (1 - b2) * gk * gk
                p[k] = (p[k] - lr_t * m[k] / (np.sqrt(v[k]) + eps)).astype(F32)
        val_logits = cnn_predict(p, x_val)
        val_loss, _ = softmax_xent(val_logits, y_val)
        row = {
            "epoch": epoch,
            "accuracy": tot_correct / len(x_tr),
            "loss": tot_loss / len(x_tr),
            "val_accuracy": float((val_logits.argmax(axis=1) == y_val).mean()),
            "val_loss": val_loss,
        }
        history.append(row)
        print(f"  epoch {epoch:2d}  loss {row['loss']:.4f}  acc {row['accuracy']:.4f}  "
              f"val_loss {row['val_loss']:.4f}  val_acc {row['val_accuracy']:.4f}", flush=True)
    return p, history


def cnn_onnx(p, name, nhwc=False, doc=""):
    """Conv-Relu-Conv-Relu-MaxPool-Flatten-Gemm, opset 13, batch dim named N."""
    inits = [numpy_helper.from_array(np.ascontiguousarray(v, dtype=F32), k) for k, v in p.items()]
    nodes = []
    x = "input"
    if nhwc:
        nodes.append(helper.make_node("Transpose", [x], ["nchw"], name="to_nchw", perm=[0, 3, 1, 2]))
        x = "nchw"
    nodes += [
        helper.make_node("Conv", [x, "conv1.weight", "conv1.bias"], ["conv1"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["conv1"], ["relu1"], name="relu1"),
        helper.make_node("Conv", ["relu1", "conv2.weight", "conv2.bias"], ["conv2"], name="conv2",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["conv2"], ["relu2"], name="relu2"),
        helper.make_node("MaxPool", ["relu2"], ["pool"], name="pool",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["pool"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1),
    ]
    in_shape = ["N", 8, 8, 1] if nhwc else ["N", 1, 8, 8]
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        initializer=inits,
    )
    return finish_model(graph, doc)


def finish_model(graph, doc):
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", CNN_OPSET)],
        producer_name=PRODUCER,
        producer_version=PRODUCER_VERSION,
        ir_version=CNN_IR_VERSION,
        doc_string=doc,
    )
    return model


# --------------------------------------------------------------------------- metrics


def classification_reference(y, pred, scores, **meta):
    prec, rec, f1, sup = precision_recall_fscore_support(
        y, pred, average=None, labels=CLASSES, zero_division=0)
    pm, rm, _, _ = precision_recall_fscore_support(
        y, pred, average="macro", labels=CLASSES, zero_division=0)
    out = dict(meta)
    out.update({
        "predictions": [int(v) for v in pred],
        "accuracy": float(accuracy_score(y, pred)),
        "top2_accuracy": float(top_k_accuracy_score(y, scores, k=2, labels=CLASSES)),
        "precision": [float(v) for v in prec],
        "recall": [float(v) for v in rec],
        "f1": [float(v) for v in f1],
        "support": [int(v) for v in sup],
        "precision_macro": float(pm),
        "recall_macro": float(rm),
        "f1_macro": float(f1_score(y, pred, average="macro", labels=CLASSES, zero_division=0)),
        "f1_weighted": float(f1_score(y, pred, average="weighted", labels=CLASSES, zero_division=0)),
        "confusion_matrix": confusion_matrix(y, pred, labels=CLASSES).astype(int).tolist(),
    })
    return out


def mcnemar_exact(b, c):
    n = b + c
    if n == 0:
        return Fraction(1)
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1))
    return min(Fraction(1), Fraction(2 * tail, 2 ** n))


def save_sklearn_for_serving(clf, flat_train, y_train, flat_test):
    """The baseline estimator itself, for a model server (deploy-notify's smoke check serves it
    with MLServer's scikit-learn runtime), and a deliberately different one that agrees less."""
    import joblib  # scikit-learn's own dependency; pinned through scikit-learn

    (EXAMPLE / "sklearn").mkdir(parents=True, exist_ok=True)
    joblib.dump(clf, EXAMPLE / "sklearn" / "model.joblib")
    assert np.array_equal(joblib.load(EXAMPLE / "sklearn" / "model.joblib").predict(flat_test),
                          clf.predict(flat_test))
    # Strong regularisation and 60 training samples: a valid digits model that disagrees with
    # the baseline on a good share of the test set.
    other = LogisticRegression(C=0.002, max_iter=5000).fit(flat_train[:60], y_train[:60])
    (EXAMPLE / "sklearn-other").mkdir(parents=True, exist_ok=True)
    joblib.dump(other, EXAMPLE / "sklearn-other" / "model.joblib")
    agreement = float((other.predict(flat_test) == clf.predict(flat_test)).mean())
    print(f"sklearn-other agrees with the baseline on {agreement:.3f} of the test set")
    assert agreement < 0.9, agreement


QUANTIZE_FIXTURES = ROOT / "tests" / "fixtures" / "quantize"


def make_quantize_fixtures(flat_train, y_train, flat_test, y_test):
    """Small models for `quantize` (issue 5): each covers a graph shape real exporters write.

    Own RandomState, so the other outputs do not change when these do.
    """
    from sklearn.neural_network import MLPClassifier

    out = QUANTIZE_FIXTURES
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = np.random.RandomState(5)

    def w(*shape, scale=0.3):
        return (rng.standard_normal(shape) * scale).astype(F32)

    def init(name, array):
        return numpy_helper.from_array(array, name)

    def save(graph, name, doc, opset=CNN_OPSET):
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", opset)], producer_name=PRODUCER,
            producer_version=PRODUCER_VERSION, ir_version=CNN_IR_VERSION, doc_string=doc)
        onnx.checker.check_model(model, full_check=True)
        save_onnx(model, out / name)

    # gemm.onnx: two Gemm layers, one with transB/alpha/beta, one plain
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["input", "W1", "B1"], ["h"], name="fc1",
                          transB=1, alpha=0.5, beta=2.0),
         helper.make_node("Relu", ["h"], ["r"], name="relu"),
         helper.make_node("Gemm", ["r", "W2", "B2"], ["logits"], name="fc2")],
        "gemm",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        initializer=[init("W1", w(48, 64)), init("B1", w(48, scale=0.1)),
                     init("W2", w(48, 10)), init("B2", w(10, scale=0.1))])
    save(graph, "gemm.onnx", "fixture: Gemm with transB, alpha, beta; Gemm plain")

    # conv_bias.onnx: Conv with bias, depthwise Conv with bias (tiny: stays fp32), pooling head
    graph = helper.make_graph(
        [helper.make_node("Conv", ["input", "C1", "CB1"], ["c1"], name="conv1",
                          kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
         helper.make_node("Conv", ["r1", "C2", "CB2"], ["c2"], name="depthwise",
                          kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=16),
         helper.make_node("GlobalAveragePool", ["c2"], ["gap"], name="gap"),
         helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1),
         helper.make_node("Conv", ["input", "C3"], ["c3"], name="conv_no_bias",
                          kernel_shape=[8, 8]),
         helper.make_node("Flatten", ["c3"], ["flat3"], name="flatten3", axis=1),
         helper.make_node("Concat", ["flat", "flat3"], ["logits"], name="concat", axis=1)],
        "conv_bias",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 26])],
        initializer=[init("C1", w(16, 1, 3, 3)), init("CB1", w(16, scale=0.1)),
                     init("C2", w(16, 1, 3, 3)), init("CB2", w(16, scale=0.1)),
                     init("C3", w(10, 1, 8, 8, scale=0.1))])
    save(graph, "conv_bias.onnx", "fixture: Conv with bias, depthwise Conv, Conv without bias")

    # matmul_3d.onnx: MatMul on a [N, 6, 32] input (a sequence model's projection)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["input", "P"], ["p"], name="proj"),
         helper.make_node("Add", ["p", "PB"], ["pb"], name="proj_bias"),
         helper.make_node("Tanh", ["pb"], ["t"], name="tanh"),
         helper.make_node("MatMul", ["t", "O"], ["output"], name="out")],
        "matmul_3d",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 6, 32])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 6, 16])],
        initializer=[init("P", w(32, 48)), init("PB", w(48, scale=0.1)), init("O", w(48, 16))])
    save(graph, "matmul_3d.onnx", "fixture: MatMul with a 3-D input")
    # Its calibration inputs for static mode (`--calibration-data`): raw inputs [32, 6, 32],
    # uniform in [0, 1) like the probe input, from their own RandomState (the other outputs keep
    # their bytes).
    calib = np.random.RandomState(53).rand(32, 6, 32).astype(F32)
    np.save(out / "matmul_3d_calibration.npy", calib)

    # constant_weights.onnx: weights as Constant nodes (as detectors and traced exports write)
    def constant(name, array):
        return helper.make_node("Constant", [], [name], name=f"const_{name}",
                                value=numpy_helper.from_array(array, name))
    graph = helper.make_graph(
        [constant("K1", w(64, 40)), constant("KB1", w(40, scale=0.1)),
         constant("K2", w(40, 10)),
         helper.make_node("MatMul", ["input", "K1"], ["m1"], name="mm1"),
         helper.make_node("Add", ["m1", "KB1"], ["a1"], name="add1"),
         helper.make_node("Relu", ["a1"], ["r1"], name="relu1"),
         helper.make_node("MatMul", ["r1", "K2"], ["m2"], name="mm2"),
         helper.make_node("Softmax", ["m2"], ["probabilities"], name="softmax", axis=1)],
        "constant_weights",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 10])])
    save(graph, "constant_weights.onnx", "fixture: weights as Constant nodes, Softmax head")

    # Calibration inputs for `tests/fixtures/models/seven_classes.onnx` (random Gemm weights, 7
    # logits: no dataset's labels fit it): the first 32 rows of the digits test features.
    np.save(out / "seven_classes_calibration.npy", np.ascontiguousarray(flat_test[:32], dtype=F32))

    # old_opset.onnx: a MatMul model at opset 9 (too old for DynamicQuantizeLinear)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["input", "M"], ["output"], name="mm")],
        "old_opset",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 32])],
        initializer=[init("M", w(64, 32))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)],
                              producer_name=PRODUCER, producer_version=PRODUCER_VERSION,
                              ir_version=4, doc_string="fixture: opset 9")
    onnx.checker.check_model(model, full_check=True)
    save_onnx(model, out / "old_opset.onnx")

    # skl_mlp.onnx: skl2onnx MLPClassifier, opset list as skl2onnx writes it (default domain twice)
    mlp = MLPClassifier(hidden_layer_sizes=(32,), max_iter=400, random_state=0)
    mlp.fit(flat_train, y_train)
    onx = convert_sklearn(mlp, name="digits_mlp",
                          initial_types=[("input", FloatTensorType([None, 64]))],
                          target_opset=SKL_OPSET, options={id(mlp): {"zipmap": False}})
    # skl2onnx lists the opsets in set order, which changes with Python's string hashing:
    # default domain first, then the others by name, so the file's bytes do not change.
    opsets = [helper.make_opsetid(o.domain, o.version)
              for o in sorted(onx.opset_import, key=lambda o: (o.domain != "", o.domain))]
    del onx.opset_import[:]
    onx.opset_import.extend(opsets)
    # skl2onnx repeats the default domain for some estimators (the baseline's LogisticRegression);
    # for this one it does not, so the repeat is added the way skl2onnx writes it.
    if [o.domain for o in onx.opset_import].count("") < 2:
        onx.opset_import.append(helper.make_opsetid("", SKL_OPSET[""]))
    domains = [(o.domain, o.version) for o in onx.opset_import]
    assert [d for d, _ in domains].count("") == 2, domains
    onx.doc_string = "fixture: skl2onnx MLPClassifier with the repeated opset entry it writes"
    save_onnx(onx, out / "skl_mlp.onnx")
    mlp_acc = float(accuracy_score(y_test, mlp.predict(flat_test)))

    sizes = {p.name: p.stat().st_size for p in sorted(out.glob("*.onnx"))}
    assert sum(sizes.values()) < 300_000, sizes
    rows = "\n".join(f"| `{name}` | {size} |" for name, size in sizes.items())
    write_text(out / "README.md", f"""# quantize test models

Generated by `scripts/make-example.py` (`make_quantize_fixtures`); weights are seeded random
numbers except `skl_mlp.onnx`, a scikit-learn `MLPClassifier` trained on the example's digits
train split (test accuracy {mlp_acc:.4f}). Used by `crates/quantize/tests/`.

| file | what it covers |
|---|---|
| `gemm.onnx` | Gemm with `transB=1`, `alpha=0.5`, `beta=2`, then a plain Gemm; input `[N, 64]` |
| `conv_bias.onnx` | Conv with bias, a depthwise Conv too small to shrink, a Conv without bias; input `[N, 1, 8, 8]` |
| `matmul_3d.onnx` | MatMul with a 3-D input `[N, 6, 32]` |
| `matmul_3d_calibration.npy` | static-mode calibration inputs for `matmul_3d.onnx` (`--calibration-data`): float32 `[32, 6, 32]`, uniform in [0, 1) like the probe input, seed 53 |
| `seven_classes_calibration.npy` | static-mode calibration inputs for `tests/fixtures/models/seven_classes.onnx`: the first 32 rows of the digits test features, float32 `[32, 64]` |
| `constant_weights.onnx` | weights as `Constant` nodes instead of initializers, Softmax head |
| `old_opset.onnx` | MatMul at opset 9 (too old for the int8 modes) |
| `skl_mlp.onnx` | skl2onnx `MLPClassifier` whose opset list repeats the default domain: {domains} |

Written by `scripts/quantize_fixtures.py` (onnx, onnxruntime and numpy only; see its docstring),
for the verification of issue 16:

| file | what it covers |
|---|---|
| `resnet_like.onnx` | a small ResNet (residual blocks, a strided Conv, global pooling): input `[N, 3, 32, 32]` |
| `three_inputs.onnx` + `three_inputs_calibration.npz` | inputs `image` float `[N, 64]`, `extra` float `[N, 8]`, `position` int64 `[N, 1]`; the calibration arrays by name, no labels |
| `opset9_cnn.onnx` | Conv, MaxPool, Gemm, Softmax at opset 9 (raised to 11 for dynamic mode) |
| `dynamic_hw_calibration.npy` | float32 `[16, 1, 12, 20]` digits on a 12x20 canvas, for `tests/fixtures/models/dynamic_hw.onnx` |
| `fp16_overflow.onnx` | exact in fp32, NaN in fp16 (`h + (h * 1e6 - h * 1e6)`) |

| file | bytes |
|---|---|
{rows}
""")


# --------------------------------------------------------------------------- main


def main():
    for d in (EXAMPLE, FIXTURES):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)

    # ---------------- data
    u8, y = load_digits_u8()
    u8_train, u8_test, y_train, y_test = train_test_split(
        u8, y, test_size=0.2, random_state=0, stratify=y)
    assert len(y_test) == 360
    x_train, x_test = to_input(u8_train), to_input(u8_test)

    # test/<label>/<nnnn>.png
    for n, (img, label) in enumerate(zip(u8_test, y_test)):
        path = EXAMPLE / "test" / str(int(label)) / f"{n:04d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(img), mode="L").save(buf, format="PNG", optimize=True)
        write_bytes(path, buf.getvalue())

    write_npz(EXAMPLE / "test.npz", {"x": u8_test.astype(np.uint8), "y": y_test.astype(np.int64)})

    lut = [f32_str(F32(i) / F32(255.0)) for i in range(256)]
    lines = [",".join([f"f{i}" for i in range(64)] + ["label"])]
    for img, label in zip(u8_test.reshape(-1, 64), y_test):
        lines.append(",".join([lut[int(v)] for v in img] + [str(int(label))]))
    write_text(EXAMPLE / "test.csv", "\n".join(lines) + "\n")

    # ---------------- baseline: logistic regression on the full train split
    print("training baseline (LogisticRegression)", flush=True)
    flat_train, flat_test = x_train.reshape(-1, 64), x_test.reshape(-1, 64)
    clf = LogisticRegression(max_iter=5000)
    clf.fit(flat_train, y_train)
    onx = convert_sklearn(
        clf, name="digits_baseline",
        initial_types=[("input", FloatTensorType([None, 64]))],
        target_opset=SKL_OPSET, options={id(clf): {"zipmap": False}})
    dedupe_opsets(onx)
    onx.doc_string = "modelci digits example baseline: LogisticRegression on u8/255 pixels"
    save_onnx(onx, EXAMPLE / "baseline.onnx")
    sess = session(EXAMPLE / "baseline.onnx")
    out_names = [o.name for o in sess.get_outputs()]
    assert out_names == ["label", "probabilities"], out_names
    b_label, b_proba = sess.run(None, {"input": flat_test})
    assert b_label.dtype == np.int64 and b_label.shape == (360,)
    assert b_proba.dtype == np.float32 and b_proba.shape == (360, 10)
    assert np.allclose(b_proba, clf.predict_proba(flat_test), atol=1e-5)
    assert np.array_equal(b_label, b_proba.argmax(axis=1))
    b_skl_agree = float((b_label == clf.predict(flat_test)).mean())
    save_sklearn_for_serving(clf, flat_train, y_train, flat_test)
    make_quantize_fixtures(flat_train, y_train, flat_test, y_test)

    # ---------------- candidate: numpy CNN, 80/20 split of the train split
    print("training candidate CNN (numpy)", flush=True)
    xc_tr, xc_val, yc_tr, yc_val = train_test_split(
        x_train, y_train, test_size=0.2, random_state=0, stratify=y_train)
    xc_tr, xc_val = xc_tr[:, None], xc_val[:, None]
    params, history = train_cnn(xc_tr, yc_tr, xc_val, yc_val)
    cand = cnn_onnx(params, "digits_cnn", doc="modelci digits example candidate: small CNN, NCHW")
    save_onnx(cand, EXAMPLE / "candidate.onnx")
    sess = session(EXAMPLE / "candidate.onnx")
    c_logits = sess.run(["logits"], {"input": x_test[:, None]})[0]
    np_logits = cnn_predict(params, x_test[:, None])
    assert np.allclose(c_logits, np_logits, rtol=1e-4, atol=1e-4), np.abs(c_logits - np_logits).max()
    c_label = c_logits.argmax(axis=1).astype(np.int64)
    assert np.array_equal(c_label, np_logits.argmax(axis=1))
    test_loss, _ = softmax_xent(c_logits.astype(np.float64), y_test)

    with open(EXAMPLE / "history.csv", "w", newline="\n") as fh:
        fh.write("epoch,accuracy,loss,val_accuracy,val_loss\n")
        for r in history:
            fh.write(f"{r['epoch']},{r['accuracy']!r},{r['loss']!r},{r['val_accuracy']!r},{r['val_loss']!r}\n")
    last = history[-1]
    write_json(EXAMPLE / "metrics.json", {
        "train": {"loss": last["loss"], "accuracy": last["accuracy"]},
        "val": {"loss": last["val_loss"], "accuracy": last["val_accuracy"]},
        "test": {"loss": test_loss, "accuracy": float(accuracy_score(y_test, c_label))},
    })

    # ---------------- reference.json
    base_ref = classification_reference(
        y_test, b_label, b_proba, file="baseline.onnx", input_name="input",
        input_shape=[None, 64], score_output="probabilities", score_kind="probabilities")
    cand_ref = classification_reference(
        y_test, c_label, c_logits, file="candidate.onnx", input_name="input",
        input_shape=["N", 1, 8, 8], score_output="logits", score_kind="logits")
    b_ok, c_ok = b_label == y_test, c_label == y_test
    b_only = [int(i) for i in np.flatnonzero(b_ok & ~c_ok)]
    c_only = [int(i) for i in np.flatnonzero(c_ok & ~b_ok)]
    p = mcnemar_exact(len(b_only), len(c_only))
    reference = {
        "dataset": "digits",
        "n_samples": int(len(y_test)),
        "class_names": [str(c) for c in CLASSES],
        "y_true": [int(v) for v in y_test],
        "preprocessing": "u8 = round(x * 255 / 16); input = float32(u8) / 255",
        "baseline": base_ref,
        "candidate": cand_ref,
        "pair": {
            "baseline": "baseline",
            "candidate": "candidate",
            "agreement": float((b_label == c_label).mean()),
            "n_baseline_right_candidate_wrong": len(b_only),
            "n_candidate_right_baseline_wrong": len(c_only),
            "baseline_right_candidate_wrong": b_only,
            "candidate_right_baseline_wrong": c_only,
            "mcnemar_exact_p": float(p),
            "mcnemar_exact_p_fraction": f"{p.numerator}/{p.denominator}",
        },
    }
    write_json(EXAMPLE / "reference.json", reference)
    acc_b, acc_c = base_ref["accuracy"], cand_ref["accuracy"]
    print(f"baseline test accuracy {acc_b:.4f} (sklearn/ort label agreement {b_skl_agree:.4f}), "
          f"candidate {acc_c:.4f}, McNemar p {float(p):.4g} (b={len(b_only)}, c={len(c_only)})")
    assert acc_c > acc_b

    # ---------------- fixtures
    frng = np.random.default_rng(12345)

    # nan_output.onnx: (input @ W) * 0 / 0 -> NaN everywhere
    w = frng.standard_normal((64, 10)).astype(F32)
    zeros = np.zeros(10, F32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["input", "W"], ["mm"], name="matmul"),
         helper.make_node("Mul", ["mm", "zero"], ["zeroed"], name="times_zero"),
         helper.make_node("Div", ["zeroed", "zero"], ["logits"], name="zero_over_zero")],
        "nan_output",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        initializer=[numpy_helper.from_array(w, "W"), numpy_helper.from_array(zeros, "zero")])
    save_onnx(finish_model(graph, "fixture: outputs NaN for every input"), FIXTURES / "nan_output.onnx")
    out = session(FIXTURES / "nan_output.onnx").run(None, {"input": flat_test})[0]
    assert out.shape == (360, 10) and np.isnan(out).all()

    # seven_classes.onnx: Gemm with fixed random weights, 7 logits
    w7 = (frng.standard_normal((7, 64)) * 0.5).astype(F32)
    b7 = (frng.standard_normal(7) * 0.1).astype(F32)
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["input", "W", "B"], ["logits"], name="fc", transB=1)],
        "seven_classes",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 7])],
        initializer=[numpy_helper.from_array(w7, "W"), numpy_helper.from_array(b7, "B")])
    save_onnx(finish_model(graph, "fixture: valid 7-class linear classifier (random weights)"),
              FIXTURES / "seven_classes.onnx")
    out7 = session(FIXTURES / "seven_classes.onnx").run(None, {"input": flat_test})[0]
    assert out7.shape == (360, 7) and np.isfinite(out7).all()

    # nhwc_cnn.onnx: the candidate's weights behind a Transpose
    nhwc = cnn_onnx(params, "digits_cnn_nhwc", nhwc=True,
                    doc="fixture: candidate CNN weights with NHWC input")
    save_onnx(nhwc, FIXTURES / "nhwc_cnn.onnx")
    nhwc_logits = session(FIXTURES / "nhwc_cnn.onnx").run(None, {"input": x_test[..., None]})[0]
    assert np.allclose(nhwc_logits, c_logits, rtol=1e-5, atol=1e-5)
    nhwc_acc = float(accuracy_score(y_test, nhwc_logits.argmax(axis=1)))
    assert nhwc_acc == acc_c

    # regression.onnx + regression.csv + regression_reference.json
    xd, yd = load_diabetes(return_X_y=True)
    xd = xd.astype(F32)
    xd_tr, xd_te, yd_tr, yd_te = train_test_split(xd, yd, test_size=0.2, random_state=0)
    assert np.array_equal(yd, np.round(yd))  # integer targets: exact in any float format
    reg = LinearRegression().fit(xd_tr, yd_tr)
    onx = convert_sklearn(reg, name="diabetes_linear",
                          initial_types=[("input", FloatTensorType([None, 10]))],
                          target_opset=SKL_OPSET)
    dedupe_opsets(onx)
    onx.doc_string = "fixture: LinearRegression on scikit-learn's bundled diabetes data"
    save_onnx(onx, FIXTURES / "regression.onnx")
    rs = session(FIXTURES / "regression.onnx")
    reg_pred = rs.run(None, {"input": xd_te})[0]
    assert reg_pred.shape == (len(xd_te), 1)
    assert np.allclose(reg_pred[:, 0], reg.predict(xd_te), rtol=1e-4, atol=1e-3)
    lines = [",".join([f"f{i}" for i in range(10)] + ["target"])]
    for row, t in zip(xd_te, yd_te):
        lines.append(",".join([f32_str(v) for v in row] + [f32_str(t)]))
    write_text(FIXTURES / "regression.csv", "\n".join(lines) + "\n")
    pr = reg_pred[:, 0].astype(np.float64)
    write_json(FIXTURES / "regression_reference.json", {
        "dataset": "diabetes",
        "n_samples": int(len(yd_te)),
        "model": "regression.onnx",
        "input_name": "input",
        "output_name": rs.get_outputs()[0].name,
        "mean_absolute_error": float(mean_absolute_error(yd_te, pr)),
        "root_mean_squared_error": float(root_mean_squared_error(yd_te, pr)),
        "r2_score": float(r2_score(yd_te, pr)),
        "predictions": [float(v) for v in reg_pred[:, 0]],
    })

    # truncated.onnx / garbage.onnx
    base_bytes = (EXAMPLE / "baseline.onnx").read_bytes()
    write_bytes(FIXTURES / "truncated.onnx", base_bytes[: len(base_bytes) // 2])
    write_bytes(FIXTURES / "garbage.onnx", np.random.default_rng(4242).integers(
        0, 256, size=200, dtype=np.uint8).tobytes())
    for bad in ("truncated.onnx", "garbage.onnx"):
        try:
            session(FIXTURES / bad)
        except Exception:  # noqa: BLE001 - any load failure is what we want
            pass
        else:
            raise AssertionError(f"{bad} unexpectedly loads in onnxruntime")

    # ---------------- several inputs, integer inputs, dynamic shapes, fixed batch (issue 15)
    import model_fixtures  # noqa: E402 - beside this script
    model_fixtures.make({
        "FIXTURES": FIXTURES, "finish_model": finish_model, "save_onnx": save_onnx,
        "session": session, "write_npz": write_npz, "write_json": write_json,
        "write_text": write_text, "u8_train": u8_train, "u8_test": u8_test,
        "y_train": y_train, "y_test": y_test, "x_train": x_train, "x_test": x_test,
        "params": params, "conv_forward": conv_forward, "cnn_onnx": cnn_onnx,
    })

    # ---------------- models for the onnxruntime engine (issue 17)
    import engine_fixtures  # noqa: E402 - beside this script
    engine_fixtures.make({
        "FIXTURES": FIXTURES, "EXAMPLE": EXAMPLE, "SKL_OPSET": SKL_OPSET,
        "save_onnx": save_onnx, "session": session, "dedupe_opsets": dedupe_opsets,
        "write_npz": write_npz, "write_json": write_json,
        "u8_train": u8_train, "u8_test": u8_test, "y_train": y_train, "y_test": y_test,
        "x_train": x_train, "x_test": x_test,
    })

    # ---------------- the text example (issue 15)
    import text_example  # noqa: E402 - beside this script
    text_example.make({
        "ROOT": ROOT, "finish_model": finish_model, "save_onnx": save_onnx, "session": session,
        "write_text": write_text, "write_json": write_json,
    })

    # ---------------- quantize's verification models (issue 16): need test.npz and dynamic_hw
    import quantize_fixtures  # noqa: E402 - beside this script
    quantize_fixtures.main()

    # ---------------- READMEs
    write_text(EXAMPLE / "README.md", example_readme(base_ref, cand_ref, reference["pair"], last,
                                                     metrics_test=acc_c))
    write_text(FIXTURES / "README.md", fixtures_readme(nhwc_acc, len(yd_te)))

    print("model inputs/outputs:")
    for path in sorted(list(EXAMPLE.glob("*.onnx")) + list(FIXTURES.glob("*.onnx"))):
        if path.name in ("truncated.onnx", "garbage.onnx"):
            continue
        ins, outs = io_summary(path)
        print(f"  {path.relative_to(ROOT)}: in {ins} out {outs}")


def example_readme(base, cand, pair, last, metrics_test):
    return f"""# digits example

A complete, small modelci example: two ONNX classifiers for 8x8 handwritten digits
and the held-out test set in every dataset form modelci reads.

Generated by `scripts/make-example.py` (see its docstring to rerun; output is
byte-identical for the pinned versions in `scripts/requirements-example.txt`).
Do not edit these files by hand.

| file | what it is |
|---|---|
| `test/<label>/<nnnn>.png` | one 8x8 grayscale 8-bit PNG per test sample; `nnnn` = index in the test split |
| `test.npz` | `x`: uint8 `[360, 8, 8]` (same pixels as the PNGs), `y`: int64 `[360]` |
| `test.csv` | header `f0,...,f63,label`; features = pixel / 255 as float32 (shortest exact decimal) |
| `baseline.onnx` | scikit-learn `LogisticRegression` (skl2onnx, opset 15 + ai.onnx.ml): input `input` `[N, 64]` float; outputs `label` int64 `[N]`, `probabilities` float `[N, 10]` |
| `candidate.onnx` | small CNN trained with numpy (opset 13): input `input` `[N, 1, 8, 8]` float (NCHW); output `logits` `[N, 10]` (raw logits) |
| `reference.json` | expected metrics (scikit-learn on onnxruntime outputs) for both models and the pair; layout documented at the top of `scripts/make-example.py` |
| `history.csv` | the CNN's training history, Keras `CSVLogger` format (`epoch,accuracy,loss,val_accuracy,val_loss`) |
| `metrics.json` | the CNN's final metrics, DVC-style nested JSON |

## How it was made

* Data: scikit-learn `load_digits` (1797 samples, 8x8, values 0..16, 10 classes),
  split with `train_test_split(test_size=0.2, random_state=0, stratify=y)`:
  1437 train / 360 test samples.
* Pixels are quantised once: `u8 = round(x * 255 / 16)`. The model input is
  always `float32(u8) / 255` (PNG, NPZ and CSV give bit-identical inputs).
* Baseline: `LogisticRegression(max_iter=5000)` on the 1437 training samples.
* Candidate: Conv(32, 3x3, pad 1) - Relu - Conv(64, 3x3, pad 1) - Relu - MaxPool 2x2 -
  Flatten - Gemm(10), He init, Adam (lr {LR}, cosine decay per epoch), batch {BATCH},
  {EPOCHS} epochs, seed {SEED}, random +-1 pixel shifts as augmentation; trained on 80%
  of the training split, the other 20% is the validation set of `history.csv`
  (training accuracy/loss there are batch averages over the augmented epoch, as Keras
  reports them).

## Expected results on the 360 test samples

| model | accuracy | top-2 accuracy | macro F1 |
|---|---|---|---|
| baseline | {base['accuracy']:.4f} | {base['top2_accuracy']:.4f} | {base['f1_macro']:.4f} |
| candidate | {cand['accuracy']:.4f} | {cand['top2_accuracy']:.4f} | {cand['f1_macro']:.4f} |

Agreement {pair['agreement']:.4f}; baseline right / candidate wrong: {pair['n_baseline_right_candidate_wrong']},
candidate right / baseline wrong: {pair['n_candidate_right_baseline_wrong']};
exact McNemar p = {pair['mcnemar_exact_p']:.4g}.
Final CNN epoch: train accuracy {last['accuracy']:.4f}, validation accuracy {last['val_accuracy']:.4f};
test accuracy {metrics_test:.4f}.

## License

The digits data is scikit-learn's bundled copy of the UCI Machine Learning
Repository "Optical Recognition of Handwritten Digits" dataset (E. Alpaydin,
C. Kaynak), licensed CC BY 4.0. The models and the other files are generated
and distributed under the repository's license.
"""


def fixtures_readme(nhwc_acc, n_reg):
    return f"""# ONNX model fixtures

Small models for bad-input and format tests. Generated by `scripts/make-example.py`
(the issue-15 models by `scripts/model_fixtures.py`, which it calls); do not edit by
hand. Unless the table says otherwise, inputs are named `input` (float32, batch
dimension `N` dynamic); custom models are opset 13 / IR 7, skl2onnx models opset 15 +
ai.onnx.ml.

| file | what it is | what a test should expect |
|---|---|---|
| `nan_output.onnx` | `input` `[N, 64]` -> `logits` `[N, 10]`: `(input @ W) * 0 / 0` | loads and runs; every output is NaN: a result, not bad input — eval-diff and train-check write their report and fail (exit 1), never argmax NaN |
| `seven_classes.onnx` | valid linear classifier (`Gemm`, fixed random weights): `input` `[N, 64]` -> `logits` `[N, 7]` | runs fine; comparing it with a 10-class model (e.g. `examples/digits/baseline.onnx`) must fail with a "different number of classes" error; against the 10-class digits labels it is a class-count mismatch |
| `nhwc_cnn.onnx` | the trained candidate CNN behind a `Transpose`: `input` `[N, 8, 8, 1]` (NHWC) -> `logits` `[N, 10]` | layout detection / `--layout nhwc`: on the digits test set it must give exactly the candidate's logits, accuracy **{nhwc_acc:.4f}** |
| `regression.onnx` | scikit-learn `LinearRegression` on `load_diabetes` (skl2onnx): `input` `[N, 10]` -> `variable` `[N, 1]` | regression task; metrics must match `regression_reference.json` |
| `regression.csv` | its test split ({n_reg} rows, `train_test_split(test_size=0.2, random_state=0)`), header `f0..f9,target`, float32 features | dataset for `regression.onnx` |
| `regression_reference.json` | `mean_absolute_error`, `root_mean_squared_error`, `r2_score` (scikit-learn, on onnxruntime predictions) and the `predictions` | compare with a tolerance (~1e-4 relative) |
| `truncated.onnx` | the first half of the bytes of `examples/digits/baseline.onnx` | loading fails with a clear "cannot parse model" error, no panic |
| `garbage.onnx` | 200 bytes of fixed pseudo-random data | loading fails with a clear error, no panic |
| `two_input_tokens.onnx` + `.npz` | two int64 inputs, `input_ids` `[N, 64]` (token = position * 17 + intensity) and `attention_mask` `[N, 64]` (1 where the pixel is not blank): summed token embeddings (the coefficients of a logistic regression on those one-hot tokens) -> `logits` `[N, 10]`; the `.npz` holds both arrays by name, `y` and `ids` (`digit-0000`…) | fed by name; accuracy in `models_reference.json` |
| `int32_input.onnx` + `.npz` | one int32 input `tokens` `[N, 64]` (intensities 0..16), `Cast` then a linear layer | integer input fed without scaling, from int32 or uint8 arrays |
| `state_rnn.onnx` + `.npz` | three inputs: `image` float32 `[N, 8, 8]` (rows as time steps), `h0` float32 `[N, 32]` (the initial recurrent state), `row_mask` bool `[N, 8]` (rows to skip) -> `logits` `[N, 10]`, `h` `[N, 32]`: an echo-state RNN with a trained readout | a model with a state tensor input |
| `dynamic_hw.onnx` | `input` `[N, 1, H, W]`: the candidate's first conv, global max and average pooling, a linear readout | dynamic height and width (`--image-size`, `--input-shape`) |
| `fixed_batch1.onnx` | the CNN with input `[1, 1, 8, 8]` and output `[1, 10]` | run at batch 1 whatever `--batch-size` says |
| `partial_nan.onnx` | `input` `[N, 64]` -> `logits` `[N, 10]`: a linear classifier plus `r - r` with `r = sqrt(pixel27 - 0.3)`, NaN where pixel 27 is below 0.3 | NaN for some samples: counted and named, metrics on the rest, exit 1 |
| `models_reference.json` | onnxruntime accuracies of the models above, the NaN sample count and first names | compare exactly |
| `../logs/never_learned.csv` | a Keras-style history of softmax regression trained on labels shuffled against the images: loss flat near ln 10 = 2.30, val_accuracy ~0.07 | train-check fails it with no thresholds given |
| `tree_regressor.onnx` | scikit-learn `RandomForestRegressor` (10 trees, depth 5) on `load_diabetes` (skl2onnx: `ai.onnx.ml` `TreeEnsembleRegressor`): `input` `[N, 10]` -> `variable` `[N, 1]` | tract cannot run it (operator unimplemented); `--engine onnxruntime` on `regression.csv` matches `engine_reference.json` |
| `binary_gbc.onnx` + `binary_digits.npz` | scikit-learn `GradientBoostingClassifier` (20 trees) for digits 5-9 vs 0-4 (`zipmap` off): `input` `[N, 64]` -> `label` `[N]`, `probabilities` `[N, 2]`; the `.npz` holds the test images (`x` uint8) and the binary `y` | tract refuses it; `--engine onnxruntime` accuracy in `engine_reference.json` |
| `digits_fp16.onnx` | the candidate CNN with every float in float16 (weights, `input` `[N, 1, 8, 8]`, `logits` `[N, 10]`) | runs in onnxruntime at full speed (tract is hundreds of times slower on fp16); accuracy in `engine_reference.json` |
| `engine_reference.json` | onnxruntime metrics of the three models above (`scripts/engine_fixtures.py`) | compare with a tolerance (~1e-4 relative) |

The diabetes data is scikit-learn's bundled copy (Efron et al., "Least Angle
Regression", 2004).
"""


if __name__ == "__main__":
    main()
