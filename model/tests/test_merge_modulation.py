"""Merging the modulation projections: one Gemm, Splits no wider than WebGPU allows, same outputs."""
import collections

import numpy as np
import onnx
import pytest
import torch

from model.export.merge_modulation import MAX_SPLIT_OUTPUTS, merge_modulation, modulation_chains
from model.export.ort_runner import run_many
from model.tests.test_fold_shapes import _feeds, exported  # noqa: F401 (the fixture)


@pytest.fixture(scope="module")
def merged(exported, tmp_path_factory):  # noqa: F811
    _, _, folded, _ = exported
    copy = onnx.ModelProto()
    copy.CopyFrom(folded)
    before_chains = modulation_chains(copy)
    model = merge_modulation(copy)
    onnx.checker.check_model(model)
    path = tmp_path_factory.mktemp("merge") / "merged.onnx"
    onnx.save(model, str(path))
    return folded, model, path, before_chains


def test_every_chain_becomes_one_gemm_and_a_tree_of_narrow_splits(merged):
    folded, model, _, before_chains = merged
    assert before_chains == 6  # 4 norms in the ResNet block, 2 in the attention block
    assert modulation_chains(model) == 0
    ops_before = collections.Counter(n.op_type for n in folded.graph.node)
    ops_after = collections.Counter(n.op_type for n in model.graph.node)
    assert ops_after["Gemm"] == ops_before["Gemm"] - before_chains + 1
    splits = [n for n in model.graph.node if n.op_type == "Split"]
    assert splits and all(len(n.output) <= MAX_SPLIT_OUTPUTS for n in splits)
    assert len(model.graph.node) < len(folded.graph.node)


@pytest.mark.parametrize("shape", [(1, 4, 4), (3, 6, 2)])
def test_the_merged_graph_computes_the_same(exported, merged, shape):  # noqa: F811
    module = exported[0]
    _, _, path, _ = merged
    feeds = _feeds(np.random.default_rng(11), *shape)
    [out] = run_many([(path, feeds, ["y"])])
    with torch.no_grad():
        expected = module(*(torch.from_numpy(v) for v in feeds.values())).numpy()
    assert np.abs(out["y"] - expected).max() <= 1e-4 * max(1.0, np.abs(expected).max())


def test_few_chains_are_left_alone(exported):  # noqa: F811
    _, _, folded, _ = exported
    copy = onnx.ModelProto()
    copy.CopyFrom(folded)
    assert modulation_chains(merge_modulation(copy, min_chains=7)) == 6
