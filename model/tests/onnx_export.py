"""Exports a small test module to ONNX the way the pack exporter does (opset 17, named dynamic axes)."""
import io
import warnings
from typing import Dict

import numpy as np
import onnx
import torch


def export_module(module: torch.nn.Module, feeds: Dict[str, np.ndarray], dynamic_axes: Dict[str, Dict[int, str]],
                  output: str = "y") -> onnx.ModelProto:
    """The module traced at `feeds` (in its argument order); the exporter's warnings are silenced."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, tuple(torch.from_numpy(v) for v in feeds.values()), buffer,
                          input_names=list(feeds), output_names=[output], opset_version=17, dynamic_axes=dynamic_axes)
    return onnx.load_from_string(buffer.getvalue())
