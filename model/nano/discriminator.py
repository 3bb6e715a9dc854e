"""The Flash discriminator (kandinsky3-architecture §7.2–§7.3): the teacher U-Net's own down path, frozen, with a
small trainable head after every level.

The trunk is the teacher's time embedding, text pooling, conv_in and down blocks, so the discriminator
judges noisy latents with the features the base model already learned; no pretrained image network
exists offline. Each head follows the released figure: GroupNorm → SiLU → 1×1 conv, a residual of
time-conditioned GroupNorm → SiLU → 3×3 conv, a residual of conditioned GroupNorm → cross-attention
on the text, then GroupNorm → SiLU → 1×1 conv to one logit per position.
"""
from __future__ import annotations

import copy
from typing import List

import torch
from torch import nn

from ..attention import Attention, mask_to_bias
from ..unet import ConditionalGroupNorm, Kandinsky3UNet, timestep_embedding


class DiscriminatorHead(nn.Module):
    def __init__(self, channels: int, width: int, time_embed_dim: int, context_dim: int, groups: int, head_dim: int):
        super().__init__()
        self.stem = nn.Sequential(nn.GroupNorm(groups, channels), nn.SiLU(), nn.Conv2d(channels, width, 1))
        self.conv_norm = ConditionalGroupNorm(groups, width, time_embed_dim)
        self.conv = nn.Conv2d(width, width, 3, padding=1)
        self.attention_norm = ConditionalGroupNorm(groups, width, time_embed_dim)
        self.attention = Attention(width, context_dim, width, head_dim)
        self.out = nn.Sequential(nn.GroupNorm(groups, width), nn.SiLU(), nn.Conv2d(width, 1, 1))

    def forward(self, features, time_embed, context, context_bias):
        x = self.stem(features)
        x = x + self.conv(torch.nn.functional.silu(self.conv_norm(x, time_embed)))
        b, c, h, w = x.shape
        queries = self.attention_norm(x, time_embed).reshape(b, c, h * w).permute(0, 2, 1)
        x = x + self.attention(queries, context, context_bias).permute(0, 2, 1).reshape(b, c, h, w)
        return self.out(x)


class DownPathDiscriminator(nn.Module):
    def __init__(self, teacher: Kandinsky3UNet, head_width: int = 64):
        super().__init__()
        cfg = teacher.config
        self.init_channels = cfg.init_channels
        trunk = copy.deepcopy(teacher)
        self.time_embedding = trunk.time_embedding
        self.add_time_condition = trunk.add_time_condition
        self.conv_in = trunk.conv_in
        self.down_blocks = trunk.down_blocks
        for part in (self.time_embedding, self.add_time_condition, self.conv_in, self.down_blocks):
            part.requires_grad_(False)  # frozen trunk: only the heads learn (kandinsky3-architecture §7.3 step 3)
        self.heads = nn.ModuleList(
            DiscriminatorHead(c, head_width, cfg.time_embedding_dim, cfg.cross_attention_dim, cfg.groups, cfg.attention_head_dim)
            for c in cfg.block_out_channels
        )

    def train(self, mode: bool = True):
        super().train(mode)
        for part in (self.time_embedding, self.add_time_condition, self.conv_in, self.down_blocks):
            part.eval()
        return self

    def forward(self, noisy: torch.Tensor, timestep: torch.Tensor, context: torch.Tensor, mask: torch.Tensor) -> List[torch.Tensor]:
        """Noisy latents at `timestep` with the (already projected) text context → one logit map per level."""
        bias = mask_to_bias(mask, context.dtype)
        time_embed = self.time_embedding(timestep_embedding(timestep, self.init_channels).to(noisy.dtype))
        time_embed = self.add_time_condition(time_embed, context, bias)
        x = self.conv_in(noisy)
        logits = []
        for block, head in zip(self.down_blocks, self.heads):
            x = block(x, time_embed, context, bias)
            logits.append(head(x, time_embed, context, bias))
        return logits
