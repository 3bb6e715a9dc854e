"""PyTorch samplers for evaluating the nano model: the same arithmetic as the app's TypeScript
samplers (workers/pipeline: ancestral on the original grid with dynamic thresholding, DDPM on the
diffusers grid with clipping, and Flash), batched for speed. The noise comes from torch, not the
app's xoshiro generator, so images differ from the browser's for the same seed; the distribution
is the same.
"""
from __future__ import annotations

import math
from typing import List, Optional, Sequence

import numpy as np
import torch

from ..config import NANO
from ..kandinsky3 import Kandinsky3
from ..movq import VQModel
from ..schedule import cosine_alphas_cumprod
from .train_base import tokenize_batch
from .training import LATENT_CLIP_RANGE

FLASH_TIMESTEPS = (979, 729, 479, 229)


def ancestral_grid(steps: int, grid: str) -> List[tuple]:
    stride = 1000 // steps
    if grid == "original":
        times = list(range(999, 0, -stride)) + [0]
        return list(zip(times[:-1], times[1:]))
    times = [i * stride + 1 for i in reversed(range(steps))]
    return [(t, t - stride) for t in times]


def refiner_base_grid(steps: int, hand_over: int, num_train: int = 1000) -> List[tuple]:
    """The refiner's base steps: `steps` timesteps evenly from T - 1 down to just above the hand-over
    (workers/pipeline/refiner-sampler.ts)."""
    top = num_train - 1
    # floor(x + 0.5): JavaScript's Math.round, not Python's round-half-to-even.
    times = [math.floor(top - j * (top - hand_over) / steps + 0.5) for j in range(steps)]
    return [(t, times[j + 1] if j + 1 < steps else hand_over) for j, t in enumerate(times)]


def refiner_flash_timesteps() -> tuple:
    """Flash's later half: the refiner's finishing steps."""
    return FLASH_TIMESTEPS[len(FLASH_TIMESTEPS) // 2:]


def _x0_from_v(x, v, a):
    return a.sqrt() * x - (1 - a).sqrt() * v


@torch.no_grad()
def sample_latents(models: Kandinsky3, kind: str, prompts: Sequence[str], vocab, seed: int, sampler: str,
                   steps: int, guidance: float, size: int = 16, clip_range: float = LATENT_CLIP_RANGE,
                   hints: Optional[torch.Tensor] = None, strength: float = 1.0,
                   image_embeds: Optional[torch.Tensor] = None, null_image_embed: Optional[torch.Tensor] = None,
                   image_weight: float = 1.0) -> torch.Tensor:
    """Normalised latents (B, 4, size, size) for `prompts` with the U-Net `kind`.

    sampler: "ancestral" (original grid, dynamic threshold 0.99), "ddpm" (diffusers grid, clip), "flash",
    or "refiner": `steps` guided steps of the base U-Net down to Flash's third timestep, whose clipped x̂₀
    the Flash U-Net (models.unets["flash"]) finishes at its late timesteps, unguided.
    hints (B, 3, H, W) in [0, 1]: edge guidance through models.controlnet on every step, as
    workers/pipeline/controlnet.ts runs it (base context, guidance batch, residuals × strength).
    image_embeds (B, D): image fusion through the U-Net's IP-Adapter at image_weight, as
    workers/pipeline/image-fusion.ts runs it (the unconditional row gets null_image_embed, the zero image's).
    """
    dev = next(models.parameters()).device
    n = len(prompts)
    guided = sampler != "flash" and guidance > 0
    if sampler == "refiner":
        kind = "base"
    ids, mask = tokenize_batch(list(prompts) + ([""] * n if guided else []), vocab, NANO.max_text_length)
    ids, mask = ids.to(dev), mask.to(dev)
    contexts = dict(zip(models.unets.keys(), models.text_conditioning()(ids, mask)))
    context, unet = contexts[kind], models.unets[kind]
    alphas = cosine_alphas_cumprod().float().to(dev)
    g = torch.Generator(device="cpu").manual_seed(seed)
    noise = lambda: torch.randn(n, 4, size, size, generator=g).to(dev)  # noqa: E731
    x = noise()

    def model_output(xt, t, guided=guided, unet=unet, context=context, mask=mask):
        rows = torch.cat([xt, xt]) if guided else xt
        timestep = torch.full((len(rows),), float(t), device=dev)
        control = None
        if hints is not None:
            hint_rows = torch.cat([hints, hints]) if guided else hints
            residuals = models.controlnet(rows, timestep, contexts["base"], mask, hint_rows.to(dev))
            control = [r * strength for r in residuals]
        image = {}
        if image_embeds is not None:
            embeds = torch.cat([image_embeds, null_image_embed.expand_as(image_embeds)]) if guided else image_embeds
            image = dict(image_embeds=embeds.to(dev), image_weight=torch.full((len(rows),), float(image_weight), device=dev))
        out = unet(rows, timestep, context, mask, project_context=False, control=control, **image)
        return (guidance + 1) * out[:n] - guidance * out[n:] if guided else out

    if sampler == "flash":
        estimate = x
        for t in FLASH_TIMESTEPS:
            a = alphas[t]
            xt = a.sqrt() * estimate + (1 - a).sqrt() * noise()
            estimate = _x0_from_v(xt, model_output(xt, t), a)
        return estimate
    if sampler == "refiner":
        late = refiner_flash_timesteps()
        grid = refiner_base_grid(steps, late[0])
        for i, (t, prev) in enumerate(grid):
            a = alphas[t]
            ap = alphas[prev]
            x0 = _x0_from_v(x, model_output(x, t), a).clamp(-clip_range, clip_range)
            if i == len(grid) - 1:
                x = x0  # handed to Flash as its estimate
                break
            eps = (x - a.sqrt() * x0) / (1 - a).sqrt()
            var = ((1 - a / ap) * (1 - ap) / (1 - a)).clamp(min=0)
            x = ap.sqrt() * x0 + (1 - ap - var).clamp(min=0).sqrt() * eps + var.sqrt() * noise()
        # Flash's context rows are unguided: the first n of its text conditioning (the prompts).
        flash_context = contexts["flash"][:n]
        for t in late:
            a = alphas[t]
            xt = a.sqrt() * x + (1 - a).sqrt() * noise()
            x = _x0_from_v(xt, model_output(xt, t, guided=False, unet=models.unets["flash"], context=flash_context, mask=mask[:n]), a)
        return x
    for t, prev in ancestral_grid(steps, "original" if sampler == "ancestral" else "diffusers"):
        a = alphas[t]
        ap = alphas[prev] if prev >= 0 else torch.tensor(1.0, device=dev)
        x0 = _x0_from_v(x, model_output(x, t), a)
        if sampler == "ancestral":
            q = torch.quantile(x0.reshape(n, -1).abs(), 0.99, dim=1).clamp(min=clip_range).view(-1, 1, 1, 1)
            x0 = torch.maximum(torch.minimum(x0, q), -q) / q * clip_range
        else:
            x0 = x0.clamp(-clip_range, clip_range)
        eps = (x - a.sqrt() * x0) / (1 - a).sqrt()
        var = ((1 - a / ap) * (1 - ap) / (1 - a)).clamp(min=0)
        x = ap.sqrt() * x0 + (1 - ap - var).clamp(min=0).sqrt() * eps
        if prev > 0:
            x = x + var.sqrt() * noise()
    return x


@torch.no_grad()
def decode(movq: VQModel, latents: torch.Tensor, shift: float, scale: float) -> np.ndarray:
    """Normalised latents → uint8 (B, 64, 64, 3), as latent-to-image.ts does."""
    images = movq.decode(latents / scale + shift)
    return ((images.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()
