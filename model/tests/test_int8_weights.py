"""int8w: kernels and matrices as int8 + DequantizeLinear; vectors, whatever their rank, in float32."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from model.export.weight_formats import convert


def _conv_then_scale(channels: int = 32) -> onnx.ModelProto:
    """A 3×3 Conv followed by a per-channel scale shaped (C, 1, 1), as GroupNorm's affine exports."""
    rng = np.random.default_rng(0)
    kernel = numpy_helper.from_array(rng.normal(size=(channels, 4, 3, 3)).astype(np.float32), "kernel")
    scale = numpy_helper.from_array(rng.normal(size=(channels, 1, 1)).astype(np.float32), "scale")
    bias = numpy_helper.from_array(rng.normal(size=(channels,)).astype(np.float32), "bias")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "kernel", "bias"], ["h"], pads=[1, 1, 1, 1]),
         helper.make_node("Mul", ["h", "scale"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, channels, 8, 8])],
        [kernel, scale, bias],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def test_vectors_of_any_rank_stay_float32_without_a_cast():
    out = convert(_conv_then_scale(), "int8w")
    ops = [n.op_type for n in out.graph.node]
    assert "Cast" not in ops
    assert ops.count("DequantizeLinear") == 1  # the kernel only
    inits = {i.name: i for i in out.graph.initializer}
    assert inits["scale"].data_type == TensorProto.FLOAT and list(inits["scale"].dims) == [32, 1, 1]
    assert inits["bias"].data_type == TensorProto.FLOAT
    assert inits["kernel_int8"].data_type == TensorProto.INT8
