"""int8w weights kept beside the graph instead of inside it.

An int8w graph (weight_formats.py) widens each int8 weight with a DequantizeLinear node. When a graph
is small enough, the app has ORT fold those nodes into fp32 weights as the session is created
(`FOLD_WEIGHTS_MAX_FILE_BYTES` in workers/runtime/session-options.ts). Then the nodes do nothing but
cost: they were 218 of the nano Flash U-Net's 1,417 nodes, and each was parsed, run once and removed
again every time a session was created.

So such a graph is written without them:
- each weight becomes an fp32 initializer stored as ONNX external data, under a location that no
  shipped file has;
- its int8 values and per-channel scales go into a safetensors file beside the graph;
- the worker widens that file into the fp32 bytes (q × scale, DequantizeLinear's own arithmetic, so
  the weights are bit for bit what folding made) and hands them to ORT as the location's data.

The download stays int8, and the memory is what folding took.

The file's layout means the widening needs no table:
- the int8 tensors come first, back to back from offset 0;
- then one float32 scale tensor each, named `<weight>.scale`, shaped to broadcast against the
  weight (its one longer axis is the output channels);
- a weight's fp32 bytes lie at 4× its int8 offsets.

The worker's reader is workers/pack/int8-weights.ts.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict, Optional, Tuple

import numpy as np
import onnx
import torch
from onnx import TensorProto, numpy_helper

from ..convert.safetensors_io import SafetensorsError, read_metadata, read_safetensors, write_safetensors

# The app folds int8 weights for graph files up to 64 MiB (workers/runtime/session-options.ts);
# larger graphs keep int8 in memory, so their DequantizeLinear nodes stay. A test keeps the two equal.
SEPARATE_MAX_INT8_BYTES = 64 * 2**20
FORMAT = "kandinsky-web/int8-per-channel"


class WeightsFileError(ValueError):
    """A weights file that is not one this module writes: the message says which file and what is wrong."""


def weights_paths(graph_path: Path) -> Tuple[Path, str]:
    """The weights file beside a graph, and the external-data location its fp32 weights are read under."""
    stem = graph_path.name[: -len(".onnx")] if graph_path.name.endswith(".onnx") else graph_path.name
    return graph_path.with_name(stem + ".safetensors"), stem + ".fp32"


def separate_int8_weights(model: onnx.ModelProto, location: str) -> Optional[Tuple[onnx.ModelProto, Dict[str, np.ndarray]]]:
    """The graph without its constant DequantizeLinear nodes, and the tensors of its weights file
    (in file order); None when it has none, or when its int8 weights are too large to be folded."""
    inits = {i.name: i for i in model.graph.initializer}
    widen = [n for n in model.graph.node if n.op_type == "DequantizeLinear" and all(i in inits for i in n.input)]
    if not widen or sum(int(np.prod(inits[n.input[0]].dims)) for n in widen) > SEPARATE_MAX_INT8_BYTES:
        return None
    values: Dict[str, np.ndarray] = {}
    scales: Dict[str, np.ndarray] = {}
    external = []
    offset = 0
    for node in widen:
        q = numpy_helper.to_array(inits[node.input[0]])
        scale = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
        zero = numpy_helper.to_array(inits[node.input[2]]) if len(node.input) > 2 else np.zeros(1, np.int8)
        if q.dtype != np.int8 or np.any(zero != 0):
            raise ValueError(f"{node.name}: only symmetric int8 weights (zero point 0) are separated")
        axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
        shape = [1] * q.ndim
        shape[axis] = -1
        name = node.output[0]
        values[name] = q
        scales[name + ".scale"] = scale.reshape(shape)
        tensor = onnx.TensorProto(name=name, data_type=TensorProto.FLOAT, dims=q.shape)
        tensor.data_location = TensorProto.EXTERNAL
        for key, value in (("location", location), ("offset", str(4 * offset)), ("length", str(4 * q.size))):
            entry = tensor.external_data.add()
            entry.key, entry.value = key, value
        external.append(tensor)
        offset += q.size
    dropped = {i for n in widen for i in n.input}
    out = onnx.ModelProto()
    out.CopyFrom(model)
    kept = [i for i in out.graph.initializer if i.name not in dropped]
    del out.graph.initializer[:]
    out.graph.initializer.extend(kept + external)
    nodes = [n for n in out.graph.node if not (n.op_type == "DequantizeLinear" and n.output[0] in values)]
    del out.graph.node[:]
    out.graph.node.extend(nodes)
    return out, {**values, **scales}


def write_weights(path: Path, tensors: Dict[str, np.ndarray]) -> None:
    """The weights file: the tensors in the given order (int8 values first, as separate_int8_weights makes them)."""
    write_safetensors(path, {name: torch.tensor(a) for name, a in tensors.items()}, {"format": FORMAT})


def widened(path: Path) -> bytes:
    """The fp32 external data a weights file stands for (the worker's widenInt8Weights, in numpy)."""
    try:
        form = read_metadata(path).get("format")
    except SafetensorsError as e:
        raise WeightsFileError(str(e)) from None
    if form != FORMAT:
        raise WeightsFileError(f"{path}: not an int8 weights file (format {form!r})")
    tensors = {name: t.numpy() for name, t in read_safetensors(path).items()}
    values = [(name, q) for name, q in tensors.items() if q.dtype == np.int8]  # in file order, from offset 0
    return b"".join((q.astype(np.float32) * tensors[name + ".scale"]).astype("<f4").tobytes() for name, q in values)


def staged(graph_path: Path, folder: Path) -> Path:
    """A graph runnable by path: itself, or, with a weights file beside it, a copy in `folder` with its
    widened fp32 data beside it under the location's name, where ORT looks for external data."""
    weights, location = weights_paths(Path(graph_path))
    if not weights.exists():
        return Path(graph_path)
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / Path(graph_path).name
    shutil.copyfile(graph_path, copy)
    (folder / location).write_bytes(widened(weights))
    return copy
