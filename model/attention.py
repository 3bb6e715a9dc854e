"""Multi-head scaled dot-product attention with diffusers parameter names.

Diffusers' `Attention` keys are `to_q`, `to_k`, `to_v` and `to_out.0`; a one-element ModuleList
reproduces `to_out.0` without carrying diffusers' no-op dropout.
"""
from __future__ import annotations

from typing import Optional

import torch
from torch import nn


def mask_to_bias(mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """(B, L) keep-mask → (B, 1, 1, L) additive bias.

    The original code fills masked logits with -finfo.max; adding finfo.min gives the same softmax,
    including the uniform weights of an all-masked row, and exports as plain arithmetic.
    """
    return ((1.0 - mask.to(dtype)) * torch.finfo(dtype).min)[:, None, None, :]


class Attention(nn.Module):
    def __init__(
        self,
        query_dim: int,
        context_dim: int,
        out_dim: int,
        head_dim: int,
        bias: bool = False,
        out_bias: bool = False,
    ) -> None:
        super().__init__()
        if out_dim % head_dim:
            raise ValueError(f"width {out_dim} is not a multiple of the head size {head_dim}")
        self.heads = out_dim // head_dim
        self.head_dim = head_dim
        self.to_q = nn.Linear(query_dim, out_dim, bias=bias)
        self.to_k = nn.Linear(context_dim, out_dim, bias=bias)
        self.to_v = nn.Linear(context_dim, out_dim, bias=bias)
        self.to_out = nn.ModuleList([nn.Linear(out_dim, out_dim, bias=out_bias)])

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        return x.reshape(b, n, self.heads, self.head_dim).transpose(1, 2)

    def _attend(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: Optional[torch.Tensor]) -> torch.Tensor:
        logits = torch.matmul(q, k.transpose(-1, -2)) * self.head_dim**-0.5
        if bias is not None:
            logits = logits + bias
        out = torch.matmul(logits.softmax(dim=-1), v)
        b, _, n, _ = out.shape
        return out.transpose(1, 2).reshape(b, n, self.heads * self.head_dim)

    def forward(
        self,
        x: torch.Tensor,
        context: torch.Tensor,
        bias: Optional[torch.Tensor] = None,
        image_tokens: Optional[torch.Tensor] = None,
        image_weight: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        """x (B, N, query_dim), context (B, M, context_dim), bias (B, 1, 1, M) from `mask_to_bias`.

        With an IP-Adapter `processor` (model/ip_adapter.py) and image_tokens (B, T, context_dim), the
        same query also attends to the image tokens, unmasked, and image_weight (B,) scales that branch.
        """
        q = self._split_heads(self.to_q(x))
        out = self.to_out[0](self._attend(q, self._split_heads(self.to_k(context)), self._split_heads(self.to_v(context)), bias))
        if image_tokens is None:
            return out
        ip = self.processor
        image = self._attend(q, self._split_heads(ip.to_key_ip(image_tokens)), self._split_heads(ip.to_v_ip(image_tokens)), None)
        return out + image_weight[:, None, None] * ip.to_out_ip(image)
