"""Cutting a graph too large for one ONNX file into parts that run one after another.

An ONNX file is one protobuf, 2 GiB at most, and the full-size U-Net (12 GB in fp32) and Flan-UL2
(35 GB) are far over. Their forward passes are lists of steps (model/steps.py); the steps are cut
into runs of balanced size, each exported as its own graph. A part reads values by name from those
the graph was given and those earlier parts wrote, so the runtime needs no knowledge of the model:
it keeps a table of named tensors, feeds each part what it asks for, and adds what it returns
(workers/pipeline/part-chain.ts, model/export/ort_run.mjs).

Values a part writes are named `<value>.<part>` (e.g. "x.2", "skip_1.0"): ONNX names are single
assignment, and the x a part reads differs from the x it writes. Graph outputs keep their names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Sequence

import numpy as np
import torch
from torch import nn

from ..steps import Step, Values, run_steps, unique_parameters
from .graphs import TensorSpec

# fp32 bytes of weights per part: protobuf's 2 GiB less room for the graph itself.
DEFAULT_PART_BYTES = 1_800_000_000


def fp32_bytes(steps: Sequence[Step]) -> int:
    return 4 * sum(p.numel() for p in unique_parameters(m for s in steps for m in s.modules))


def group_steps(steps: Sequence[Step], budget: int) -> List[List[Step]]:
    """Consecutive runs of steps, each at most `budget` fp32 bytes, as few as the budget allows and as
    even as they can be (the smallest cap that still gives that few), so no part is a sliver."""
    sizes = [fp32_bytes([s]) for s in steps]
    for step, size in zip(steps, sizes):
        if size > budget:
            raise ValueError(
                f"step {step.name} alone holds {size / 1e6:,.2f} MB of fp32 weights, more than a part may "
                f"hold ({budget / 1e6:,.2f} MB); raise the part size"
            )

    def greedy(cap: int) -> List[List[int]]:
        groups, current, total = [], [], 0
        for i, size in enumerate(sizes):
            if current and total + size > cap:
                groups.append(current)
                current, total = [], 0
            current.append(i)
            total += size
        return groups + [current]

    fewest = len(greedy(budget))
    low, high = max(sizes), budget
    while low < high:  # the smallest cap that keeps the fewest parts
        mid = (low + high) // 2
        if len(greedy(mid)) <= fewest:
            high = mid
        else:
            low = mid + 1
    return [[steps[i] for i in group] for group in greedy(high)]


class PartModule(nn.Module):
    """Runs a run of steps: named values in, named values out, in the orders given."""

    def __init__(self, steps: Sequence[Step], reads: Sequence[str], writes: Sequence[str]) -> None:
        super().__init__()
        self.steps = list(steps)
        self.reads, self.writes = list(reads), list(writes)
        # Registered so that the exporter sees the weights as parameters, not traced constants.
        self.owned = nn.ModuleList(dict.fromkeys(m for s in steps for m in s.modules))

    def forward(self, *tensors):
        values = run_steps(self.steps, dict(zip(self.reads, tensors)))
        return tuple(values[v] for v in self.writes)


@dataclass
class Part:
    index: int
    module: PartModule
    inputs: List[TensorSpec]  # ONNX names; may shrink to what the exported graph really uses
    outputs: List[TensorSpec]
    example: Dict[str, np.ndarray]  # inputs at the trace shape, for the export
    # Inputs at every probe shape, the trace shape's first (model/export/fold_shapes.py reads them).
    probes: List[Dict[str, np.ndarray]] = field(default_factory=list)


def _spec(name: str, a: torch.Tensor, b: torch.Tensor) -> TensorSpec:
    """Dims that differ between two probes of different shapes are dynamic; the rest are fixed."""
    dtype = {torch.float32: "float32", torch.int64: "int64"}[a.dtype]
    shape = tuple(
        x if x == y else ("batch" if i == 0 else f"{name}_{i}")
        for i, (x, y) in enumerate(zip(a.shape, b.shape))
    )
    return TensorSpec(name, dtype, shape)


def split_into_parts(
    steps: Sequence[Step],
    graph_inputs: Sequence[TensorSpec],
    graph_outputs: Sequence[TensorSpec],
    budget: int,
    probe_a: Dict[str, np.ndarray],
    probe_b: Dict[str, np.ndarray],
    more_probes: Sequence[Dict[str, np.ndarray]] = (),
) -> List[Part]:
    """The parts of a graph, wired by value name, with shapes from two probes of different sizes
    (probe_a is also the trace input). The graph's own inputs and outputs keep their specs."""
    known_specs = {s.name: s for s in list(graph_inputs) + list(graph_outputs)}
    graph_inputs = [s.name for s in graph_inputs]
    graph_outputs = [s.name for s in graph_outputs]
    groups = group_steps(steps, budget)
    reads_before_write, writes = [], []
    for group in groups:
        written: List[str] = []
        reads: List[str] = []
        for step in group:
            reads += [r for r in step.reads if r not in written and r not in reads]
            written += [w for w in step.writes if w not in written]
        reads_before_write.append(reads)
        writes.append(written)

    def needed_later(value: str, k: int) -> bool:
        for j in range(k + 1, len(groups)):
            if value in reads_before_write[j]:
                return True
            if value in writes[j]:
                return False
        return value in graph_outputs

    current = {v: v for v in graph_inputs}  # value → the ONNX name holding its latest version
    values_a = {v: torch.from_numpy(probe_a[v]) for v in graph_inputs}
    values_b = {v: torch.from_numpy(probe_b[v]) for v in graph_inputs}
    values_more = [{v: torch.from_numpy(p[v]) for v in graph_inputs} for p in more_probes]
    parts = []
    with torch.no_grad():
        for k, group in enumerate(groups):
            reads = reads_before_write[k]
            missing = [r for r in reads if r not in current]
            if missing:
                raise ValueError(f"part {k} reads {missing}, which no earlier part writes")
            out_values = [w for w in writes[k] if needed_later(w, k)]
            module = PartModule(group, reads, out_values).eval()
            in_a = [values_a[r] for r in reads]
            in_b = [values_b[r] for r in reads]
            out_a, out_b = module(*in_a), module(*in_b)
            in_more = [[values[r] for r in reads] for values in values_more]
            out_more = [module(*ins) for ins in in_more]
            inputs = [known_specs.get(current[r]) or _spec(current[r], a, b) for r, a, b in zip(reads, in_a, in_b)]
            names = [v if v in graph_outputs and not any(v in w for w in writes[k + 1:]) else f"{v}.{k}"
                     for v in out_values]
            outputs = [known_specs.get(n) or _spec(n, a, b) for n, a, b in zip(names, out_a, out_b)]
            probes = [{current[r]: t.numpy() for r, t in zip(reads, ins)} for ins in [in_a, in_b] + in_more]
            parts.append(Part(k, module, inputs, outputs, probes[0], probes))
            for v, n, a, b in zip(out_values, names, out_a, out_b):
                current[v], values_a[v], values_b[v] = n, a, b
            for values, outs in zip(values_more, out_more):
                values.update(zip(out_values, outs))
    missing = [v for v in graph_outputs if current.get(v) != v]
    if missing:
        raise ValueError(f"no part writes the graph outputs {missing}")
    return parts


def check_parts(parts: Sequence[Part], probe: Dict[str, np.ndarray], reference: Values) -> float:
    """Runs the parts in PyTorch as the runtime will (by ONNX name) and returns the largest difference
    from the whole module's outputs: a wiring mistake shows here, before any export."""
    table = {k: torch.from_numpy(v) for k, v in probe.items()}
    with torch.no_grad():
        for part in parts:
            outs = part.module(*(table[s.name] for s in part.inputs))
            table.update({s.name: t for s, t in zip(part.outputs, outs)})
    return max(float((table[name] - torch.as_tensor(ref)).abs().max()) for name, ref in reference.items())
