#!/usr/bin/env python3
"""Builds the classifier and data drift-check's model-check tests use (issue 20: prediction drift,
score shift, estimated and measured accuracy).

Writes into OUT (a folder):
- reference.csv: 2000 labelled rows, four features x0..x3 ~ N(0, 1) and a `label` drawn from
  a logistic rule P(y=1) = sigmoid(2 x0 - 1.5 x1 + 0.5 x2);
- model.onnx: a logistic regression fitted to reference.csv by Newton's method (numpy, no
  randomness), exported as Gemm + Softmax with one output `probabilities` [N, 2];
- other.onnx: the same graph with other weights (another model, for the digest warning);
- regressor.onnx: a linear regression of 3 x0 - x1 (least squares on reference.csv) with one
  input per feature, named x0..x3 ([N, 1] each), and one output `value` [N, 1];
- regression_{reference,stable,shifted}.csv: the same features with a numeric `label`,
  3 x0 - x1 + N(0, 0.5); in the shifted file x0 moved by +1 and the label gained 2 (the
  regressor's error grows);
- stable.csv: 1000 new rows from the reference's distribution;
- shifted.csv: 1000 rows where x0 moved by +1 and the rule changed (P(y=1) = sigmoid(-2 x0 -
  1.5 x1 + 0.5 x2)): the predictions drift and the accuracy falls;
- shifted.jsonl: shifted.csv as a KServe payload log: per batch of 10 rows, one CloudEvent for
  the request (type org.kubeflow.serving.inference.request, the rows as one FP32 tensor
  `input` [N, 4], the labels in the request's `parameters`) and one for the response (type
  ...response, same id, `probabilities` computed by onnxruntime from model.onnx).

Run: MODELCI_PYTHON scripts/drift_classifier.py OUT   (needs numpy, onnx, onnxruntime)
"""
import csv
import json
import pathlib
import sys

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

FEATURES = ["x0", "x1", "x2", "x3"]


def sample(rng, n, shift, weights):
    x = rng.normal(size=(n, 4))
    x[:, 0] += shift
    p = 1.0 / (1.0 + np.exp(-(x @ weights)))
    y = (rng.random(n) < p).astype(int)
    return x, y


def fit(x, y):
    """Logistic regression with an intercept, by Newton's method (IRLS)."""
    a = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(a.shape[1])
    for _ in range(25):
        p = 1.0 / (1.0 + np.exp(-(a @ w)))
        gradient = a.T @ (y - p)
        hessian = (a * (p * (1 - p))[:, None]).T @ a
        w += np.linalg.solve(hessian, gradient)
    return w[:-1], w[-1]


def export(path, coef, intercept):
    """Two-class scores z = [0, x·coef + b], softmax → [1 - sigmoid, sigmoid]."""
    weights = np.stack([np.zeros(4), coef], axis=1).astype(np.float32)  # [4, 2]
    bias = np.array([0.0, intercept], dtype=np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Gemm", ["input", "W", "B"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        ],
        "logistic_regression",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 2])],
        [numpy_helper.from_array(weights, "W"), numpy_helper.from_array(bias, "B")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def export_regressor(path, x):
    """Least squares fit of 3 x0 - x1, one graph input per feature (Concat, MatMul, Add)."""
    target = 3 * x[:, 0] - x[:, 1]
    a = np.hstack([x, np.ones((len(x), 1))])
    w, *_ = np.linalg.lstsq(a, target, rcond=None)
    graph = helper.make_graph(
        [
            helper.make_node("Concat", FEATURES, ["x"], axis=1),
            helper.make_node("MatMul", ["x", "W"], ["xw"]),
            helper.make_node("Add", ["xw", "B"], ["value"]),
        ],
        "linear_regression",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["N", 1]) for n in FEATURES],
        [helper.make_tensor_value_info("value", TensorProto.FLOAT, ["N", 1])],
        [numpy_helper.from_array(w[:4].reshape(4, 1).astype(np.float32), "W"),
         numpy_helper.from_array(np.array([w[4]], dtype=np.float32), "B")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def write_csv(path, x, y):
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(FEATURES + ["label"])
        for row, label in zip(x, y):
            label = int(label) if float(label).is_integer() else f"{label:.6g}"
            writer.writerow([f"{v:.6g}" for v in row] + [label])


def write_regression(out, rng):
    for name, n, shift, offset in (("reference", 2000, 0.0, 0.0), ("stable", 1000, 0.0, 0.0),
                                   ("shifted", 1000, 1.0, 2.0)):
        x = rng.normal(size=(n, 4))
        x[:, 0] += shift
        y = 3 * x[:, 0] - x[:, 1] + offset + rng.normal(scale=0.5, size=n)
        write_csv(out / f"regression_{name}.csv", x, y)


def write_log(path, model, x, y):
    session = onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    # The values as the CSV holds them, so that the log and the CSV are the same rows.
    x = np.array([[float(f"{v:.6g}") for v in row] for row in x], dtype=np.float32)
    with path.open("w") as f:
        for k in range(0, len(x), 10):
            rows, labels = x[k : k + 10], y[k : k + 10]
            rid = f"5d1e{k:08d}"
            request = {
                "id": rid,
                "inputs": [{"name": "input", "shape": list(rows.shape), "datatype": "FP32",
                            "data": [float(v) for v in rows.ravel()]}],
                "parameters": {"labels": [int(v) for v in labels]},
            }
            (probabilities,) = session.run(None, {"input": rows})
            response = {
                "id": rid,
                "model_name": "classifier",
                "outputs": [{"name": "probabilities", "shape": list(probabilities.shape),
                             "datatype": "FP32",
                             "data": [float(v) for v in probabilities.ravel()]}],
            }
            for kind, body in (("request", request), ("response", response)):
                event = {"specversion": "1.0", "id": rid, "source": "http://localhost:9081/",
                         "type": f"org.kubeflow.serving.inference.{kind}",
                         "datacontenttype": "application/json",
                         "inferenceservicename": "classifier", "data": body}
                f.write(json.dumps(event) + "\n")


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rule = np.array([2.0, -1.5, 0.5, 0.0])
    changed = np.array([-2.0, -1.5, 0.5, 0.0])
    rng = np.random.default_rng(20)
    x, y = sample(rng, 2000, 0.0, rule)
    write_csv(out / "reference.csv", x, y)
    coef, intercept = fit(np.array([[float(f"{v:.6g}") for v in row] for row in x]), y)
    export(out / "model.onnx", coef, intercept)
    export(out / "other.onnx", coef * 0.5, intercept + 0.3)
    export_regressor(out / "regressor.onnx", x)
    xs, ys = sample(rng, 1000, 0.0, rule)
    write_csv(out / "stable.csv", xs, ys)
    xd, yd = sample(rng, 1000, 1.0, changed)
    write_csv(out / "shifted.csv", xd, yd)
    write_log(out / "shifted.jsonl", out / "model.onnx", xd, yd)
    write_regression(out, rng)
    print(out)


if __name__ == "__main__":
    main()
