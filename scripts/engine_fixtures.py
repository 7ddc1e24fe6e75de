"""Models tract cannot run (or runs very slowly) and onnxruntime can, for issue 17.

Called by scripts/make-example.py (which owns the data and the environment; see its docstring),
or alone, with the same pinned environment, to remake only these files from the committed
digits candidate:

    /tmp/pyenv-example/bin/python scripts/engine_fixtures.py

Everything is trained on the digits / diabetes train splits and checked in onnxruntime;
reference numbers go to engine_reference.json.

Outputs (tests/fixtures/models/):
    tree_regressor.onnx     scikit-learn RandomForestRegressor (skl2onnx: ai.onnx.ml
                            TreeEnsembleRegressor, unimplemented in tract) on the diabetes
                            train split: input float32 [N, 10] -> variable [N, 1];
                            dataset: regression.csv (its test split)
    binary_gbc.onnx         scikit-learn GradientBoostingClassifier, two classes (tract refuses
                            its `base_values` of length 1 for 2 classes' TreeEnsembleClassifier):
                            input float32 [N, 64] -> label int64 [N], probabilities [N, 2]
    binary_digits.npz       x uint8 [360, 8, 8] (the digits test split), y int64: 1 for digits
                            5-9, 0 for 0-4
    digits_fp16.onnx        the digits candidate CNN with every float (weights, input, output) in
                            float16: input float16 [N, 1, 8, 8] -> logits float16 [N, 10]
    engine_reference.json   metrics of the three models computed from onnxruntime's outputs
"""

import numpy as np
from onnx import TensorProto, numpy_helper
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.datasets import load_diabetes
from sklearn.ensemble import GradientBoostingClassifier, RandomForestRegressor
from sklearn.metrics import accuracy_score, mean_absolute_error, r2_score, root_mean_squared_error
from sklearn.model_selection import train_test_split

F32 = np.float32


def make(ctx):
    fx = ctx["FIXTURES"]
    save_onnx, session, dedupe_opsets = ctx["save_onnx"], ctx["session"], ctx["dedupe_opsets"]
    write_npz, write_json = ctx["write_npz"], ctx["write_json"]
    u8_train, u8_test = ctx["u8_train"], ctx["u8_test"]
    y_train, y_test = ctx["y_train"], ctx["y_test"]
    x_train, x_test = ctx["x_train"], ctx["x_test"]
    opset = ctx["SKL_OPSET"]
    reference = {}

    # ---- tree_regressor: a small random forest on the diabetes split of regression.csv
    xd, yd = load_diabetes(return_X_y=True)
    xd = xd.astype(F32)
    xd_tr, xd_te, yd_tr, yd_te = train_test_split(xd, yd, test_size=0.2, random_state=0)
    forest = RandomForestRegressor(n_estimators=10, max_depth=5, random_state=0, n_jobs=1)
    forest.fit(xd_tr, yd_tr)
    onx = convert_sklearn(forest, name="diabetes_forest",
                          initial_types=[("input", FloatTensorType([None, 10]))],
                          target_opset=opset)
    dedupe_opsets(onx)
    onx.doc_string = "fixture: RandomForestRegressor (TreeEnsembleRegressor) on diabetes"
    assert any(n.op_type == "TreeEnsembleRegressor" for n in onx.graph.node)
    save_onnx(onx, fx / "tree_regressor.onnx")
    pred = session(fx / "tree_regressor.onnx").run(None, {"input": xd_te})[0][:, 0]
    assert np.allclose(pred, forest.predict(xd_te), rtol=1e-4, atol=1e-3)
    pred = pred.astype(np.float64)
    reference["tree_regressor"] = {
        "dataset": "regression.csv",
        "mean_absolute_error": float(mean_absolute_error(yd_te, pred)),
        "root_mean_squared_error": float(root_mean_squared_error(yd_te, pred)),
        "r2_score": float(r2_score(yd_te, pred)),
    }

    # ---- binary_gbc: gradient boosting on "is it 5-9?" over the flat digits pixels
    flat_train = x_train.reshape(len(x_train), -1).astype(F32)
    flat_test = x_test.reshape(len(x_test), -1).astype(F32)
    yb_train, yb_test = (y_train >= 5).astype(np.int64), (y_test >= 5).astype(np.int64)
    gbc = GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0)
    gbc.fit(flat_train, yb_train)
    onx = convert_sklearn(gbc, name="digits_high_low",
                          initial_types=[("input", FloatTensorType([None, 64]))],
                          options={id(gbc): {"zipmap": False}}, target_opset=opset)
    dedupe_opsets(onx)
    onx.doc_string = "fixture: binary GradientBoostingClassifier (digits 5-9 vs 0-4)"
    save_onnx(onx, fx / "binary_gbc.onnx")
    label, proba = session(fx / "binary_gbc.onnx").run(None, {"input": flat_test})
    assert proba.shape == (len(flat_test), 2)
    assert np.array_equal(label, gbc.predict(flat_test))
    write_npz(fx / "binary_digits.npz", {"x": u8_test.astype(np.uint8), "y": yb_test})
    reference["binary_gbc"] = {
        "dataset": "binary_digits.npz",
        "accuracy": float(accuracy_score(yb_test, proba.argmax(axis=1))),
    }

    # ---- digits_fp16: the candidate CNN, every float tensor in float16
    import onnx  # noqa: E402 - make-example.py imports it too

    cnn = onnx.load(str(ctx["EXAMPLE"] / "candidate.onnx"))
    for i, tensor in enumerate(cnn.graph.initializer):
        array = numpy_helper.to_array(tensor)
        if array.dtype == np.float32:
            cnn.graph.initializer[i].CopyFrom(
                numpy_helper.from_array(array.astype(np.float16), tensor.name))
    for info in list(cnn.graph.input) + list(cnn.graph.output) + list(cnn.graph.value_info):
        if info.type.tensor_type.elem_type == TensorProto.FLOAT:
            info.type.tensor_type.elem_type = TensorProto.FLOAT16
    cnn.doc_string = "fixture: the digits candidate CNN in float16 (weights, input, output)"
    save_onnx(cnn, fx / "digits_fp16.onnx")
    images = x_test.reshape(len(x_test), 1, 8, 8).astype(np.float16)
    logits = session(fx / "digits_fp16.onnx").run(None, {"input": images})[0]
    assert logits.dtype == np.float16
    reference["digits_fp16"] = {
        "dataset": "examples/digits/test",
        "accuracy": float(accuracy_score(y_test, logits.astype(F32).argmax(axis=1))),
    }
    write_json(fx / "engine_reference.json", reference)


def main():
    """Remakes only these fixtures, with make-example.py's data split and helpers."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent / "make-example.py"
    spec = importlib.util.spec_from_file_location("make_example", path)
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    u8, y = ex.load_digits_u8()
    u8_train, u8_test, y_train, y_test = train_test_split(
        u8, y, test_size=0.2, random_state=0, stratify=y)
    make({
        "FIXTURES": ex.FIXTURES, "EXAMPLE": ex.EXAMPLE, "SKL_OPSET": ex.SKL_OPSET,
        "save_onnx": ex.save_onnx, "session": ex.session, "dedupe_opsets": ex.dedupe_opsets,
        "write_npz": ex.write_npz, "write_json": ex.write_json,
        "u8_train": u8_train, "u8_test": u8_test, "y_train": y_train, "y_test": y_test,
        "x_train": ex.to_input(u8_train), "x_test": ex.to_input(u8_test),
    })


if __name__ == "__main__":
    main()
