"""Fuse each multi-head attention of an exported graph into ORT's `com.microsoft.MultiHeadAttention`.

The exporter writes attention (model/attention.py) as about a dozen nodes: the projected query, key
and value each reshaped to (B, L, heads, head size) and transposed, then MatMul, the scale, the mask
bias, Softmax, MatMul, a transpose and a reshape back. MultiHeadAttention takes the projected
(B, L, width) tensors and does all of that in one node; onnxruntime-web has it on wasm and WebGPU.

Its WebGPU kernel has no `key_padding_mask`, so the mask stays the additive bias the graph already
computes, (B, 1, 1, L); MultiHeadAttention wants `attention_bias` as (B, 1, S, L), so it is expanded
to the query's length S (three small nodes: S read from the query's shape, a Concat, an Expand).

Only the exact pattern is rewritten; anything else is left as it is. The arithmetic is the same
(softmax(scale · q kᵀ + bias) v per head); the export's parity checks against PyTorch confirm it.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Optional

import numpy as np
import onnx
from onnx import helper, numpy_helper

from .graph_constants import constant_values
from .graph_edit import remove_unused, topological_sort


def _perm(node: onnx.NodeProto) -> Optional[List[int]]:
    return next((list(helper.get_attribute_value(a)) for a in node.attribute if a.name == "perm"), None)


class _Graph:
    def __init__(self, graph: onnx.GraphProto) -> None:
        self.graph = graph
        self.constants = constant_values(graph)
        self.producer = {o: n for n in graph.node for o in n.output}
        self.readers: Dict[str, List[onnx.NodeProto]] = defaultdict(list)
        for node in graph.node:
            for name in node.input:
                self.readers[name].append(node)
        self.outputs = {o.name for o in graph.output}

    def made_by(self, name: str, op: str) -> Optional[onnx.NodeProto]:
        node = self.producer.get(name)
        return node if node is not None and node.op_type == op else None

    def only_reader(self, name: str, op: str) -> Optional[onnx.NodeProto]:
        readers = self.readers[name]
        if len(readers) != 1 or readers[0].op_type != op or name in self.outputs:
            return None
        return readers[0]

    def split_heads(self, name: str, perm: List[int]) -> Optional[tuple]:
        """name = Transpose(Reshape(x, [b, l, heads, size]), perm): returns (x, heads, size)."""
        transpose = self.made_by(name, "Transpose")
        if transpose is None or _perm(transpose) != perm:
            return None
        reshape = self.made_by(transpose.input[0], "Reshape")
        shape = self.constants.get(reshape.input[1]) if reshape is not None else None
        if shape is None or shape.shape != (4,) or shape[2] <= 0 or shape[3] <= 0:
            return None
        return reshape.input[0], int(shape[2]), int(shape[3])


def fuse_attention(model: onnx.ModelProto) -> onnx.ModelProto:
    """Returns the model with every attention that matches the exported pattern fused."""
    g = _Graph(model.graph)
    created = 0
    replaced: Dict[int, List[onnx.NodeProto]] = {}  # the node each fusion replaces → the new nodes
    for softmax in list(model.graph.node):
        if softmax.op_type != "Softmax":
            continue
        axis = next((a.i for a in softmax.attribute if a.name == "axis"), -1)
        before = g.producer.get(softmax.input[0])
        bias = None
        if before is not None and before.op_type == "Add":
            scaled = next((g.made_by(i, "Mul") for i in before.input if g.made_by(i, "Mul")), None)
            if scaled is None:
                continue
            bias = next(i for i in before.input if i != scaled.output[0])
        else:
            scaled = before if before is not None and before.op_type == "Mul" else None
        if scaled is None:
            continue
        scale_name = next((i for i in scaled.input if i in g.constants and g.constants[i].size == 1), None)
        logits = next((g.made_by(i, "MatMul") for i in scaled.input if i != scale_name), None)
        if scale_name is None or logits is None or axis not in (-1, 3):
            continue
        query = g.split_heads(logits.input[0], [0, 2, 1, 3])
        key = g.split_heads(logits.input[1], [0, 2, 3, 1])
        weighted = g.only_reader(softmax.output[0], "MatMul")
        value = g.split_heads(weighted.input[1], [0, 2, 1, 3]) if weighted is not None else None
        merged = g.only_reader(weighted.output[0], "Transpose") if weighted is not None else None
        out = g.only_reader(merged.output[0], "Reshape") if merged is not None and _perm(merged) == [0, 2, 1, 3] else None
        if None in (query, key, value, out) or weighted.input[0] != softmax.output[0]:
            continue
        heads, size = query[1], query[2]
        if (key[1], key[2]) != (heads, size) or value[1] != heads:
            continue
        chain = [logits, scaled, *([before] if bias is not None else []), softmax]
        if any(len(g.readers[a.output[0]]) != 1 or a.output[0] in g.outputs for a in chain[:-1]):
            continue  # an intermediate someone else reads: leave it
        prefix = f"attention_{created}"
        created += 1
        nodes: List[onnx.NodeProto] = []
        attention_bias = ""
        if bias is not None:
            # (B, 1, 1, L) → (B, 1, S, L): S is the query's length.
            ones = f"{prefix}_ones"
            model.graph.initializer.append(numpy_helper.from_array(np.array([1, 1], np.int64), ones))
            one = f"{prefix}_one"
            model.graph.initializer.append(numpy_helper.from_array(np.array([1], np.int64), one))
            nodes += [
                helper.make_node("Shape", [query[0]], [f"{prefix}_length"], name=f"{prefix}_length", start=1, end=2),
                helper.make_node("Concat", [ones, f"{prefix}_length", one], [f"{prefix}_bias_shape"],
                                 name=f"{prefix}_bias_shape", axis=0),
                helper.make_node("Expand", [bias, f"{prefix}_bias_shape"], [f"{prefix}_bias"], name=f"{prefix}_bias"),
            ]
            attention_bias = f"{prefix}_bias"
        nodes.append(helper.make_node(
            "MultiHeadAttention", [query[0], key[0], value[0], "", "", attention_bias], [out.output[0]],
            name=prefix, domain="com.microsoft", num_heads=heads,
            scale=float(g.constants[scale_name].reshape(())),
        ))
        replaced[id(out)] = nodes
    if not replaced:
        return model
    rebuilt: List[onnx.NodeProto] = []
    for node in model.graph.node:
        rebuilt += replaced.get(id(node), [node])
    del model.graph.node[:]
    model.graph.node.extend(rebuilt)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    topological_sort(model.graph)
    remove_unused(model)
    return model


def attention_count(model: onnx.ModelProto) -> Dict[str, int]:
    """Softmax nodes left and MultiHeadAttention nodes made (for tests and reports)."""
    ops = [n.op_type for n in model.graph.node]
    return {"softmax": ops.count("Softmax"), "fused": ops.count("MultiHeadAttention")}
