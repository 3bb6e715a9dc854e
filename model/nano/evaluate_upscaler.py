"""Scores nano's upscaler (model/nano/upscaler.py) into model/nano/RESULTS.md, and draws the grid
docs/upscaler-grid.png.

- PSNR and SSIM on the held-out real pictures: the 64 px input degraded as the upscaler's training
  inputs are (model/nano/upscaler_data.py), enlarged to 256 px, against the 256 px render. The
  bicubic and nearest enlargements of the same input are the baselines. Both degradations are
  scored: the autoencoder alone, and with noise on the latents (Flash's texture).
- KID at 256 px, in the judge's features (model/nano/classifier.py; it pools, so it reads any size),
  of Flash pictures of the held-out prompts, each way enlarged, against the real 256 px renders of
  those pairs.
- The grid: generated pictures, nearest ×4 | bicubic | the upscaler, side by side.

    model/run-python -m model.nano.evaluate_upscaler
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .captions import caption
from .classifier import load_classifier
from .evaluate import RESULTS, judge, write_section
from .export_pack import assemble
from .metrics import kid, spread
from .sampling import decode, sample_latents
from .training import REPO, device, load_checkpoint, load_dataset, local_or_committed
from .upscaler import NanoUpscaler, UpscalerConfig
from .train_autoencoder import to_tensor
from .upscaler_data import LARGE_IMAGES, PAIRS, to_uint8

GRID = REPO / "docs" / "upscaler-grid.png"
TITLE = "## Upscaler (64 → 256 px)"


def load_upscaler(path: Path, dev) -> NanoUpscaler:
    state = load_checkpoint(path)
    if state is None:
        raise SystemExit(f"{path} is missing: train it with `model/run-python -m model.nano.train_upscaler`")
    net = NanoUpscaler(UpscalerConfig(**state["config"])).to(dev).eval()
    net.load_state_dict({k: v.float() for k, v in state.get("ema", state["model"]).items()})
    return net


@torch.no_grad()
def enlarged(images: np.ndarray, how: str, net: NanoUpscaler | None, dev, batch: int = 32) -> np.ndarray:
    """uint8 (B, 64, 64, 3) → uint8 (B, 256, 256, 3): "nearest", "bicubic" or "upscaler"."""
    out = []
    for i in range(0, len(images), batch):
        x = to_tensor(images[i : i + batch], dev)
        if how == "upscaler":
            y = net(x)
        else:
            y = F.interpolate(x, scale_factor=4, mode=how, **({} if how == "nearest" else {"align_corners": False}))
        out.append(to_uint8(y))
    return np.concatenate(out)


def psnr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per picture, in dB, over all three channels (peak 255)."""
    mse = ((a.astype(np.float64) - b.astype(np.float64)) ** 2).reshape(len(a), -1).mean(axis=1)
    return 10 * np.log10(255.0**2 / np.maximum(mse, 1e-10))


def ssim(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per picture: the mean SSIM (Wang et al. 2004: 11×11 Gaussian window, σ 1.5, K1 0.01, K2 0.03,
    peak 255) of each channel, averaged over the channels."""
    x = torch.from_numpy(a).permute(0, 3, 1, 2).double()
    y = torch.from_numpy(b).permute(0, 3, 1, 2).double()
    g = torch.exp(-((torch.arange(11) - 5.0) ** 2) / (2 * 1.5**2)).double()
    window = (g[:, None] * g[None, :] / g.sum() ** 2).expand(3, 1, 11, 11).contiguous()
    blur = lambda t: F.conv2d(t, window, groups=3)  # noqa: E731  (valid: no padding at the borders)
    mx, my = blur(x), blur(y)
    vx, vy, cov = blur(x * x) - mx**2, blur(y * y) - my**2, blur(x * y) - mx * my
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    s = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    return s.mean(dim=(1, 2, 3)).numpy()


def grid(rows: list, path: Path) -> None:
    """One row per picture: nearest ×4 | bicubic | upscaler, 4 px of white between."""
    gap = 4
    side = rows[0][0].shape[0]
    canvas = np.full((len(rows) * (side + gap) - gap, 3 * (side + gap) - gap, 3), 255, dtype=np.uint8)
    for r, cells in enumerate(rows):
        for c, cell in enumerate(cells):
            canvas[r * (side + gap) : r * (side + gap) + side, c * (side + gap) : c * (side + gap) + side] = cell
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(canvas).save(path, optimize=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upscaler", type=Path, default=None, help="default: local checkpoint, else its committed seed")
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--grid-rows", type=int, default=8)
    parser.add_argument("--samples", type=int, default=2, help="Flash pictures per held-out prompt, for KID")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    torch.set_grad_enabled(False)
    dev = device()
    net = load_upscaler(local_or_committed(args.upscaler and str(args.upscaler), "nano-upscaler"), dev)
    data = load_dataset()
    large = np.load(LARGE_IMAGES, mmap_mode="r")
    with np.load(args.pairs) as f:
        pairs = {k: f[k] for k in f.files}
    held = np.flatnonzero(pairs["heldout"] == 1)
    targets = np.stack([large[i] for i in pairs["index"][held]])

    lines = [
        "",
        "Written by `model/run-python -m model.nano.evaluate_upscaler`. The upscaler is a one-step residual network "
        f"({sum(p.numel() for p in net.parameters()):,} weights, {net.config.channels} channels, {net.config.blocks} blocks "
        "at the input's size, a ×4 pixel shuffle, added to a bilinear enlargement; model/nano/upscaler.py).",
        "",
        f"Held-out real pictures ({len(held) // 2} pairs of the evaluation, the noto flags left out as they have no "
        "256 px original): the 64 px input passed through nano's autoencoder (clean), or with noise on its latents "
        "as Flash leaves texture (noisy), enlarged to 256 px and compared with the 256 px render.",
        "",
        "| input | enlargement | PSNR (dB) | SSIM |",
        "| --- | --- | --- | --- |",
    ]
    gains = {}
    for label, mask in (("clean", pairs["sigma"][held] == 0), ("noisy", pairs["sigma"][held] > 0)):
        inputs = pairs["inputs"][held][mask]
        scores = {}
        for how in ("nearest", "bicubic", "upscaler"):
            out = enlarged(inputs, how, net, dev)
            scores[how] = (psnr(out, targets[mask]).mean(), ssim(out, targets[mask]).mean())
            lines.append(f"| {label} | {how} | {scores[how][0]:.2f} | {scores[how][1]:.4f} |")
        gains[label] = scores["upscaler"][0] - scores["bicubic"][0]
    lines += ["", "PSNR gain over bicubic: " + ", ".join(f"{k} {v:+.2f} dB" for k, v in gains.items()) + " (goal ≥ 2 dB).", ""]

    # KID at 256 px: Flash pictures of the held-out prompts, each way enlarged, against the real renders.
    classifier = load_classifier(local_or_committed(None, "nano-classifier"), dev)
    models, base = assemble(local_or_committed(None, "nano-movq"),
                            {"base": local_or_committed(None, "nano-base"), "flash": local_or_committed(None, "nano-flash")})
    models = models.to(dev).eval()
    shift, scale, vocab = base["latent"]["shift"], base["latent"]["scale"], base["vocab"]
    data_held = np.flatnonzero(data["heldout"] == 1)
    concept = np.repeat(data["concept"][data_held], args.samples)
    style = np.repeat(data["style"][data_held], args.samples)
    prompts = [caption(str(data["labels"][c]), str(data["styles"][s])) for c, s in zip(concept, style)]
    with torch.no_grad():
        latents = torch.cat([sample_latents(models, "flash", prompts[i : i + 64], vocab, seed=i, sampler="flash", steps=4,
                                            guidance=0.0) for i in range(0, len(prompts), 64)])
    generated = decode(models.movq, latents, shift, scale)
    real = np.stack([large[i] for i in data_held[data["native"][data_held] == 1]])
    real_feats = judge(classifier, real, dev)[0]
    lines += [
        f"KID ×1000 at 256 px in the judge's features: {len(generated)} Flash pictures of the held-out prompts "
        f"({args.samples} per prompt), each way enlarged, against the {len(real)} real 256 px renders of those pairs "
        "(± the spread over 20 random halves; lower is better).",
        "",
        "| enlargement of Flash pictures | KID ×1000 |",
        "| --- | --- |",
    ]
    shown = {}
    for how in ("nearest", "bicubic", "upscaler"):
        shown[how] = enlarged(generated, how, net, dev)
        feats = judge(classifier, shown[how], dev)[0]
        lines.append(f"| {how} | {1000 * kid(feats, real_feats):.2f} ± {1000 * spread(kid, feats, real_feats, args.samples):.2f} |")
    lines += ["", f"The grid, [docs/upscaler-grid.png](../../docs/{GRID.name}): Flash pictures of held-out prompts, "
              "nearest ×4 | bicubic | the upscaler.", ""]
    picks = np.linspace(0, len(generated) - 1, args.grid_rows).round().astype(int)
    grid([[shown[h][i] for h in ("nearest", "bicubic", "upscaler")] for i in picks], GRID)
    write_section(args.out, TITLE, lines)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
