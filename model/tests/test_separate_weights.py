"""int8 weights kept beside the graph: the graph loses its constant DequantizeLinear nodes, and ORT,
given the widened file as external data, computes exactly what the int8w graph computed."""
import re
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import numpy_helper
from torch import nn

from model.export import separate_weights
from model.export.ort_runner import run_many
from model.export.separate_weights import (SEPARATE_MAX_INT8_BYTES, WeightsFileError, separate_int8_weights, staged,
                                           weights_paths, widened, write_weights)
from model.export.weight_formats import convert
from model.tests.onnx_export import export_module

REPO = Path(__file__).resolve().parents[2]


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)  # int8 along axis 0
        self.linear = nn.Linear(8, 5)  # a MatMul (3-D input): int8 along axis 1

    def forward(self, x):
        return self.linear(self.conv(x).mean(dim=(2,)).transpose(1, 2))


def _fp32_graph() -> onnx.ModelProto:
    torch.manual_seed(0)
    feeds = {"x": np.random.default_rng(0).normal(size=(2, 3, 6, 4)).astype(np.float32)}
    return export_module(_Net().eval(), feeds, {"x": {0: "batch"}})


def _int8w_graph() -> onnx.ModelProto:
    return convert(_fp32_graph(), "int8w")


def test_the_graph_loses_its_dequantize_nodes_and_runs_bit_for_bit_as_before(tmp_path):
    int8w = _int8w_graph()
    graph_path = tmp_path / "net.int8w.onnx"
    weights, location = weights_paths(graph_path)
    assert (weights.name, location) == ("net.int8w.safetensors", "net.int8w.fp32")
    separated, tensors = separate_int8_weights(int8w, location)
    assert sum(n.op_type == "DequantizeLinear" for n in int8w.graph.node) == 2
    assert not any(n.op_type == "DequantizeLinear" for n in separated.graph.node)
    assert len(separated.graph.node) == len(int8w.graph.node) - 2
    # The int8 values first, then their scales: a weight's fp32 data sits at 4× its int8 offset.
    assert [a.dtype for a in tensors.values()] == [np.int8, np.int8, np.float32, np.float32]
    offset = 0
    for init in (i for i in separated.graph.initializer if i.external_data):
        entries = {e.key: e.value for e in init.external_data}
        assert entries == {"location": location, "offset": str(4 * offset), "length": str(4 * int(np.prod(init.dims)))}
        offset += int(np.prod(init.dims))

    write_weights(weights, tensors)
    onnx.save(separated, str(graph_path))
    original = tmp_path / "original.onnx"
    onnx.save(int8w, str(original))
    x = np.random.default_rng(1).normal(size=(2, 3, 6, 4)).astype(np.float32)
    before, after = run_many([(original, {"x": x}, ["y"]), (graph_path, {"x": x}, ["y"])])
    np.testing.assert_array_equal(before["y"], after["y"])


def test_widening_is_dequantize_linear_arithmetic(tmp_path):
    int8w = _int8w_graph()
    stored = {i.name: numpy_helper.to_array(i) for i in int8w.graph.initializer}
    _, tensors = separate_int8_weights(int8w, "w.fp32")
    write_weights(tmp_path / "w.safetensors", tensors)
    data = np.frombuffer(widened(tmp_path / "w.safetensors"), np.float32)
    expected = []
    for node in (n for n in int8w.graph.node if n.op_type == "DequantizeLinear"):
        axis = next(a.i for a in node.attribute if a.name == "axis")
        q, scale = stored[node.input[0]], stored[node.input[1]]
        shape = [1] * q.ndim
        shape[axis] = -1
        expected.append((q.astype(np.float32) * scale.reshape(shape)).reshape(-1))
    np.testing.assert_array_equal(data, np.concatenate(expected))


def test_graphs_too_large_to_fold_keep_their_dequantize_nodes(monkeypatch):
    int8_bytes = 8 * 3 * 3 * 3 + 8 * 5
    monkeypatch.setattr(separate_weights, "SEPARATE_MAX_INT8_BYTES", int8_bytes)
    assert separate_int8_weights(_int8w_graph(), "w.fp32") is not None
    monkeypatch.setattr(separate_weights, "SEPARATE_MAX_INT8_BYTES", int8_bytes - 1)
    assert separate_int8_weights(_int8w_graph(), "w.fp32") is None
    monkeypatch.undo()
    assert separate_int8_weights(_fp32_graph(), "w.fp32") is None  # nothing to separate


def test_a_graph_without_a_weights_file_is_run_where_it_lies(tmp_path):
    path = tmp_path / "plain.onnx"
    assert staged(path, tmp_path / "stage") == path


def test_a_file_of_another_kind_is_refused(tmp_path):
    other = tmp_path / "other.safetensors"
    other.write_bytes(b"\x02\x00\x00\x00\x00\x00\x00\x00{}")
    with pytest.raises(WeightsFileError, match="not an int8 weights file"):
        widened(other)


def test_the_size_rule_is_the_apps_folding_rule():
    source = (REPO / "workers/runtime/session-options.ts").read_text()
    (mib,) = re.findall(r"FOLD_WEIGHTS_MAX_FILE_BYTES = (\d+) \* 2 \*\* 20", source)
    assert SEPARATE_MAX_INT8_BYTES == int(mib) * 2**20
