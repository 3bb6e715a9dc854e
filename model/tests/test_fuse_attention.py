"""Attention fused into ORT's MultiHeadAttention: one node, the same outputs as PyTorch, masks included."""
import numpy as np
import onnx
import pytest
import torch
from torch import nn

from model.attention import Attention, mask_to_bias
from model.export.fuse_attention import attention_count, fuse_attention
from model.export.ort_runner import run_many
from model.tests.onnx_export import exported_and_folded


class CrossAndSelf(nn.Module):
    """A masked cross-attention to a context, then an unmasked self-attention."""

    def __init__(self) -> None:
        super().__init__()
        self.cross = Attention(16, 24, 32, 8)
        self.self_attention = Attention(32, 32, 32, 16)

    def forward(self, x, context, mask):
        h = self.cross(x, context, mask_to_bias(mask, x.dtype))
        return self.self_attention(h, h)


def _feeds(rng, b, n, m, masked_rows=()):
    mask = np.ones((b, m), np.int64)
    for row, keep in masked_rows:
        mask[row, keep:] = 0
    return {"x": rng.standard_normal((b, n, 16)).astype(np.float32),
            "context": rng.standard_normal((b, m, 24)).astype(np.float32), "mask": mask}


@pytest.fixture(scope="module")
def fused(tmp_path_factory):
    module, _, folded = exported_and_folded(
        CrossAndSelf, _feeds, [(2, 6, 5), (3, 4, 7), (1, 9, 2)],
        {"x": {0: "b", 1: "n"}, "context": {0: "b", 1: "m"}, "mask": {0: "b", 1: "m"}, "y": {0: "b", 1: "n"}})
    unfused_count = attention_count(folded)
    nodes_before = len(folded.graph.node)
    model = fuse_attention(folded)
    onnx.checker.check_model(model)
    path = tmp_path_factory.mktemp("fuse") / "fused.onnx"
    onnx.save(model, str(path))
    return module, model, path, unfused_count, nodes_before


def test_both_attentions_become_one_node_each(fused):
    _, model, _, before, nodes_before = fused
    assert before == {"softmax": 2, "fused": 0}
    assert attention_count(model) == {"softmax": 0, "fused": 2}
    assert len(model.graph.node) < nodes_before - 10
    heads = sorted(next(a.i for a in n.attribute if a.name == "num_heads")
                   for n in model.graph.node if n.op_type == "MultiHeadAttention")
    assert heads == [2, 4]  # 32 wide: heads of 16 and of 8


@pytest.mark.parametrize("shape, masked_rows", [
    ((1, 4, 3), ()),
    ((2, 7, 6), ((1, 2),)),  # a padded prompt: the second row keeps 2 tokens
    ((3, 5, 4), ((0, 0), (2, 1))),  # a fully masked row attends uniformly, as in PyTorch
])
def test_the_fused_graph_computes_the_same(fused, shape, masked_rows):
    module, _, path, _, _ = fused
    feeds = _feeds(np.random.default_rng(5), *shape, masked_rows)
    [out] = run_many([(path, feeds, ["y"])])
    with torch.no_grad():
        expected = module(*(torch.from_numpy(v) for v in feeds.values())).numpy()
    assert np.abs(out["y"] - expected).max() <= 1e-4 * max(1.0, np.abs(expected).max())


def test_a_graph_without_the_pattern_is_left_alone():
    x = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 4])
    y = onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 4])
    graph = onnx.helper.make_graph([onnx.helper.make_node("Softmax", ["x"], ["y"], axis=-1)], "g", [x], [y])
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 17)])
    assert attention_count(fuse_attention(model)) == {"softmax": 1, "fused": 0}
