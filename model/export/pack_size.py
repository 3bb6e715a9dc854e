"""Download size of a pack before exporting it, from the modules' parameters and the weight format's
rules (model/export/weight_formats.py): for planning a full-size conversion and for the guide.

    model/run-python -m model.export.pack_size --config kandinsky3 --format int4w
"""
from __future__ import annotations

import argparse
from typing import Dict, Iterable, List

from torch import nn

from ..config import PRESETS, ModelConfig
from ..kandinsky3 import Kandinsky3
from ..meta_device import meta_device
from .graph_parts import DEFAULT_PART_BYTES, group_steps
from .weight_formats import INT4_BLOCK

# Bytes per parameter stored: int4 blocks carry one fp32 scale per 32 weights.
_BYTES = {"int4": 0.5 + 4 / INT4_BLOCK, "int8": 1.0, "fp16": 2.0, "fp32": 4.0}


def _storage(module: nn.Module, name: str, shape, fmt: str, role: str) -> str:
    """The storage a parameter gets in `fmt`, by the rules weight_formats.convert applies."""
    if fmt == "fp32" or (fmt == "int4w" and role == "movq"):
        return "fp32"
    if fmt == "fp16w" or len(shape) < 2:
        return "fp16"
    if fmt == "int8w":
        return "int8"
    linear = isinstance(module, nn.Linear) and name == "weight"
    pointwise = isinstance(module, nn.Conv2d) and name == "weight" and tuple(shape[2:]) == (1, 1) and module.groups == 1
    return "int4" if (linear or pointwise) and shape[1] >= INT4_BLOCK else "int8"


def stored_bytes(roots: Iterable[nn.Module], fmt: str, role: str) -> int:
    """Bytes the parameters under `roots` take in `fmt` (each parameter once)."""
    total, seen = 0.0, set()
    for root in roots:
        for module in root.modules():
            for name, p in module.named_parameters(recurse=False):
                if id(p) not in seen:
                    seen.add(id(p))
                    total += p.numel() * _BYTES[_storage(module, name, p.shape, fmt, role)]
    return int(total)


def component_bytes(config: ModelConfig, fmt: str, kind: str = "flash") -> Dict[str, int]:
    with meta_device():
        models = Kandinsky3(config, [kind])
    parts = {"text_encoder": (models.text_encoder, "text"), f"unet_{kind}": (models.unets[kind], "unet"),
             "movq_encoder": (models.movq.encoder, "movq"), "movq_decoder": (models.movq.decoder, "movq")}
    return {component: stored_bytes([root], fmt, role) for component, (root, role) in parts.items()}


def part_bytes(config: ModelConfig, fmt: str, kind: str = "flash", budget: int = DEFAULT_PART_BYTES) -> Dict[str, List[int]]:
    """How the export will cut the text encoder and the U-Net (the same grouping of steps), and each
    part's bytes in `fmt`; one entry for a component that stays whole."""
    with meta_device():
        models = Kandinsky3(config, [kind])
    out = {}
    for component, steps, role in (("text_encoder", models.text_conditioning().steps(), "text"),
                                   (f"unet_{kind}", models.unets[kind].steps(), "unet")):
        groups = group_steps(steps, budget) if 4 * sum(s.parameter_count() for s in steps) > budget else [steps]
        out[component] = [stored_bytes((m for s in g for m in s.modules), fmt, role) for g in groups]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model.export.pack_size", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=sorted(PRESETS), default="kandinsky3")
    parser.add_argument("--format", default="int4w", choices=["fp32", "fp16w", "int8w", "int4w"])
    args = parser.parse_args(argv)
    config = PRESETS[args.config]
    sizes = component_bytes(config, args.format)
    parts = part_bytes(config, args.format)
    for component, size in sizes.items():
        split = parts.get(component, [size])
        note = f"  in {len(split)} files, the largest {max(split) / 1e9:.2f} GB" if len(split) > 1 else ""
        print(f"{component:<14} {size / 1e9:8.2f} GB{note}")
    print(f"{'total':<14} {sum(sizes.values()) / 1e9:8.2f} GB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
