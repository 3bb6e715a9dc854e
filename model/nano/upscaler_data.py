"""Training pairs for the upscaler (model/nano/upscaler.py): a 64 px input degraded the way nano's
own pictures are, and the 256 px picture it came from as the target.

- The target is a 256 px render from the data set (model/nano/dataset.py). The noto flags exist only
  at 64 px and are left out (`native` is 0): their 256 px pictures are enlargements.
- The input starts as the data set's 64 px picture of it (a Lanczos reduction of the render). It is
  encoded and decoded by nano's autoencoder, as every picture the app shows is decoded.
- Nano's few-step pictures carry texture and specks that the autoencoder's own reconstructions do
  not. Noise on the normalised latents before decoding gives the same kind of marks
  (model/nano/RESULTS.md: "latents + noise 0.1 / 0.2" raise the specks as Flash does). So each picture
  comes twice: once decoded clean, once with noise of a spread drawn from 0.05–0.25.

Held-out pairs (the evaluation's) are built too and marked, so the training leaves them out and the
evaluation scores them.

    model/run-python -m model.nano.upscaler_data     # model/data/upscaler-pairs.npz
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from .evaluate import load_decoder
from .train_autoencoder import to_tensor
from .training import DATASET, device, load_checkpoint, load_dataset, local_or_committed

PAIRS = DATASET.parent / "upscaler-pairs.npz"
LARGE_IMAGES = DATASET.parent / "nano-256.npy"
NOISE_RANGE = (0.05, 0.25)


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """float (B, 3, H, W) in [−1, 1] → uint8 (B, H, W, 3), rounded as latent-to-image.ts does."""
    return ((images.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()


@torch.no_grad()
def degrade(movq, images: np.ndarray, sigma: np.ndarray, shift: float, scale: float, seed: int, dev) -> np.ndarray:
    """64 px pictures through nano's autoencoder, with noise of spread `sigma` (one per picture) on the
    normalised latents."""
    z = (movq.encode(to_tensor(images, dev)) - shift) * scale
    noise = torch.randn(z.shape, generator=torch.Generator().manual_seed(seed)).to(dev)
    z = z + torch.from_numpy(sigma).float().to(dev).view(-1, 1, 1, 1) * noise
    return to_uint8(movq.decode(z / scale + shift))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default=None)
    parser.add_argument("--movq", type=Path, default=None, help="default: the local nano-movq checkpoint, else its seed")
    parser.add_argument("--base", type=Path, default=None, help="the base run, for the latent shift and scale")
    parser.add_argument("--out", type=Path, default=PAIRS)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args(argv)
    dev = device()
    data = load_dataset(args.dataset)
    if not LARGE_IMAGES.exists():
        raise SystemExit(f"{LARGE_IMAGES} is missing: build it with `model/run-python -m model.nano.dataset`")
    movq = load_decoder(local_or_committed(args.movq and str(args.movq), "nano-movq"), dev)
    base = load_checkpoint(local_or_committed(args.base and str(args.base), "nano-base"))
    shift, scale = base["latent"]["shift"], base["latent"]["scale"]

    source = np.flatnonzero(data["native"] == 1)
    rng = np.random.default_rng(0)
    index = np.concatenate([source, source])
    sigma = np.concatenate([np.zeros(len(source)), rng.uniform(*NOISE_RANGE, len(source))]).astype(np.float32)
    inputs = np.empty((len(index), *data["images"].shape[1:]), dtype=np.uint8)
    for start in range(0, len(index), args.batch):
        part = slice(start, start + args.batch)
        inputs[part] = degrade(movq, data["images"][index[part]], sigma[part], shift, scale, seed=start, dev=dev)
        if start // args.batch % 20 == 0:
            print(f"{start + len(index[part])} / {len(index)}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, inputs=inputs, index=index.astype(np.int32), sigma=sigma,
             heldout=data["heldout"][index].astype(np.int8))
    print(f"{len(index)} pairs ({int(data['heldout'][index].sum())} held out) → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
