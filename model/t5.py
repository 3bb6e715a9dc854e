"""T5 v1.1-style encoder (kandinsky3-architecture §5.1) with the parameter names of transformers' `T5EncoderModel`.

Pre-RMSNorm blocks, no √d scaling of the logits, one relative-position bias computed for the
first layer and shared by all, gated FFN, final RMSNorm.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from .config import T5Config


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        variance = x.float().pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps)).to(x.dtype)


def relative_position_bucket(relative_position: torch.Tensor, num_buckets: int, max_distance: int) -> torch.Tensor:
    """Bidirectional T5 buckets: half the buckets per direction, exact below num_buckets/4, log-spaced above."""
    num_buckets //= 2
    buckets = (relative_position > 0).long() * num_buckets
    distance = relative_position.abs()
    max_exact = num_buckets // 2
    # clamp(min=1) only keeps log() finite where `is_small` picks the exact value anyway.
    large = max_exact + (
        torch.log(distance.float().clamp(min=1.0) / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)
    ).long()
    large = large.clamp(max=num_buckets - 1)
    return buckets + torch.where(distance < max_exact, distance, large)


class T5Attention(nn.Module):
    def __init__(self, cfg: T5Config, has_relative_attention_bias: bool) -> None:
        super().__init__()
        inner = cfg.num_heads * cfg.d_kv
        self.cfg = cfg
        self.q = nn.Linear(cfg.d_model, inner, bias=False)
        self.k = nn.Linear(cfg.d_model, inner, bias=False)
        self.v = nn.Linear(cfg.d_model, inner, bias=False)
        self.o = nn.Linear(inner, cfg.d_model, bias=False)
        if has_relative_attention_bias:
            self.relative_attention_bias = nn.Embedding(cfg.relative_attention_num_buckets, cfg.num_heads)

    def position_bias(self, length: int, device) -> torch.Tensor:
        """(1, heads, L, L) bias from key position minus query position."""
        positions = torch.arange(length, dtype=torch.long, device=device)
        relative = positions[None, :] - positions[:, None]
        buckets = relative_position_bucket(relative, self.cfg.relative_attention_num_buckets, self.cfg.relative_attention_max_distance)
        return self.relative_attention_bias(buckets).permute(2, 0, 1)[None]

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        h, d = self.cfg.num_heads, self.cfg.d_kv

        def heads(t):
            return t.reshape(b, n, h, d).transpose(1, 2)

        q, k, v = heads(self.q(x)), heads(self.k(x)), heads(self.v(x))
        logits = torch.matmul(q, k.transpose(-1, -2)) + bias  # T5 folds the 1/√d into its init
        out = torch.matmul(logits.float().softmax(dim=-1).type_as(v), v)
        return self.o(out.transpose(1, 2).reshape(b, n, h * d))


class T5LayerSelfAttention(nn.Module):
    def __init__(self, cfg: T5Config, has_relative_attention_bias: bool) -> None:
        super().__init__()
        self.SelfAttention = T5Attention(cfg, has_relative_attention_bias)
        self.layer_norm = RMSNorm(cfg.d_model, cfg.layer_norm_epsilon)

    def forward(self, x, bias):
        return x + self.SelfAttention(self.layer_norm(x), bias)


class T5DenseGatedActDense(nn.Module):
    def __init__(self, cfg: T5Config) -> None:
        super().__init__()
        self.wi_0 = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.wi_1 = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.wo = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)
        # T5 v1.1 uses the tanh-approximated GELU ("gelu_new"); Flan-UL2 uses SiLU.
        self.act = nn.SiLU() if cfg.feed_forward_proj == "gated-silu" else nn.GELU(approximate="tanh")

    def forward(self, x):
        return self.wo(self.act(self.wi_0(x)) * self.wi_1(x))


class T5LayerFF(nn.Module):
    def __init__(self, cfg: T5Config) -> None:
        super().__init__()
        self.DenseReluDense = T5DenseGatedActDense(cfg)
        self.layer_norm = RMSNorm(cfg.d_model, cfg.layer_norm_epsilon)

    def forward(self, x):
        return x + self.DenseReluDense(self.layer_norm(x))


class T5Block(nn.Module):
    def __init__(self, cfg: T5Config, has_relative_attention_bias: bool) -> None:
        super().__init__()
        self.layer = nn.ModuleList([T5LayerSelfAttention(cfg, has_relative_attention_bias), T5LayerFF(cfg)])

    def forward(self, x, bias):
        return self.layer[1](self.layer[0](x, bias))


class T5Stack(nn.Module):
    def __init__(self, cfg: T5Config) -> None:
        super().__init__()
        self.block = nn.ModuleList(T5Block(cfg, has_relative_attention_bias=i == 0) for i in range(cfg.num_layers))
        self.final_layer_norm = RMSNorm(cfg.d_model, cfg.layer_norm_epsilon)


class T5EncoderModel(nn.Module):
    def __init__(self, config: T5Config) -> None:
        super().__init__()
        self.config = config
        self.shared = nn.Embedding(config.vocab_size, config.d_model)
        self.encoder = T5Stack(config)
        self._register_load_state_dict_pre_hook(self._accept_tied_embedding)

    @staticmethod
    def _accept_tied_embedding(state_dict, prefix, *args):
        """transformers ties `encoder.embed_tokens` to `shared`; checkpoints carry either name or both."""
        tied = prefix + "encoder.embed_tokens.weight"
        if tied not in state_dict:
            return
        duplicate = state_dict.pop(tied)
        own = state_dict.setdefault(prefix + "shared.weight", duplicate)
        if own is not duplicate and not (own.shape == duplicate.shape and torch.equal(own, duplicate)):
            raise ValueError("encoder.embed_tokens.weight differs from shared.weight; T5 ties them")

    def position_bias(self, length: int, device) -> torch.Tensor:
        """(1, heads, L, L): the relative-position bias of the first layer, which every layer uses."""
        return self.encoder.block[0].layer[0].SelfAttention.position_bias(length, device)

    @staticmethod
    def attention_bias(position_bias: torch.Tensor, attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        """Position bias plus finfo.min on padded keys: (B, heads, L, L)."""
        return position_bias + ((1.0 - attention_mask.to(dtype)) * torch.finfo(dtype).min)[:, None, None, :]

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """input_ids, attention_mask (B, L) → last hidden state (B, L, d_model)."""
        x = self.shared(input_ids)
        bias = self.attention_bias(self.position_bias(input_ids.shape[1], input_ids.device), attention_mask, x.dtype)
        for block in self.encoder.block:
            x = block(x, bias)
        return self.encoder.final_layer_norm(x)
