"""MoVQ autoencoder (kandinsky3-architecture §4) with the parameter names of diffusers' `VQModel` (norm_type "spatial").

Encode and decode skip the codebook, as every Kandinsky 3 pipeline does: the diffusion model lives
on the pre-quantisation latent. The codebook slot exists only so real checkpoints load strictly.
"""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from .attention import Attention
from .config import MoVQConfig

_EPS = 1e-6


class SpatialNorm(nn.Module):
    """GroupNorm of the features, modulated by 1×1 convs of the latent resized to the feature map."""

    def __init__(self, channels: int, zq_channels: int, groups: int) -> None:
        super().__init__()
        self.norm_layer = nn.GroupNorm(groups, channels, eps=_EPS, affine=True)
        self.conv_y = nn.Conv2d(zq_channels, channels, kernel_size=1)
        self.conv_b = nn.Conv2d(zq_channels, channels, kernel_size=1)

    def forward(self, f: torch.Tensor, zq: torch.Tensor) -> torch.Tensor:
        zq = F.interpolate(zq, size=f.shape[-2:], mode="nearest")
        return self.norm_layer(f) * self.conv_y(zq) + self.conv_b(zq)


def _norm(channels: int, cfg: MoVQConfig, spatial: bool) -> nn.Module:
    if spatial:
        return SpatialNorm(channels, cfg.vq_embed_dim, cfg.norm_num_groups)
    return nn.GroupNorm(cfg.norm_num_groups, channels, eps=_EPS, affine=True)


def _apply_norm(norm: nn.Module, x: torch.Tensor, zq: Optional[torch.Tensor]) -> torch.Tensor:
    return norm(x, zq) if isinstance(norm, SpatialNorm) else norm(x)


class ResnetBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, cfg: MoVQConfig, spatial: bool) -> None:
        super().__init__()
        self.norm1 = _norm(c_in, cfg, spatial)
        self.conv1 = nn.Conv2d(c_in, c_out, kernel_size=3, padding=1)
        self.norm2 = _norm(c_out, cfg, spatial)
        self.conv2 = nn.Conv2d(c_out, c_out, kernel_size=3, padding=1)
        self.conv_shortcut = nn.Conv2d(c_in, c_out, kernel_size=1) if c_in != c_out else None

    def forward(self, x: torch.Tensor, zq: Optional[torch.Tensor] = None) -> torch.Tensor:
        h = self.conv1(F.silu(_apply_norm(self.norm1, x, zq)))
        h = self.conv2(F.silu(_apply_norm(self.norm2, h, zq)))
        return (self.conv_shortcut(x) if self.conv_shortcut is not None else x) + h


class AttnBlock(Attention):
    """Single-head self-attention over all positions, with biases, as a residual.

    It is an `Attention` itself because diffusers keeps the projections on this module
    (`attentions.N.to_q`), next to its norm.
    """

    def __init__(self, channels: int, cfg: MoVQConfig, spatial: bool) -> None:
        super().__init__(channels, channels, channels, head_dim=channels, bias=True, out_bias=True)
        # diffusers names the norm after its kind: `spatial_norm` in the decoder, `group_norm` in the encoder.
        self.spatial = spatial
        if spatial:
            self.spatial_norm = _norm(channels, cfg, True)
        else:
            self.group_norm = _norm(channels, cfg, False)

    def forward(self, x: torch.Tensor, zq: Optional[torch.Tensor] = None) -> torch.Tensor:  # type: ignore[override]
        b, c, h, w = x.shape
        norm = self.spatial_norm(x, zq) if self.spatial else self.group_norm(x)
        tokens = norm.reshape(b, c, h * w).transpose(1, 2)
        out = super().forward(tokens, tokens)
        return x + out.transpose(1, 2).reshape(b, c, h, w)


class MidBlock(nn.Module):
    def __init__(self, channels: int, cfg: MoVQConfig, spatial: bool) -> None:
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock(channels, channels, cfg, spatial) for _ in range(2)])
        self.attentions = nn.ModuleList([AttnBlock(channels, cfg, spatial)])

    def forward(self, x, zq=None):
        x = self.resnets[0](x, zq)
        x = self.attentions[0](x, zq)
        return self.resnets[1](x, zq)


class Downsample(nn.Module):
    """Zero-pad right and bottom by one, then a stride-2 3×3 conv (kandinsky3-architecture §4.2)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, kernel_size=3, stride=2, padding=0)

    def forward(self, x):
        return self.conv(F.pad(x, (0, 1, 0, 1)))


class Upsample(nn.Module):
    """Nearest ×2, then a 3×3 conv."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Level(nn.Module):
    """One resolution of the encoder or decoder: ResNets, each followed by attention where enabled,
    then the resampler (none at the last level)."""

    def __init__(self, c_in, c_out, layers, cfg: MoVQConfig, attention: bool, spatial: bool, resample):
        super().__init__()
        self.resnets = nn.ModuleList(ResnetBlock(c_in if j == 0 else c_out, c_out, cfg, spatial) for j in range(layers))
        if attention:
            self.attentions = nn.ModuleList(AttnBlock(c_out, cfg, spatial) for _ in range(layers))
        if resample == "down":
            self.downsamplers = nn.ModuleList([Downsample(c_out)])
        elif resample == "up":
            self.upsamplers = nn.ModuleList([Upsample(c_out)])

    def forward(self, x, zq=None):
        attentions = getattr(self, "attentions", [None] * len(self.resnets))
        for resnet, attention in zip(self.resnets, attentions):
            x = resnet(x, zq)
            if attention is not None:
                x = attention(x, zq)
        for resampler in getattr(self, "downsamplers", []) or getattr(self, "upsamplers", []):
            x = resampler(x)
        return x


class Encoder(nn.Module):
    def __init__(self, cfg: MoVQConfig) -> None:
        super().__init__()
        ch = cfg.block_out_channels
        self.conv_in = nn.Conv2d(cfg.in_channels, ch[0], kernel_size=3, padding=1)
        last = len(ch) - 1
        self.down_blocks = nn.ModuleList(
            Level(ch[max(i - 1, 0)], ch[i], cfg.layers_per_block, cfg, cfg.attention_levels[i], False,
                  "down" if i != last else None)
            for i in range(len(ch))
        )
        self.mid_block = MidBlock(ch[-1], cfg, spatial=False)
        self.conv_norm_out = nn.GroupNorm(cfg.norm_num_groups, ch[-1], eps=_EPS)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(ch[-1], cfg.latent_channels, kernel_size=3, padding=1)

    def forward(self, x):
        x = self.conv_in(x)
        for level in self.down_blocks:
            x = level(x)
        x = self.mid_block(x)
        return self.conv_out(self.conv_act(self.conv_norm_out(x)))


class Decoder(nn.Module):
    """Every norm is a SpatialNorm conditioned on zq, the latent before `post_quant_conv`."""

    def __init__(self, cfg: MoVQConfig) -> None:
        super().__init__()
        ch = list(reversed(cfg.block_out_channels))
        attention = list(reversed(cfg.attention_levels))
        self.conv_in = nn.Conv2d(cfg.latent_channels, ch[0], kernel_size=3, padding=1)
        self.mid_block = MidBlock(ch[0], cfg, spatial=True)
        last = len(ch) - 1
        self.up_blocks = nn.ModuleList(
            Level(ch[max(k - 1, 0)], ch[k], cfg.layers_per_block + 1, cfg, attention[k], True,
                  "up" if k != last else None)
            for k in range(len(ch))
        )
        self.conv_norm_out = SpatialNorm(ch[-1], cfg.vq_embed_dim, cfg.norm_num_groups)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(ch[-1], cfg.out_channels, kernel_size=3, padding=1)

    def forward(self, x, zq):
        x = self.conv_in(x)
        x = self.mid_block(x, zq)
        for level in self.up_blocks:
            x = level(x, zq)
        return self.conv_out(self.conv_act(self.conv_norm_out(x, zq)))


class VectorQuantizer(nn.Module):
    """Only the codebook parameter: nothing in Kandinsky 3 inference looks codes up."""

    def __init__(self, num_embeddings: int, dim: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(num_embeddings, dim)


class VQModel(nn.Module):
    def __init__(self, config: MoVQConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = Encoder(config)
        self.quant_conv = nn.Conv2d(config.latent_channels, config.vq_embed_dim, kernel_size=1)
        self.quantize = VectorQuantizer(config.num_vq_embeddings, config.vq_embed_dim)
        self.post_quant_conv = nn.Conv2d(config.vq_embed_dim, config.latent_channels, kernel_size=1)
        self.decoder = Decoder(config)

    def encode(self, image: torch.Tensor) -> torch.Tensor:
        """Image in [-1, 1] (B, 3, H, W) → latent (B, 4, H/f, W/f), unquantised and unscaled."""
        return self.quant_conv(self.encoder(image))

    def decode(self, latent: torch.Tensor) -> torch.Tensor:
        """Latent → image in about [-1, 1]; the SpatialNorms see the latent itself."""
        return self.decoder(self.post_quant_conv(latent), latent)
