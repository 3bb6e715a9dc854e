"""Prompt tokens → the context each U-Net attends to: T5 encoder, then that U-Net's own text projection,
then padded rows set to zero (reference §5.3, the original 3.1 convention).

Zeroing after the projection is what makes the attention-pooling mean equal
Σ(valid rows) / length, and what the original unconditional branch (null_embedding in row 0,
zeros elsewhere) assumes. One T5 pass feeds every projection, so a pack with base, Flash and
inpainting U-Nets still runs its text encoder once.
"""
from __future__ import annotations

from typing import Dict, Tuple

import torch
from torch import nn

from .t5 import T5EncoderModel
from .unet import EncoderProjection


class TextConditioning(nn.Module):
    def __init__(self, text_encoder: T5EncoderModel, projections: Dict[str, EncoderProjection]) -> None:
        super().__init__()
        self.text_encoder = text_encoder
        self.projections = nn.ModuleDict(projections)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """(B, L) ids and keep-mask → one (B, L, D) context per projection, in insertion order."""
        hidden = self.text_encoder(input_ids, attention_mask)
        keep = attention_mask[:, :, None].to(hidden.dtype)
        return tuple(projection(hidden) * keep for projection in self.projections.values())
