"""Kandinsky 3.1 IP-Adapter (kandinsky3-architecture §9.1): an image embedding becomes a few tokens that a second,
decoupled attention in every cross-attention layer reads beside the text.

Layout of the fork's `UNetKandi3IpAdapter`, in this package's names: `image_proj` (Linear image_dim →
tokens × context width) and `image_norm` (LayerNorm) at the top of the U-Net, and in each
cross-attention `attention.processor.{to_key_ip, to_v_ip, to_out_ip}` (Linear with bias; `to_out_ip`
starts at zero, so a fresh adapter changes nothing). The image branch uses the text attention's query
and heads, no mask, and is added as text_out + image_weight × image_out.
"""
from __future__ import annotations

import torch
from torch import nn


def image_tokens(image_proj: nn.Linear, image_norm: nn.LayerNorm, image_embeds: torch.Tensor, tokens: int) -> torch.Tensor:
    """(B, image_dim) embedding → (B, tokens, width) image tokens. `image_proj` and `image_norm` sit at the
    top of the U-Net, as in the fork's state dict."""
    b = image_embeds.shape[0]
    return image_norm(image_proj(image_embeds).reshape(b, tokens, image_norm.normalized_shape[0]))


class IPAttentionProcessor(nn.Module):
    """Keys and values of the image tokens for one cross-attention, and the image branch's output."""

    def __init__(self, context_dim: int, width: int) -> None:
        super().__init__()
        self.to_key_ip = nn.Linear(context_dim, width)
        self.to_v_ip = nn.Linear(context_dim, width)
        self.to_out_ip = nn.Linear(width, width)
        nn.init.zeros_(self.to_out_ip.weight)
        nn.init.zeros_(self.to_out_ip.bias)
