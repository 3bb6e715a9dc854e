"""Noise schedules, as the original code builds them (kandinsky3-architecture §6.1)."""
from __future__ import annotations

import math

import torch


def cosine_alphas_cumprod(T: int = 1000) -> torch.Tensor:
    """ᾱ_t for diffusers' squaredcos_cap_v2, in float64."""
    alpha_bar = lambda s: math.cos((s + 0.008) / 1.008 * math.pi / 2) ** 2  # noqa: E731
    betas = torch.tensor([min(1 - alpha_bar((i + 1) / T) / alpha_bar(i / T), 0.999) for i in range(T)], dtype=torch.float64)
    return torch.cumprod(1 - betas, dim=0)
