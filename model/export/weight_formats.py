"""Smaller storage for the same fp32 graph, all computing in fp32.

WebGPU adapters without `shader-f16` (SwiftShader in CI, many integrated GPUs) cannot run fp16
arithmetic: ORT's JSEP returns zeros and the native EP refuses the graph.
So the weights are stored small and widened inside the graph before use:

- `fp16w`: every float weight stored as float16, followed by a Cast to float32 (½ the size).
- `int8w`: matrices and conv kernels stored as int8 with one symmetric scale per output channel,
  followed by DequantizeLinear (¼ the size); tensors with at most one axis longer than 1 (biases,
  norms, GroupNorm scales shaped (C, 1, 1)) stay float32: they are a few percent of the bytes, and a
  Cast for each was a tenth of the nano U-Net's nodes, each paid for when a session is created.
- `int4w`: for the full-size model (issue 9): linear layers and 1×1 convolutions become ORT's
  `com.microsoft.MatMulNBits` (4-bit weights in blocks of 32 along the input, one fp32 scale per block,
  ⅛ the size, dequantized inside the kernel, on wasm and WebGPU alike); 3×3 and other convolution
  kernels and embeddings go the int8w way; vectors stay float32 as in int8w.
Only standard opset-17 operators are used, except MatMulNBits in int4w.
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
    "int4w": {"storage": "int4", "compute": "float32"},
}
INT4_BLOCK = 32


def format_for(fmt: str, role: str) -> str:
    """The format a component really gets: in int4w packs MoVQ stays fp32, as the reference keeps it
    (fp16 MoVQ is known to misbehave, kandinsky3-architecture §4.5), and it is the smallest of the three models."""
    return "fp32" if fmt == "int4w" and role.startswith("movq") else fmt
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


def quantize_int4_blocks(w: np.ndarray, block: int = INT4_BLOCK):
    """W (N, K) → MatMulNBits' B (N, ⌈K/block⌉, block/2) uint8 and scales (N·⌈K/block⌉,) float32.
    Symmetric per block: q = round(w / s) in −8…7, stored with the default zero point 8; two values per
    byte, the even index in the low nibble. K is padded with zeros to whole blocks."""
    n, k = w.shape
    blocks = -(-k // block)
    padded = np.zeros((n, blocks * block), np.float32)
    padded[:, :k] = w
    grouped = padded.reshape(n, blocks, block)
    scale = np.abs(grouped).max(axis=2) / 7.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    q = (np.clip(np.rint(grouped / scale[:, :, None]), -8, 7) + 8).astype(np.uint8)
    packed = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)
    return packed, scale.reshape(-1)


def dequantize_int4_blocks(packed: np.ndarray, scale: np.ndarray, k: int) -> np.ndarray:
    """The inverse, as MatMulNBits computes it: for tests and error estimates."""
    n, blocks, half = packed.shape
    q = np.empty((n, blocks, 2 * half), np.float32)
    q[:, :, 0::2] = packed & 0x0F
    q[:, :, 1::2] = packed >> 4
    w = (q - 8) * scale.reshape(n, blocks, 1)
    return w.reshape(n, -1)[:, :k]


def _attr(node: onnx.NodeProto, name: str, default):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def _linear_weight(node: onnx.NodeProto, inits: Dict[str, np.ndarray]) -> Optional[np.ndarray]:
    """The (N, K) matrix of a linear layer or 1×1 convolution that MatMulNBits can take, else None."""
    if len(node.input) < 2 or node.input[1] not in inits:
        return None
    w = inits[node.input[1]]
    if node.op_type == "MatMul" and w.ndim == 2:
        return w.T
    if node.op_type == "Gemm" and w.ndim == 2 and _attr(node, "transA", 0) == 0 and _attr(node, "transB", 0) == 1 \
            and _attr(node, "alpha", 1.0) == 1.0 and _attr(node, "beta", 1.0) == 1.0:
        return w
    if node.op_type == "Conv" and w.ndim == 4 and w.shape[2:] == (1, 1) and _attr(node, "group", 1) == 1 \
            and all(v == 1 for v in _attr(node, "strides", [1, 1])) and not any(_attr(node, "pads", [0, 0, 0, 0])) \
            and all(v == 1 for v in _attr(node, "dilations", [1, 1])):
        return w[:, :, 0, 0]
    return None


def _int4_linear_layers(out: onnx.ModelProto) -> set:
    """Rewrites every linear layer and 1×1 convolution as MatMulNBits (plus its bias, and transposes
    to channels-last and back around a convolution); returns the initializers now unused."""
    inits = {i.name: numpy_helper.to_array(i) for i in out.graph.initializer if i.data_type == TensorProto.FLOAT}
    nodes, added, replaced = [], {}, set()
    for node in out.graph.node:
        w = _linear_weight(node, inits)
        if w is None or w.shape[1] < INT4_BLOCK:
            nodes.append(node)
            continue
        n, k = w.shape
        name, weight = node.name or node.output[0], node.input[1]
        if weight not in added:
            packed, scale = quantize_int4_blocks(w)
            added[weight] = [numpy_helper.from_array(packed, weight + "_int4"), numpy_helper.from_array(scale, weight + "_int4_scale")]
        replaced.add(weight)
        x, y = node.input[0], node.output[0]
        if node.op_type == "Conv":
            nodes.append(helper.make_node("Transpose", [x], [name + "_nhwc"], name=name + "_to_nhwc", perm=[0, 2, 3, 1]))
            x = name + "_nhwc"
        bias = node.input[2] if len(node.input) > 2 and node.input[2] else None
        product = name + "_product" if bias or node.op_type == "Conv" else y
        nodes.append(helper.make_node("MatMulNBits", [x, weight + "_int4", weight + "_int4_scale"], [product], name=name + "_int4",
                                      domain="com.microsoft", K=k, N=n, bits=4, block_size=INT4_BLOCK))
        if bias:
            biased = name + "_biased" if node.op_type == "Conv" else y
            nodes.append(helper.make_node("Add", [product, bias], [biased], name=name + "_bias"))
            product = biased
        if node.op_type == "Conv":
            nodes.append(helper.make_node("Transpose", [product], [y], name=name + "_to_nchw", perm=[0, 3, 1, 2]))
    del out.graph.node[:]
    out.graph.node.extend(nodes)
    still_used = {i for node in nodes for i in node.input}
    unused = {w for w in replaced if w not in still_used}
    keep = [i for i in out.graph.initializer if i.name not in unused]
    del out.graph.initializer[:]
    out.graph.initializer.extend(keep + [t for ts in added.values() for t in ts])
    if not any(o.domain == "com.microsoft" for o in out.opset_import):
        out.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return unused


def convert(model: onnx.ModelProto, fmt: str) -> onnx.ModelProto:
    if fmt not in FORMATS:
        raise ValueError(f"unknown weight format {fmt!r}; expected one of {sorted(FORMATS)}")
    out = onnx.ModelProto()
    out.CopyFrom(model)
    if fmt == "fp32":
        return out
    if fmt == "int4w":
        _int4_linear_layers(out)
    uses = _consumers(out)
    keep, widen = [], []
    for init in out.graph.initializer:
        packed_scales = any(node.op_type == "MatMulNBits" for node, _ in uses[init.name])  # stay fp32
        vector = sum(d > 1 for d in init.dims) < 2
        small = int(np.prod(init.dims)) < _MIN_ELEMENTS or (fmt in ("int8w", "int4w") and vector)
        if init.data_type != TensorProto.FLOAT or small or packed_scales:
            keep.append(init)
            continue
        w = numpy_helper.to_array(init)
        axes = {_output_channel_axis(node, slot) for node, slot in uses[init.name]}
        axis = axes.pop() if len(axes) == 1 else None
        if fmt in ("int8w", "int4w") and w.ndim >= 2 and axis is not None:
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
