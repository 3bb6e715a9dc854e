"""A linear latent → RGB map per pack, for the app's step previews (cheap: one 3×C matrix per pixel).

Fitted by least squares on images encoded by the pack's own MoVQ encoder graph (run in
onnxruntime-node): smooth random colour fields with random discs, so colours and edges are covered.
The target is the image averaged over each latent cell. Stored as manifest `latent.preview`.

    model/run-python -m model.export.preview_map public/models/<pack>   # add or refresh it
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ..pack_manifest import rewrite_manifest
from .ort_runner import run_many


def synthetic_images(n: int, side: int, seed: int = 0) -> np.ndarray:
    """(n, 3, side, side) in [−1, 1]: bilinear colour fields from a 4×4 grid, plus 3 discs each."""
    rng = np.random.default_rng(seed)
    grid = rng.uniform(-1, 1, (n, 3, 4, 4))
    t = np.linspace(0, 3, side)
    i0 = np.minimum(t.astype(int), 2)
    f = (t - i0)[None, None]
    rows = grid[:, :, i0, :] * (1 - f[..., None]) + grid[:, :, i0 + 1, :] * f[..., None]
    images = rows[:, :, :, i0] * (1 - f[:, :, None, :]) + rows[:, :, :, i0 + 1] * f[:, :, None, :]
    yy, xx = np.mgrid[0:side, 0:side]
    for k in range(n):
        for _ in range(3):
            cy, cx, r = rng.uniform(0, side), rng.uniform(0, side), rng.uniform(side / 10, side / 4)
            disc = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
            images[k][:, disc] = rng.uniform(-1, 1, (3, 1))
    return images.astype(np.float32)


def fit_preview_map(latents: np.ndarray, images: np.ndarray, factor: int) -> dict:
    """latents (n, C, h, w), already scaled like the pack's; images (n, 3, h·f, w·f) → weights 3×C, bias 3."""
    n, c, h, w = latents.shape
    target = images.reshape(n, 3, h, factor, w, factor).mean(axis=(3, 5))
    x = latents.transpose(0, 2, 3, 1).reshape(-1, c)
    y = target.transpose(0, 2, 3, 1).reshape(-1, 3)
    solution, *_ = np.linalg.lstsq(np.concatenate([x, np.ones((len(x), 1))], axis=1), y, rcond=None)
    return {
        "weights": [[round(float(v), 6) for v in solution[:c, j]] for j in range(3)],
        "bias": [round(float(v), 6) for v in solution[c]],
    }


# A linear fit of 3 × (channels + 1) values needs a few thousand latent cells, not the pack's default
# size: images of at most 256², as many as give 8,192 cells (8 to 64), encoded 4 at a time. The full-size
# MoVQ encoder at 64 × 1024² would need 68 GB for one tensor, and minutes per image on a CPU.
MAX_SIDE = 256
CELLS = 8192
BATCH = 4


def preview_map_for_pack(pack_dir: Path) -> dict | None:
    manifest = json.loads((pack_dir / "manifest.json").read_text())
    encoder = next((c for c in manifest["components"].values() if c["role"] == "movq-encoder"), None)
    if encoder is None:
        return None
    variants = encoder["variants"]
    graph = pack_dir / variants.get("fp32", next(iter(variants.values())))["file"]
    latent = manifest["latent"]
    side = min(manifest["defaults"]["width"], MAX_SIDE)
    side -= side % manifest["resolution"]["multipleOf"] if "resolution" in manifest else 0
    n = min(64, max(8, -(-CELLS // (side // latent["scaleFactor"]) ** 2)))
    images = synthetic_images(n, side)
    outs = run_many([(graph, {"image": images[i:i + BATCH]}, ["latent"]) for i in range(0, n, BATCH)])
    scaled = (np.concatenate([o["latent"] for o in outs]) - latent["shift"]) * latent["scale"]
    return fit_preview_map(scaled, images, latent["scaleFactor"])


def add_preview_map(pack_dir: Path) -> dict:
    preview = preview_map_for_pack(pack_dir)

    def change(manifest: dict) -> None:
        if preview is not None:
            manifest["latent"]["preview"] = preview

    return rewrite_manifest(pack_dir, change)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pack_dir", type=Path)
    manifest = add_preview_map(parser.parse_args().pack_dir)
    print(json.dumps(manifest["latent"].get("preview")))


if __name__ == "__main__":
    main()
