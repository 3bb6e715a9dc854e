"""The pack's memory plan: activation memory per pipeline stage at given image sizes, written into
the manifest (`memoryPlan`), so the app can refuse, before any download, a pack and size that
cannot fit (it adds the weights of the format it chose; workers/pack/device-limits.ts).

Activations are measured by running each model on PyTorch's meta device (shapes, no storage) under a
dispatch mode that tracks every intermediate tensor while it is alive: the peak of what eager
execution would hold, inputs included. ONNX Runtime's planner frees tensors after their last use the
same way, so this is an estimate of its arena, not a bound; attention score matrices dominate at
large sizes (the full U-Net at 1024²: ~3 GiB, the MoVQ decoder's single-head attention ~1 GiB).

The MoVQ decoder and encoder can also run in overlapping windows of the latent (`tiles`,
workers/pipeline/tiled-movq.ts): the plan measures one window, so the engine can tell whether tiling
brings an image size within the device's limits, and the activations of decoding stop growing with the
image. At 1024² that takes the full model's decode from 8 GiB to 2 GiB.

    model/run-python -m model.export.memory_plan public/models/<pack>   # add or refresh it
"""
from __future__ import annotations

import argparse
import weakref
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Tuple

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from ..config import ModelConfig
from ..kandinsky3 import Kandinsky3
from ..meta_device import meta_device
from ..pack_manifest import rewrite_manifest


class _LiveTensors(TorchDispatchMode):
    """Counts storages, not tensors: views, in-place results and matmul's reshaped result share one.
    A storage is live while any tensor on it is."""

    def __init__(self, inputs: Iterable[torch.Tensor]) -> None:
        super().__init__()
        self.input_bytes = sum(t.numel() * t.element_size() for t in inputs)
        self.live: Dict[int, List[int]] = {}  # storage id → [bytes, tensors alive on it]
        self.total = 0
        self.peak = self.input_bytes
        self.largest = max([t.numel() * t.element_size() for t in inputs] or [0])

    def _release(self, key: int) -> None:
        entry = self.live[key]
        entry[1] -= 1
        if entry[1] == 0:
            self.total -= entry[0]
            del self.live[key]

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else [out]:
            if isinstance(t, torch.Tensor) and t.numel() > 0:
                storage = t.storage()
                key = storage._cdata
                if key not in self.live:
                    self.live[key] = [storage.nbytes(), 0]
                    self.total += storage.nbytes()
                    self.largest = max(self.largest, storage.nbytes())
                self.live[key][1] += 1
                weakref.finalize(t, self._release, key)
        self.peak = max(self.peak, self.input_bytes + self.total)
        return out


def activation_peak(run: Callable[..., object], *inputs: torch.Tensor) -> Tuple[int, int]:
    """(peak bytes of live tensors, bytes of the largest one) while `run(*inputs)` executes on meta
    tensors. The largest tensor matters on WebGPU, where each must fit one GPU buffer."""
    mode = _LiveTensors(inputs)
    with torch.no_grad(), mode:
        run(*inputs)
    return int(mode.peak), int(mode.largest)


def stage_activations(config: ModelConfig, kinds: List[str], width: int, height: int) -> Dict[str, Tuple[int, int]]:
    """Activation peak per stage at one image size: text (batch 2: prompt and unconditional, at the
    longest text), denoise (one guided U-Net call, batch 2), decode and encode (batch 1)."""
    with meta_device():
        models = Kandinsky3(config, kinds[:1]).eval()
    f = config.movq.scale_factor
    h, w, c, length = height // f, width // f, config.movq.latent_channels, config.max_text_length
    meta = {"device": "meta"}
    unet = models.unets[kinds[0]]
    ids = torch.ones(2, length, dtype=torch.long, **meta)
    return {
        "text": activation_peak(models.text_conditioning(), ids, ids),
        "denoise": activation_peak(
            unet,
            torch.empty(2, unet.config.in_channels, h, w, **meta),
            torch.empty(2, **meta),
            torch.empty(2, length, config.unet.encoder_hid_dim, **meta),
            torch.ones(2, length, dtype=torch.long, **meta),
        ),
        "decode": activation_peak(models.movq.decode, torch.empty(1, c, h, w, **meta)),
        "encode": activation_peak(models.movq.encode, torch.empty(1, config.movq.in_channels, height, width, **meta)),
    }


# The tiling window, in latent cells, and how far neighbouring windows overlap: 512 px windows sharing
# 128 px for the full model (scale factor 8). The overlap is blended linearly, a quarter of the window,
# so that the decoder's border effects and its per-window normalisation fade out before the seam.
TILE_LATENT = 64
TILE_OVERLAP = 16


def tile_activations(config: ModelConfig, kinds: List[str]) -> dict:
    """Decode and encode of one tiling window: what a tiled stage holds at any image size."""
    side = TILE_LATENT * config.movq.scale_factor
    stages = stage_activations(config, kinds, side, side)
    return {
        "latentWindow": TILE_LATENT,
        "latentOverlap": TILE_OVERLAP,
        "activationBytes": {stage: stages[stage][0] for stage in ("decode", "encode")},
        "largestTensorBytes": {stage: stages[stage][1] for stage in ("decode", "encode")},
    }


def memory_plan(config: ModelConfig, kinds: List[str], sizes: Iterable[int]) -> dict:
    out = []
    for side in sorted(set(sizes)):
        stages = stage_activations(config, kinds, side, side)
        out.append({
            "width": side,
            "height": side,
            "activationBytes": {stage: peak for stage, (peak, _) in stages.items()},
            "largestTensorBytes": max(largest for _, largest in stages.values()),
            "stageLargestTensorBytes": {stage: largest for stage, (_, largest) in stages.items()},
        })
    return {"method": "meta-device trace of live tensors (eager execution), fp32 activations", "sizes": out,
            "tiles": tile_activations(config, kinds)}


def planned_peak(plan_size: dict, tiles: dict | None, resident_bytes: int, tiled: bool) -> Tuple[int, int]:
    """(peak bytes, largest tensor bytes) of one planned size: the weights held throughout plus the most
    demanding stage, with decode and encode in windows when `tiled` (and the plan has them)."""
    stages = dict(plan_size["activationBytes"])
    largest = dict(plan_size["stageLargestTensorBytes"])
    if tiled and tiles:
        for stage in ("decode", "encode"):
            stages[stage] = min(stages[stage], tiles["activationBytes"][stage])
            largest[stage] = min(largest[stage], tiles["largestTensorBytes"][stage])
    return resident_bytes + max(stages.values()), max(largest.values())


def add_memory_plan(pack_dir: Path) -> dict:
    """Writes `memoryPlan` for the pack's default and largest sizes, from its manifest's architecture."""
    import json

    manifest = json.loads((Path(pack_dir) / "manifest.json").read_text())
    config = ModelConfig.from_dict(manifest["architecture"]["config"])
    kinds = [c["unet"]["kind"] for c in manifest["components"].values() if c.get("unet")]
    sizes = [manifest["defaults"]["width"], manifest["resolution"]["max"]]
    plan = memory_plan(config, kinds, sizes)
    return rewrite_manifest(pack_dir, lambda m: m.__setitem__("memoryPlan", plan))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model.export.memory_plan", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pack", type=Path, nargs="+", help="pack folders to add the plan to")
    for pack in parser.parse_args(argv).pack:
        plan = add_memory_plan(pack)["memoryPlan"]
        for size in plan["sizes"]:
            stages = ", ".join(f"{k} {v / 2**20:.1f} MiB" for k, v in size["activationBytes"].items())
            print(f"{pack} {size['width']}²: {stages}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
