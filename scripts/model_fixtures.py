"""Real models with several inputs, integer inputs, dynamic shapes and a fixed batch, for issue 15.

Called by scripts/make-example.py (which owns the data, the trained CNN and the environment);
see its docstring for how to rerun. Everything is trained on the digits train split and checked
against onnxruntime on the test split; reference numbers go to models_reference.json.

Outputs (tests/fixtures/models/ and tests/fixtures/logs/):
    two_input_tokens.onnx     input_ids int64 [N, 64], attention_mask int64 [N, 64] -> logits [N, 10]
    two_input_tokens.npz      input_ids, attention_mask (int64), y, ids (strings)
    int32_input.onnx          tokens int32 [N, 64] -> logits [N, 10]
    int32_input.npz           tokens int32 [360, 64], y
    state_rnn.onnx            image float32 [N, 8, 8], h0 float32 [N, 32] (state),
                              row_mask bool [N, 8] -> logits [N, 10], h [N, 32]
    state_rnn.npz             image, h0 (zeros), row_mask (all true), y
    dynamic_hw.onnx           input float32 [N, 1, H, W] -> logits [N, 10] (global pooling)
    fixed_batch1.onnx         the digits candidate CNN with input [1, 1, 8, 8], logits [1, 10]
    partial_nan.onnx          input [N, 64] -> logits [N, 10]: a linear classifier whose logits
                              are NaN when pixel 27 is below 0.3 (r - r, r = sqrt(x - 0.3))
    models_reference.json     accuracies (onnxruntime), NaN sample counts and names
    ../logs/never_learned.csv a real Keras-style history of a run that did not learn (labels
                              shuffled against the images): loss flat near ln 10, val ~0.1
"""

import numpy as np
from onnx import TensorProto, helper, numpy_helper
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

F32 = np.float32
VOCAB_VALUES = 17  # digit intensities 0..16


def _tokens(u8):
    """Digit intensities 0..16 (the original load_digits values) from the uint8 pixels."""
    return np.round(u8.reshape(len(u8), -1).astype(np.float64) * 16.0 / 255.0).astype(np.int64)


def _onehot_positions(tokens):
    """One column per (position, value > 0): the features behind the token model."""
    n, length = tokens.shape
    out = np.zeros((n, length * VOCAB_VALUES), F32)
    rows = np.repeat(np.arange(n), length)
    ids = (np.arange(length)[None, :] * VOCAB_VALUES + tokens).reshape(-1)
    mask = (tokens > 0).reshape(-1)
    out[rows[mask], ids[mask]] = 1.0
    return out


def make(ctx):
    fx = ctx["FIXTURES"]
    finish_model, save_onnx, session = ctx["finish_model"], ctx["save_onnx"], ctx["session"]
    write_npz, write_json, write_text = ctx["write_npz"], ctx["write_json"], ctx["write_text"]
    u8_train, u8_test = ctx["u8_train"], ctx["u8_test"]
    y_train, y_test = ctx["y_train"], ctx["y_test"]
    x_test = ctx["x_test"]
    reference = {}

    # ---- two_input_tokens: embedding sum over (position, value) tokens, masked
    tok_tr, tok_te = _tokens(u8_train), _tokens(u8_test)
    lr = LogisticRegression(max_iter=5000)
    lr.fit(_onehot_positions(tok_tr), y_train)
    emb = np.ascontiguousarray(lr.coef_.T.astype(F32))  # [64 * 17, 10]
    bias = lr.intercept_.astype(F32)
    ids_te = (np.arange(64)[None, :] * VOCAB_VALUES + tok_te).astype(np.int64)
    mask_te = (tok_te > 0).astype(np.int64)
    graph = helper.make_graph(
        [helper.make_node("Gather", ["embedding", "input_ids"], ["emb"], name="embed", axis=0),
         helper.make_node("Cast", ["attention_mask"], ["maskf"], name="mask_float",
                          to=TensorProto.FLOAT),
         helper.make_node("Unsqueeze", ["maskf", "last_axis"], ["mask3"], name="mask_axis"),
         helper.make_node("Mul", ["emb", "mask3"], ["masked"], name="apply_mask"),
         helper.make_node("ReduceSum", ["masked", "seq_axis"], ["pooled"], name="pool",
                          keepdims=0),
         helper.make_node("Add", ["pooled", "bias"], ["logits"], name="bias_add")],
        "two_input_tokens",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["N", 64]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["N", 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        initializer=[numpy_helper.from_array(emb, "embedding"),
                     numpy_helper.from_array(bias, "bias"),
                     numpy_helper.from_array(np.array([2], np.int64), "last_axis"),
                     numpy_helper.from_array(np.array([1], np.int64), "seq_axis")])
    save_onnx(finish_model(graph, "fixture: two inputs (input_ids, attention_mask), int64"),
              fx / "two_input_tokens.onnx")
    logits = session(fx / "two_input_tokens.onnx").run(
        None, {"input_ids": ids_te, "attention_mask": mask_te})[0]
    assert np.array_equal(logits.argmax(1), lr.predict(_onehot_positions(tok_te)))
    names = np.array([f"digit-{i:04d}" for i in range(len(y_test))])
    write_npz(fx / "two_input_tokens.npz", {
        "input_ids": ids_te, "attention_mask": mask_te, "y": y_test, "ids": names})
    reference["two_input_tokens"] = {"accuracy": float(accuracy_score(y_test, logits.argmax(1)))}

    # ---- int32_input: raw intensities 0..16 as int32, Cast, scale, linear
    lr32 = LogisticRegression(max_iter=5000)
    lr32.fit(tok_tr.astype(F32) / F32(16.0), y_train)
    graph = helper.make_graph(
        [helper.make_node("Cast", ["tokens"], ["x"], name="to_float", to=TensorProto.FLOAT),
         helper.make_node("Mul", ["x", "sixteenth"], ["scaled"], name="scale"),
         helper.make_node("Gemm", ["scaled", "W", "B"], ["logits"], name="fc", transB=1)],
        "int32_input",
        [helper.make_tensor_value_info("tokens", TensorProto.INT32, ["N", 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        initializer=[numpy_helper.from_array(lr32.coef_.astype(F32), "W"),
                     numpy_helper.from_array(lr32.intercept_.astype(F32), "B"),
                     numpy_helper.from_array(np.array(1 / 16, F32), "sixteenth")])
    save_onnx(finish_model(graph, "fixture: one int32 input (digit intensities 0..16)"),
              fx / "int32_input.onnx")
    logits = session(fx / "int32_input.onnx").run(None, {"tokens": tok_te.astype(np.int32)})[0]
    write_npz(fx / "int32_input.npz", {"tokens": tok_te.astype(np.int32), "y": y_test})
    reference["int32_input"] = {"accuracy": float(accuracy_score(y_test, logits.argmax(1)))}

    # ---- state_rnn: an echo-state RNN over the 8 image rows; h0 and a row mask are inputs
    rng = np.random.default_rng(15)
    hidden = 32
    w_in = (rng.standard_normal((8, hidden)) * 0.5).astype(F32)
    w_rec = rng.standard_normal((hidden, hidden))
    w_rec = (w_rec * 0.9 / np.abs(np.linalg.eigvals(w_rec)).max()).astype(F32)
    b_rec = (rng.standard_normal(hidden) * 0.1).astype(F32)

    def run_rnn(images):
        h = np.zeros((len(images), hidden), F32)
        for t in range(8):
            h = np.tanh(images[:, t, :] @ w_in + h @ w_rec + b_rec).astype(F32)
        return h

    img_tr = ctx["x_train"].astype(F32)
    img_te = x_test.astype(F32)
    lr_rnn = LogisticRegression(max_iter=5000)
    lr_rnn.fit(run_rnn(img_tr), y_train)
    nodes, h = [], "h0"
    for t in range(8):
        nodes += [
            helper.make_node("Gather", ["image", f"t{t}"], [f"row{t}"], name=f"row{t}", axis=1),
            helper.make_node("MatMul", [f"row{t}", "w_in"], [f"in{t}"], name=f"in{t}"),
            helper.make_node("MatMul", [h, "w_rec"], [f"rec{t}"], name=f"rec{t}"),
            helper.make_node("Add", [f"in{t}", f"rec{t}"], [f"sum{t}"], name=f"sum{t}"),
            helper.make_node("Add", [f"sum{t}", "b_rec"], [f"pre{t}"], name=f"pre{t}"),
            helper.make_node("Tanh", [f"pre{t}"], [f"new{t}"], name=f"tanh{t}"),
            helper.make_node("Gather", ["row_mask", f"t{t}"], [f"m{t}"], name=f"mask{t}", axis=1),
            helper.make_node("Unsqueeze", [f"m{t}", "one"], [f"mu{t}"], name=f"mask_axis{t}"),
            helper.make_node("Where", [f"mu{t}", f"new{t}", h], [f"h{t + 1}" if t < 7 else "h"],
                             name=f"keep{t}"),
        ]
        h = f"h{t + 1}" if t < 7 else "h"
    nodes.append(helper.make_node("Gemm", ["h", "W", "B"], ["logits"], name="readout", transB=1))
    inits = [numpy_helper.from_array(w_in, "w_in"), numpy_helper.from_array(w_rec, "w_rec"),
             numpy_helper.from_array(b_rec, "b_rec"),
             numpy_helper.from_array(lr_rnn.coef_.astype(F32), "W"),
             numpy_helper.from_array(lr_rnn.intercept_.astype(F32), "B"),
             numpy_helper.from_array(np.array([1], np.int64), "one")]
    inits += [numpy_helper.from_array(np.array(t, np.int64), f"t{t}") for t in range(8)]
    graph = helper.make_graph(
        nodes, "state_rnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 8, 8]),
         helper.make_tensor_value_info("h0", TensorProto.FLOAT, ["N", hidden]),
         helper.make_tensor_value_info("row_mask", TensorProto.BOOL, ["N", 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10]),
         helper.make_tensor_value_info("h", TensorProto.FLOAT, ["N", hidden])],
        initializer=inits)
    save_onnx(finish_model(graph, "fixture: three inputs, one a recurrent state (h0)"),
              fx / "state_rnn.onnx")
    feeds = {"image": img_te, "h0": np.zeros((len(img_te), hidden), F32),
             "row_mask": np.ones((len(img_te), 8), bool)}
    logits, h_out = session(fx / "state_rnn.onnx").run(None, feeds)
    assert np.allclose(h_out, run_rnn(img_te), atol=1e-5)
    write_npz(fx / "state_rnn.npz", {**feeds, "y": y_test})
    reference["state_rnn"] = {"accuracy": float(accuracy_score(y_test, logits.argmax(1)))}

    # ---- dynamic_hw: the candidate's first conv, then global max and average pooling
    p = ctx["params"]

    def conv_features(images):
        out = ctx["conv_forward"](images[:, None], p["conv1.weight"], p["conv1.bias"])[0]
        out = np.maximum(out, 0)
        return np.concatenate([out.max(axis=(2, 3)), out.mean(axis=(2, 3))], axis=1)

    lr_dyn = LogisticRegression(max_iter=5000)
    lr_dyn.fit(conv_features(img_tr), y_train)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["conv1"],
                          name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["conv1"], ["relu1"], name="relu1"),
         helper.make_node("GlobalMaxPool", ["relu1"], ["gmax"], name="gmax"),
         helper.make_node("GlobalAveragePool", ["relu1"], ["gavg"], name="gavg"),
         helper.make_node("Concat", ["gmax", "gavg"], ["both"], name="concat", axis=1),
         helper.make_node("Flatten", ["both"], ["flat"], name="flatten", axis=1),
         helper.make_node("Gemm", ["flat", "W", "B"], ["logits"], name="fc", transB=1)],
        "dynamic_hw",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, "H", "W"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        initializer=[numpy_helper.from_array(p["conv1.weight"], "conv1.weight"),
                     numpy_helper.from_array(p["conv1.bias"], "conv1.bias"),
                     numpy_helper.from_array(lr_dyn.coef_.astype(F32), "W"),
                     numpy_helper.from_array(lr_dyn.intercept_.astype(F32), "B")])
    save_onnx(finish_model(graph, "fixture: dynamic height and width (global pooling)"),
              fx / "dynamic_hw.onnx")
    sess = session(fx / "dynamic_hw.onnx")
    logits = sess.run(None, {"input": img_te[:, None]})[0]
    big = sess.run(None, {"input": np.zeros((2, 1, 16, 24), F32)})[0]
    assert big.shape == (2, 10)
    reference["dynamic_hw"] = {"accuracy_8x8": float(accuracy_score(y_test, logits.argmax(1)))}

    # ---- fixed_batch1: the candidate CNN with its batch fixed to 1
    cand = ctx["cnn_onnx"](p, "digits_cnn_batch1", doc="fixture: the candidate CNN, batch fixed to 1")
    for vi in list(cand.graph.input) + list(cand.graph.output):
        vi.type.tensor_type.shape.dim[0].Clear()
        vi.type.tensor_type.shape.dim[0].dim_value = 1
    save_onnx(cand, fx / "fixed_batch1.onnx")
    sess = session(fx / "fixed_batch1.onnx")
    preds = [sess.run(None, {"input": img_te[i:i + 1, None]})[0][0].argmax() for i in range(len(img_te))]
    reference["fixed_batch1"] = {"accuracy": float(accuracy_score(y_test, preds))}

    # ---- partial_nan: logits + (r - r), r = sqrt(pixel27 - 0.3): NaN where pixel 27 < 0.3
    # (not 0 * r: an optimiser may fold a product with a zero constant away)
    flat_tr, flat_te = img_tr.reshape(-1, 64), img_te.reshape(-1, 64)
    lr_nan = LogisticRegression(max_iter=5000)
    lr_nan.fit(flat_tr, y_train)
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["input", "W", "B"], ["linear"], name="fc", transB=1),
         helper.make_node("Gather", ["input", "pixel"], ["px"], name="pixel27", axis=1),
         helper.make_node("Sub", ["px", "threshold"], ["shifted"], name="shift"),
         helper.make_node("Sqrt", ["shifted"], ["root"], name="root"),
         helper.make_node("Sub", ["root", "root"], ["poison"], name="poison"),
         helper.make_node("Add", ["linear", "poison"], ["logits"], name="poisoned")],
        "partial_nan",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        initializer=[numpy_helper.from_array(lr_nan.coef_.astype(F32), "W"),
                     numpy_helper.from_array(lr_nan.intercept_.astype(F32), "B"),
                     numpy_helper.from_array(np.array([27], np.int64), "pixel"),
                     numpy_helper.from_array(np.array(0.3, F32), "threshold")])
    save_onnx(finish_model(graph, "fixture: NaN logits for samples whose pixel 27 is below 0.3"),
              fx / "partial_nan.onnx")
    logits = session(fx / "partial_nan.onnx").run(None, {"input": flat_te})[0]
    bad = ~np.isfinite(logits).all(axis=1)
    assert 0 < bad.sum() < len(bad)
    good = ~bad
    reference["partial_nan"] = {
        "nan_samples": int(bad.sum()),
        "first_nan_samples": [str(i) for i in np.flatnonzero(bad)[:10]],
        "accuracy_on_defined": float(accuracy_score(y_test[good], logits[good].argmax(1))),
        "defined_samples": int(good.sum()),
    }
    write_json(fx / "models_reference.json", reference)

    # ---- never_learned.csv: softmax regression trained on labels shuffled against the images
    never_learned(ctx, flat_tr, y_train, write_text)
    return reference


def never_learned(ctx, flat, y, write_text):
    rng = np.random.default_rng(10)
    n_val = len(y) // 5
    x_val, x_tr = flat[:n_val].astype(np.float64), flat[n_val:].astype(np.float64)
    y_val, y_tr = y[:n_val], rng.permutation(y[n_val:])  # the bug: labels shuffled
    w = np.zeros((64, 10))
    b = np.zeros(10)
    lines = ["epoch,accuracy,loss,val_accuracy,val_loss"]

    def loss_acc(x, labels):
        z = x @ w + b
        z = z - z.max(axis=1, keepdims=True)
        prob = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        loss = -np.log(prob[np.arange(len(labels)), labels] + 1e-12).mean()
        return loss, (prob.argmax(1) == labels).mean(), prob

    for epoch in range(15):
        for start in range(0, len(y_tr), 32):
            xb, yb = x_tr[start:start + 32], y_tr[start:start + 32]
            _, _, prob = loss_acc(xb, yb)
            prob[np.arange(len(yb)), yb] -= 1
            w -= 0.003 * xb.T @ prob / len(yb)
            b -= 0.003 * prob.mean(axis=0)
        loss, acc, _ = loss_acc(x_tr, y_tr)
        val_loss, val_acc, _ = loss_acc(x_val, y_val)
        lines.append(f"{epoch},{acc:.4f},{loss:.4f},{val_acc:.4f},{val_loss:.4f}")
    write_text(ctx["FIXTURES"].parent / "logs" / "never_learned.csv", "\n".join(lines) + "\n")
