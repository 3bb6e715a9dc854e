"""Exports a small test module to ONNX the way the pack exporter does (opset 17, named dynamic axes),
and folds its shape arithmetic as the exporter does next."""
import io
import warnings
from typing import Callable, Dict, Sequence, Tuple

import numpy as np
import onnx
import torch

from model.export.fold_shapes import fold_shapes


def export_module(module: torch.nn.Module, feeds: Dict[str, np.ndarray], dynamic_axes: Dict[str, Dict[int, str]],
                  output: str = "y") -> onnx.ModelProto:
    """The module traced at `feeds` (in its argument order); the exporter's warnings are silenced."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, tuple(torch.from_numpy(v) for v in feeds.values()), buffer,
                          input_names=list(feeds), output_names=[output], opset_version=17, dynamic_axes=dynamic_axes)
    return onnx.load_from_string(buffer.getvalue())


def exported_and_folded(make_module: Callable[[], torch.nn.Module],
                        feeds: Callable[..., Dict[str, np.ndarray]], shapes: Sequence[tuple],
                        dynamic_axes: Dict[str, Dict[int, str]]) -> Tuple[torch.nn.Module, onnx.ModelProto, onnx.ModelProto]:
    """A module made with seed 0, in eval mode, exported at `feeds(rng, *shapes[0])` and folded at the
    feeds of every shape (the trace's first). Returns the module, the export, and a folded copy of it."""
    torch.manual_seed(0)
    module = make_module().eval()
    rng = np.random.default_rng(0)
    probes = [feeds(rng, *shape) for shape in shapes]
    exported = export_module(module, probes[0], dynamic_axes)
    copy = onnx.ModelProto()
    copy.CopyFrom(exported)
    return module, exported, fold_shapes(copy, probes)
