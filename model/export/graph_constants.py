"""The constant values of an ONNX graph by name: its initializers and its Constant nodes' tensors.

The TorchScript exporter writes many literals (axes, shapes, GroupNorm's ones and zeros) as Constant
nodes rather than initializers, so a rewrite that looks for constants has to read both.
"""
from __future__ import annotations

from typing import Dict

import numpy as np
import onnx
from onnx import numpy_helper


def constant_values(graph: onnx.GraphProto) -> Dict[str, np.ndarray]:
    values = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant" and len(node.attribute) == 1 and node.attribute[0].name == "value":
            values[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    return values
