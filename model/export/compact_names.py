"""Make exported graphs smaller without changing what they compute.

- Names like "/unet/down_blocks.0/resnets_in.0/resnet_blocks.0/group_norm/Unsqueeze_output_0" made up
  half of a tiny U-Net file (1.3 MB of names for 1.1 MB of weights). Graph inputs, outputs and
  initializers (the parameter names) keep their names; internal values and nodes get short ones.
- The exporter writes a Constant node for every axis list and shape literal, thousands of them with
  a few dozen distinct values; identical ones become one shared initializer.
"""
from __future__ import annotations

import onnx
from onnx import numpy_helper


def _share_constants(graph: onnx.GraphProto) -> None:
    shared = {}  # (dtype, dims, bytes) -> initializer name
    alias = {}  # Constant output -> initializer name
    nodes = []
    for node in graph.node:
        value = next((a.t for a in node.attribute if a.name == "value"), None) if node.op_type == "Constant" else None
        if value is None or len(node.attribute) != 1:
            nodes.append(node)
            continue
        array = numpy_helper.to_array(value)
        key = (array.dtype.str, array.shape, array.tobytes())
        if key not in shared:
            shared[key] = f"const{len(shared)}"
            graph.initializer.append(numpy_helper.from_array(array, shared[key]))
        alias[node.output[0]] = shared[key]
    for node in nodes:
        for i, name in enumerate(node.input):
            node.input[i] = alias.get(name, name)
    for output in graph.output:
        if output.name in alias:
            raise ValueError(f"graph output {output.name} is a constant; refusing to rename it")
    del graph.node[:]
    graph.node.extend(nodes)


def compact_names(model: onnx.ModelProto) -> onnx.ModelProto:
    graph = model.graph
    _share_constants(graph)
    keep = {v.name for v in graph.input} | {v.name for v in graph.output} | {i.name for i in graph.initializer}
    renamed = {}

    def short(name: str) -> str:
        if not name or name in keep:
            return name
        if name not in renamed:
            renamed[name] = f"t{len(renamed)}"
        return renamed[name]

    for i, node in enumerate(graph.node):
        node.name = f"{node.op_type}_{i}"
        node.doc_string = ""
        for j, name in enumerate(node.input):
            node.input[j] = short(name)
        for j, name in enumerate(node.output):
            node.output[j] = short(name)
    for info in graph.value_info:
        info.name = short(info.name)
    return model
