"""Merge the U-Net's modulation projections into one Gemm.

Every conditional GroupNorm (kandinsky3-architecture §3.3) projects the same time embedding to its
own scale and shift: a Gemm, an Unsqueeze to [B, 2C, 1, 1] and a Split in two. The nano U-Net has
120 of them, 360 nodes. They are one matrix product with the weights stacked: one Gemm, one
Unsqueeze, and a tree of Splits that hands each norm its two slices.

The tree, not one Split with 240 outputs: on WebGPU, onnxruntime-web writes all of a Split's outputs
from one shader, and a shader may bind only a few storage buffers (8 by default, the input among
them). A Split with 240 outputs made the nano pack fail to load there; each Split here has at most
`MAX_SPLIT_OUTPUTS`.

The arithmetic is the same per output element (each is the same dot product plus the same bias), so
the graph's outputs do not change; the export's parity checks confirm it.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Tuple

import numpy as np
import onnx
from onnx import helper, numpy_helper

from .graph_constants import constant_values

MAX_SPLIT_OUTPUTS = 6


def _attrs(node: onnx.NodeProto) -> Dict[str, object]:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


class _Modulation:
    """One norm's projection: Gemm(x, W, b) → Unsqueeze(axes) → Split(axis 1) into its outputs."""

    def __init__(self, gemm, unsqueeze, split, weight, bias, axes, sizes):
        self.gemm, self.unsqueeze, self.split = gemm, unsqueeze, split
        self.weight, self.bias, self.axes, self.sizes = weight, bias, axes, sizes


def _find(graph: onnx.GraphProto) -> Dict[str, List[_Modulation]]:
    """The modulation chains, grouped by the input they project (the same time embedding)."""
    constants = constant_values(graph)
    readers: Dict[str, List[onnx.NodeProto]] = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            readers[name].append(node)
    outputs = {o.name for o in graph.output}
    found: Dict[str, List[_Modulation]] = defaultdict(list)
    for gemm in graph.node:
        if gemm.op_type != "Gemm" or len(gemm.input) != 3:
            continue
        a = _attrs(gemm)
        if a.get("transA", 0) != 0 or a.get("transB", 0) != 1 or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
            continue
        weight, bias = constants.get(gemm.input[1]), constants.get(gemm.input[2])
        if weight is None or bias is None or weight.ndim != 2 or bias.shape != (weight.shape[0],):
            continue
        after = readers[gemm.output[0]]
        if len(after) != 1 or after[0].op_type != "Unsqueeze" or gemm.output[0] in outputs:
            continue
        unsqueeze = after[0]
        axes = constants.get(unsqueeze.input[1]) if len(unsqueeze.input) > 1 else None
        then = readers[unsqueeze.output[0]]
        if axes is None or len(then) != 1 or then[0].op_type != "Split" or unsqueeze.output[0] in outputs:
            continue
        split = then[0]
        sizes = constants.get(split.input[1]) if len(split.input) > 1 else None
        # chunk(2): a scale and a shift, read by the norm (a merged chain's Splits feed Splits)
        if len(split.output) != 2 or _attrs(split).get("axis", 0) != 1 or sizes is None \
                or int(sizes.sum()) != weight.shape[0] \
                or any(r.op_type == "Split" for o in split.output for r in readers[o]):
            continue
        found[gemm.input[0]].append(_Modulation(gemm, unsqueeze, split, weight, bias, tuple(axes.tolist()), sizes))
    return found


def _split_tree(source: str, leaves: List[Tuple[str, int]], prefix: str, const) -> List[onnx.NodeProto]:
    """Splits `source` along axis 1 into `leaves` (name, size) with Splits of ≤ MAX_SPLIT_OUTPUTS
    outputs: built from the leaves up, runs of MAX_SPLIT_OUTPUTS at a time (240 leaves take 49)."""
    def split(whole: str, parts: List[Tuple[str, int]]) -> onnx.NodeProto:
        return helper.make_node("Split", [whole, const(np.array([s for _, s in parts], np.int64))],
                                [n for n, _ in parts], name=f"{whole}_split", axis=1)

    nodes: List[onnx.NodeProto] = []
    level = leaves
    depth = 0
    while len(level) > MAX_SPLIT_OUTPUTS:
        above = []
        for start in range(0, len(level), MAX_SPLIT_OUTPUTS):
            run = level[start:start + MAX_SPLIT_OUTPUTS]
            if len(run) == 1:
                above.append(run[0])
                continue
            whole = f"{prefix}_{depth}_{start // MAX_SPLIT_OUTPUTS}"
            nodes.append(split(whole, run))
            above.append((whole, sum(s for _, s in run)))
        level = above
        depth += 1
    nodes.append(split(source, level))
    return nodes[::-1]  # the root first: each Split after the one that writes its input


def merge_modulation(model: onnx.ModelProto, min_chains: int = 4) -> onnx.ModelProto:
    """Returns the model with each group of ≥ `min_chains` modulation chains on one input merged."""
    graph = model.graph
    created = 0

    def const(value: np.ndarray) -> str:
        nonlocal created
        name = f"modulation_const_{created}"
        created += 1
        graph.initializer.append(numpy_helper.from_array(value, name))
        return name

    for index, (source, chains) in enumerate(sorted(_find(graph).items())):
        if len(chains) < min_chains or len({c.axes for c in chains}) != 1 or len({c.weight.dtype for c in chains}) != 1:
            continue
        prefix = f"modulation_{index}"
        weight = const(np.concatenate([c.weight for c in chains], axis=0))
        bias = const(np.concatenate([c.bias for c in chains], axis=0))
        merged = [
            helper.make_node("Gemm", [source, weight, bias], [f"{prefix}_gemm"], name=f"{prefix}_gemm", transB=1),
            helper.make_node("Unsqueeze", [f"{prefix}_gemm", const(np.array(chains[0].axes, np.int64))],
                             [f"{prefix}_unsqueezed"], name=f"{prefix}_unsqueeze"),
        ]
        leaves = [(name, int(size)) for c in chains for name, size in zip(c.split.output, c.sizes)]
        merged += _split_tree(f"{prefix}_unsqueezed", leaves, prefix, const)
        dropped = {id(n) for c in chains for n in (c.gemm, c.unsqueeze, c.split)}
        first = min(i for i, n in enumerate(graph.node) if id(n) in dropped)
        kept = [n for n in graph.node if id(n) not in dropped]
        # The merged chain goes where the first of its chains was: the input exists by then, and
        # every reader of a slice comes after it.
        position = sum(1 for n in list(graph.node)[:first] if id(n) not in dropped)
        del graph.node[:]
        graph.node.extend(kept[:position] + merged + kept[position:])
    _drop_unused_initializers(graph)
    return model


def _drop_unused_initializers(graph: onnx.GraphProto) -> None:
    read = {name for node in graph.node for name in node.input}
    kept = [i for i in graph.initializer if i.name in read]
    del graph.initializer[:]
    graph.initializer.extend(kept)


def modulation_chains(model: onnx.ModelProto) -> int:
    """How many unmerged modulation chains the model has (for tests and reports)."""
    return sum(len(chains) for chains in _find(model.graph).values())


__all__ = ["merge_modulation", "modulation_chains", "MAX_SPLIT_OUTPUTS"]
