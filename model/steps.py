"""A forward pass as a list of steps over named values: the seams at which a graph too big for one
ONNX file (2 GB) is cut into several sessions.

The U-Net and the text conditioning run their own forward through these steps, so the split graphs
the export writes compute what training and the tests compute, with no second copy of the order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Tuple

import torch
from torch import nn

Values = Dict[str, torch.Tensor]


@dataclass(frozen=True)
class Step:
    name: str  # the parameter prefix it owns, e.g. "down_blocks.2.resnets_in.1"
    modules: Tuple[nn.Module, ...]  # whose parameters it uses: what sizes a split
    reads: Tuple[str, ...]
    writes: Tuple[str, ...]
    run: Callable[[Values], Values]  # the values it reads → the values it writes

    def parameter_count(self) -> int:
        return sum(p.numel() for p in unique_parameters(self.modules))


def unique_parameters(modules: Iterable[nn.Module]) -> List[nn.Parameter]:
    seen, params = set(), []
    for module in modules:
        for p in module.parameters():
            if id(p) not in seen:
                seen.add(id(p))
                params.append(p)
    return params


def run_steps(steps: Iterable[Step], values: Values) -> Values:
    """Runs steps in order on `values` (updated in place, and returned)."""
    for step in steps:
        values.update(step.run(values))
    return values
