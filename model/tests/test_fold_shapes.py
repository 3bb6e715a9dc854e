"""The export's shape folding: far fewer nodes, the same function at shapes it was not probed at."""
import collections
import numpy as np
import onnx
import pytest
import torch
from torch import nn

from model.export.fold_shapes import fold_shapes
from model.export.ort_runner import run_many
from model.tests.onnx_export import exported_and_folded
from model.unet import AttentionBlock, ResNetBlock


class TwoBlocks(nn.Module):
    """A ResNet block and a self-attention block: GroupNorm with modulation, chunk, reshapes, SiLU."""

    def __init__(self) -> None:
        super().__init__()
        self.resnet = ResNetBlock(16, 16, 32, 4, 2)
        self.attention = AttentionBlock(16, 32, None, 4, 8, 2)
        for p in self.parameters():  # the modulations start at zero; make them count
            nn.init.normal_(p, std=0.2)

    def forward(self, x, t):
        return self.attention(self.resnet(x, t), t)


def _feeds(rng, b, h, w):
    return {"x": rng.standard_normal((b, 16, h, w)).astype(np.float32),
            "t": rng.standard_normal((b, 32)).astype(np.float32)}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    module, before, after = exported_and_folded(
        TwoBlocks, _feeds, [(2, 4, 6), (3, 6, 8), (1, 10, 4)],
        {"x": {0: "b", 2: "h", 3: "w"}, "t": {0: "b"}, "y": {0: "b", 2: "h", 3: "w"}})
    onnx.checker.check_model(after)
    path = tmp_path_factory.mktemp("fold") / "folded.onnx"
    onnx.save(after, str(path))
    return module, before, after, path


def _ops(model):
    return collections.Counter(n.op_type for n in model.graph.node if n.op_type != "Constant")


def test_folding_removes_the_shape_arithmetic(exported):
    _, before, after, _ = exported
    ops_before, ops_after = _ops(before), _ops(after)
    assert sum(ops_after.values()) < 0.6 * sum(ops_before.values())
    for op in ("Gather", "Concat", "Div", "Slice", "Sigmoid", "Identity"):
        assert ops_after[op] == 0, (op, ops_after)
    # The one reshape back to (b, c, h, w) reads the shape of the block's input: two dynamic dims.
    assert ops_after["Shape"] <= ops_before["InstanceNormalization"] + 1
    # One Split per modulated GroupNorm (4 in the ResNet block, 2 in the attention block).
    assert ops_after["Split"] == 6 and ops_after["QuickGelu"] > 0


def test_no_mul_by_ones_or_add_of_zeros_is_left(exported):
    """GroupNorm without affine exports them, with their values in Constant nodes."""
    _, before, after, _ = exported

    def neutral_ops(model):
        values = {i.name: onnx.numpy_helper.to_array(i) for i in model.graph.initializer}
        for n in model.graph.node:
            if n.op_type == "Constant":
                values[n.output[0]] = onnx.numpy_helper.to_array(n.attribute[0].t)
        return [n for n in model.graph.node if n.op_type in ("Mul", "Add") and any(
            i in values and values[i].size and np.all(values[i] == (1 if n.op_type == "Mul" else 0)) for i in n.input)]

    assert len(neutral_ops(before)) >= 6  # the test would pass vacuously on a graph without them
    assert neutral_ops(after) == []


@pytest.mark.parametrize("shape", [(1, 4, 4), (2, 12, 2), (4, 3, 5)])
def test_the_folded_graph_computes_the_same_at_unprobed_shapes(exported, shape):
    module, _, _, path = exported
    feeds = _feeds(np.random.default_rng(7), *shape)
    [out] = run_many([(path, feeds, ["y"])])
    with torch.no_grad():
        expected = module(*(torch.from_numpy(v) for v in feeds.values())).numpy()
    assert out["y"].shape == expected.shape
    assert np.abs(out["y"] - expected).max() <= 1e-4 * max(1.0, np.abs(expected).max())


def test_fewer_than_three_probes_are_refused(exported):
    _, before, _, _ = exported
    with pytest.raises(ValueError, match="three probe shapes"):
        fold_shapes(before, [{}, {}])
