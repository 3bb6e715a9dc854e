"""Smaller storage for the same fp32 graph, all computing in fp32.

WebGPU adapters without `shader-f16` (SwiftShader in CI, many integrated GPUs) cannot run fp16
arithmetic: ORT's JSEP returns zeros and the native EP refuses the graph (browser-runtime §1b).
So the weights are stored small and widened inside the graph before use:

- `fp16w`: every float weight stored as float16, followed by a Cast to float32 (½ the size).
- `int8w`: matrices and conv kernels stored as int8 with one symmetric scale per output channel,
  followed by DequantizeLinear (¼ the size); 1-D tensors (norms, biases) go the fp16w way.
Only standard opset-17 operators are used.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Optional

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FORMATS = {
    "fp32": {"storage": "float32", "compute": "float32"},
    "fp16w": {"storage": "float16", "compute": "float32"},
    "int8w": {"storage": "int8", "compute": "float32"},
}
_MIN_ELEMENTS = 16  # smaller tensors (scalars, shapes) stay as they are: nothing to gain


def _consumers(model: onnx.ModelProto) -> Dict[str, List[tuple]]:
    uses = defaultdict(list)
    for node in model.graph.node:
        for slot, name in enumerate(node.input):
            uses[name].append((node, slot))
    return uses


def _output_channel_axis(node: onnx.NodeProto, slot: int) -> Optional[int]:
    """The axis of a weight that indexes output channels, where one scale per channel is right."""
    op = node.op_type
    if op == "Conv" and slot == 1:
        return 0  # (out, in, kH, kW)
    if op == "ConvTranspose" and slot == 1:
        return 1  # (in, out, kH, kW)
    if op == "MatMul" and slot == 1:
        return 1  # (K, N)
    if op == "Gemm" and slot == 1:
        trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
        return 0 if trans_b else 1
    if op == "Gather" and slot == 0:
        return 0  # embedding rows
    return None


def _quantize_int8(w: np.ndarray, axis: int):
    reduce = tuple(i for i in range(w.ndim) if i != axis)
    scale = np.abs(w).max(axis=reduce) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.rint(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


def convert(model: onnx.ModelProto, fmt: str) -> onnx.ModelProto:
    if fmt not in FORMATS:
        raise ValueError(f"unknown weight format {fmt!r}; expected one of {sorted(FORMATS)}")
    out = onnx.ModelProto()
    out.CopyFrom(model)
    if fmt == "fp32":
        return out
    uses = _consumers(out)
    keep, widen = [], []
    for init in out.graph.initializer:
        if init.data_type != TensorProto.FLOAT or int(np.prod(init.dims)) < _MIN_ELEMENTS:
            keep.append(init)
            continue
        w = numpy_helper.to_array(init)
        axes = {_output_channel_axis(node, slot) for node, slot in uses[init.name]}
        axis = axes.pop() if len(axes) == 1 else None
        if fmt == "int8w" and w.ndim >= 2 and axis is not None:
            q, scale = _quantize_int8(w, axis)
            keep += [
                numpy_helper.from_array(q, init.name + "_int8"),
                numpy_helper.from_array(scale, init.name + "_scale"),
                numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), init.name + "_zero"),
            ]
            widen.append(helper.make_node(
                "DequantizeLinear", [init.name + "_int8", init.name + "_scale", init.name + "_zero"], [init.name],
                name=init.name + "_dequantize", axis=axis,
            ))
        else:
            keep.append(numpy_helper.from_array(w.astype(np.float16), init.name + "_fp16"))
            widen.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name], name=init.name + "_cast", to=TensorProto.FLOAT))
    del out.graph.initializer[:]
    out.graph.initializer.extend(keep)
    nodes = widen + list(out.graph.node)
    del out.graph.node[:]
    out.graph.node.extend(nodes)
    # Value infos recorded for the old initializers would be stale duplicates; ORT re-infers shapes.
    stale = {init_name for init_name in (n.output[0] for n in widen)}
    kept_infos = [vi for vi in out.graph.value_info if vi.name not in stale]
    del out.graph.value_info[:]
    out.graph.value_info.extend(kept_infos)
    onnx.checker.check_model(out)
    return out
