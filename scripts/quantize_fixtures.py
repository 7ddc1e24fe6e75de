#!/usr/bin/env python3
"""Test models for quantize's verification (issue 16), in tests/fixtures/quantize/.

How to rerun (from the repository root; needs onnx, onnxruntime and numpy only, e.g. the
venv of scripts/ci/python-onnx.sh):

    python3 scripts/quantize_fixtures.py

Seeded and deterministic: two runs write the same bytes. Reads the digits test set of
examples/digits/test.npz (written by scripts/make-example.py) for real image inputs.
Every model is checked with onnx.checker and run in onnxruntime before it is written.

Outputs
-------
resnet_like.onnx             a small ResNet: stem Conv, three residual blocks (Conv-Relu-Conv,
                             Add, Relu), a strided Conv, global pooling, Gemm;
                             input float32 [N, 3, 32, 32] -> logits [N, 10]; seeded He init
three_inputs.onnx            image float32 [N, 64], extra float32 [N, 8], position int64 [N, 1]
                             (an embedding row) -> logits [N, 10]
three_inputs_calibration.npz the three arrays by name, 32 samples (no labels): the digits
                             test images, seeded extras, positions 0..9
opset9_cnn.onnx              Conv-Relu-MaxPool-Flatten-Gemm-Softmax at opset 9 (IR 4):
                             input [N, 1, 8, 8] -> probabilities [N, 10]
dynamic_hw_calibration.npy   float32 [16, 1, 12, 20]: digits test images on a 12x20 canvas,
                             calibration / verification inputs for
                             tests/fixtures/models/dynamic_hw.onnx ([N, 1, H, W])
fp16_overflow.onnx           input [N, 64] -> logits [N, 10]: h = x @ W, logits = h + (b - b)
                             with b = h * 1e6; exact in fp32 (b - b = 0), NaN in fp16 (1e6
                             is infinite there, inf - inf = NaN)
"""

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "quantize"
F32 = np.float32
PRODUCER = "modelci scripts/quantize_fixtures.py"


def he(rng, *shape):
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(F32)


def init(name, array):
    return numpy_helper.from_array(np.ascontiguousarray(array), name)


def save(graph, name, doc, opset=13, ir=8):
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)], producer_name=PRODUCER,
        ir_version=ir, doc_string=doc)
    onnx.checker.check_model(model, full_check=True)
    (OUT / name).write_bytes(model.SerializeToString())
    return ort.InferenceSession(str(OUT / name), providers=["CPUExecutionProvider"])


def digits():
    data = np.load(ROOT / "examples" / "digits" / "test.npz")
    return data["x"].astype(F32) / F32(255.0)  # [360, 8, 8]


def resnet_like():
    rng = np.random.default_rng(16)
    nodes, inits = [], []

    def conv(name, x, cin, cout, stride=1, relu=True):
        inits.append(init(f"{name}.w", he(rng, cout, cin, 3, 3)))
        inits.append(init(f"{name}.b", np.zeros(cout, F32)))
        nodes.append(helper.make_node("Conv", [x, f"{name}.w", f"{name}.b"], [name], name=name,
                                      kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                                      strides=[stride, stride]))
        if not relu:
            return name
        nodes.append(helper.make_node("Relu", [name], [f"{name}.relu"], name=f"{name}.relu"))
        return f"{name}.relu"

    def block(name, x, channels):
        h = conv(f"{name}.conv1", x, channels, channels)
        h = conv(f"{name}.conv2", h, channels, channels, relu=False)
        nodes.append(helper.make_node("Add", [x, h], [f"{name}.sum"], name=f"{name}.add"))
        nodes.append(helper.make_node("Relu", [f"{name}.sum"], [f"{name}.out"],
                                      name=f"{name}.relu"))
        return f"{name}.out"

    x = conv("stem", "input", 3, 16)
    x = block("block1", x, 16)
    x = block("block2", x, 16)
    x = conv("down", x, 16, 32, stride=2)
    x = block("block3", x, 32)
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"], name="pool"))
    nodes.append(helper.make_node("Flatten", ["pooled"], ["flat"], name="flatten", axis=1))
    inits.append(init("fc.w", he(rng, 10, 32)))
    inits.append(init("fc.b", np.zeros(10, F32)))
    nodes.append(helper.make_node("Gemm", ["flat", "fc.w", "fc.b"], ["logits"], name="fc",
                                  transB=1))
    graph = helper.make_graph(
        nodes, "resnet_like",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        initializer=inits)
    sess = save(graph, "resnet_like.onnx", "fixture: a small ResNet (residual blocks)")
    out = sess.run(None, {"input": rng.random((2, 3, 32, 32), dtype=F32)})[0]
    assert out.shape == (2, 10) and np.isfinite(out).all()


def three_inputs(images):
    rng = np.random.default_rng(160)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["image", "W_image"], ["from_image"], name="image_proj"),
         helper.make_node("MatMul", ["extra", "W_extra"], ["from_extra"], name="extra_proj"),
         helper.make_node("Gather", ["table", "position"], ["rows"], name="embed", axis=0),
         helper.make_node("Flatten", ["rows"], ["from_position"], name="rows_flat", axis=1),
         helper.make_node("Add", ["from_image", "from_extra"], ["s1"], name="sum1"),
         helper.make_node("Add", ["s1", "from_position"], ["s2"], name="sum2"),
         helper.make_node("Relu", ["s2"], ["hidden"], name="relu"),
         helper.make_node("MatMul", ["hidden", "W_out"], ["logits"], name="head")],
        "three_inputs",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 64]),
         helper.make_tensor_value_info("extra", TensorProto.FLOAT, ["N", 8]),
         helper.make_tensor_value_info("position", TensorProto.INT64, ["N", 1])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        initializer=[init("W_image", he(rng, 64, 64)), init("W_extra", he(rng, 8, 64)),
                     init("table", he(rng, 10, 64)), init("W_out", he(rng, 64, 10))])
    sess = save(graph, "three_inputs.onnx", "fixture: three inputs, one int64 (an index)")
    feeds = {
        "image": np.ascontiguousarray(images[:32].reshape(32, 64)),
        "extra": rng.random((32, 8), dtype=F32),
        "position": (np.arange(32) % 10).astype(np.int64).reshape(32, 1),
    }
    out = sess.run(None, feeds)[0]
    assert out.shape == (32, 10) and np.isfinite(out).all()
    np.savez(OUT / "three_inputs_calibration.npz", **feeds)


def opset9_cnn():
    rng = np.random.default_rng(9)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["input", "C", "CB"], ["c"], name="conv", kernel_shape=[3, 3],
                          pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c"], ["r"], name="relu"),
         helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2],
                          strides=[2, 2]),
         helper.make_node("Flatten", ["p"], ["f"], name="flatten", axis=1),
         helper.make_node("Gemm", ["f", "W", "B"], ["z"], name="fc", transB=1),
         helper.make_node("Softmax", ["z"], ["probabilities"], name="softmax", axis=1)],
        "opset9_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 8, 8])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 10])],
        initializer=[init("C", he(rng, 16, 1, 3, 3)), init("CB", np.zeros(16, F32)),
                     init("W", he(rng, 10, 16 * 4 * 4)), init("B", np.zeros(10, F32))])
    sess = save(graph, "opset9_cnn.onnx", "fixture: a CNN at opset 9", opset=9, ir=4)
    out = sess.run(None, {"input": digits()[:4, None]})[0]
    assert np.allclose(out.sum(axis=1), 1.0, atol=1e-5)


def dynamic_hw_calibration(images):
    canvas = np.zeros((16, 1, 12, 20), F32)
    for i in range(16):
        top, left = i % 5, (3 * i) % 13
        canvas[i, 0, top:top + 8, left:left + 8] = images[i]
    np.save(OUT / "dynamic_hw_calibration.npy", canvas)
    sess = ort.InferenceSession(str(ROOT / "tests" / "fixtures" / "models" / "dynamic_hw.onnx"),
                                providers=["CPUExecutionProvider"])
    assert sess.run(None, {"input": canvas})[0].shape == (16, 10)


def fp16_overflow(images):
    rng = np.random.default_rng(1616)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["input", "W"], ["h"], name="proj"),
         helper.make_node("Mul", ["h", "big"], ["b"], name="blow_up"),
         helper.make_node("Sub", ["b", "b"], ["zero"], name="b_minus_b"),
         helper.make_node("Add", ["h", "zero"], ["logits"], name="plus_zero")],
        "fp16_overflow",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        initializer=[init("W", he(rng, 64, 10)), init("big", np.array(1e6, F32))])
    sess = save(graph, "fp16_overflow.onnx", "fixture: exact in fp32, NaN in fp16")
    x = np.ascontiguousarray(images[:8].reshape(8, 64))
    out = sess.run(None, {"input": x})[0]
    assert np.isfinite(out).all() and np.allclose(out, x @ numpy_helper.to_array(
        graph.initializer[0]), atol=1e-5)


def main():
    images = digits()
    resnet_like()
    three_inputs(images)
    opset9_cnn()
    dynamic_hw_calibration(images)
    fp16_overflow(images)
    for path in sorted(OUT.glob("*")):
        assert path.stat().st_size < 2_000_000, path
    print("wrote", ", ".join(p.name for p in sorted(OUT.glob("*")) if p.suffix != ".md"))


if __name__ == "__main__":
    main()
