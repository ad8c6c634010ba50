"""Build the tiny fixture ONNX model that proves the extension's engine-host wiring.

    training/.venv/bin/python training/make_tiny_model.py [--out test/fixtures/tiny-model]

Writes tiny.onnx, y = tanh(x @ W + b) with x float32 (1, 4), W (4, 3), b (3,), built with the
`onnx` helper API (no torch), and expected.json holding the fixed input and the output computed
independently with numpy. The extension's selfTest runs tiny.onnx through onnxruntime-web and the
e2e tests compare its answer to expected.json within 1e-5. Deterministic: rerunning the script
gives byte-identical files, so the committed copies can be checked by regenerating them.
"""

import argparse
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# Fixed weights, written out literally so nothing depends on a random generator's version.
W = np.array(
    [[0.5, -0.25, 0.125], [-1.0, 0.75, 0.3], [0.2, 0.1, -0.6], [0.05, -0.4, 0.9]],
    dtype=np.float32,
)  # (4, 3)
B = np.array([0.1, -0.2, 0.05], dtype=np.float32)  # (3,)
X = np.array([[0.3, -0.7, 1.1, 0.25]], dtype=np.float32)  # (1, 4)

INPUT_NAME = "x"
OUTPUT_NAME = "y"
# Opset 17 is supported by every onnxruntime-web 1.x we would ship.
OPSET = 17


def build_model() -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes=[
            helper.make_node("MatMul", [INPUT_NAME, "W"], ["xw"]),  # (1, 3)
            helper.make_node("Add", ["xw", "b"], ["xwb"]),  # (1, 3)
            helper.make_node("Tanh", ["xwb"], [OUTPUT_NAME]),  # (1, 3)
        ],
        name="tiny_tanh_linear",
        inputs=[helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, [1, 4])],
        outputs=[helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, [1, 3])],
        initializer=[numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "b")],
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="swipe-anywhere/make_tiny_model.py",
    )
    # IR version 8 keeps the file loadable by older runtimes too.
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def expected_output() -> np.ndarray:
    # Computed in float64 with numpy, independently of any ONNX runtime, then rounded to float32
    # precision: the test tolerance (1e-5) is far above float32 rounding at these magnitudes.
    return np.tanh(X.astype(np.float64) @ W.astype(np.float64) + B.astype(np.float64))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("test/fixtures/tiny-model"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    onnx.save(build_model(), args.out / "tiny.onnx")
    y = expected_output()
    expected = {
        "model": "tiny.onnx",
        "input": {"name": INPUT_NAME, "dims": list(X.shape), "data": [float(v) for v in X.ravel()]},
        "output": {"name": OUTPUT_NAME, "dims": list(y.shape), "data": [float(v) for v in y.ravel()]},
        "tolerance": 1e-5,
    }
    (args.out / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    print(f"wrote {args.out / 'tiny.onnx'} and expected.json: y = {y.ravel().tolist()}")


if __name__ == "__main__":
    main()
