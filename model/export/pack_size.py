"""Download size of a pack before exporting it, from the modules' parameters and the weight format's
rules (model/export/weight_formats.py): for planning a full-size conversion and for the guide.

    model/run-python -m model.export.pack_size --config kandinsky3 --format int4w
"""
from __future__ import annotations

import argparse
from typing import Dict

from torch import nn

from ..config import PRESETS, ModelConfig
from ..kandinsky3 import Kandinsky3
from ..meta_device import meta_device
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


def component_bytes(config: ModelConfig, fmt: str, kind: str = "flash") -> Dict[str, int]:
    with meta_device():
        models = Kandinsky3(config, [kind])
    parts = {"text_encoder": (models.text_encoder, "text"), f"unet_{kind}": (models.unets[kind], "unet"),
             "movq_encoder": (models.movq.encoder, "movq"), "movq_decoder": (models.movq.decoder, "movq")}
    out = {}
    for component, (root, role) in parts.items():
        total = 0.0
        for module in root.modules():
            for name, p in module.named_parameters(recurse=False):
                total += p.numel() * _BYTES[_storage(module, name, p.shape, fmt, role)]
        out[component] = int(total)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model.export.pack_size", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=sorted(PRESETS), default="kandinsky3")
    parser.add_argument("--format", default="int4w", choices=["fp32", "fp16w", "int8w", "int4w"])
    args = parser.parse_args(argv)
    sizes = component_bytes(PRESETS[args.config], args.format)
    for component, size in sizes.items():
        print(f"{component:<14} {size / 1e9:8.2f} GB")
    print(f"{'total':<14} {sum(sizes.values()) / 1e9:8.2f} GB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
