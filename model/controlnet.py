"""Kandinsky 3.1 ControlNet (kandinsky3-architecture §9.2): a trainable copy of the U-Net's down path that reads a hint
image and adds one residual to each skip connection of the frozen U-Net.

Layout of the fork's `UNetKandi3Controlnet`, in this project's (diffusers-style) names so the U-Net's
conversion rules apply to the shared parts: its own time MLP, text pooling and `conv_in`; copies of
every down level that leaves a skip (levels 0–2 of the full model, 0–1 of nano); `input_hint_block`
(conv1…conv7 with SiLU, then a zero-initialised `out`) taking the hint at pixel resolution to the
latent's and adding it to `conv_in(x)`; and one zero-initialised 1×1 conv per level, `convs.<level>`.

Zero-initialised outputs mean a fresh ControlNet changes nothing: training starts from the U-Net.
The ControlNet reads the context as projected for the U-Net it controls (the text graph writes it), so
it carries no text projection of its own.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import List, Tuple

import torch
from torch import nn

from .attention import mask_to_bias
from .config import UNetConfig
from .steps import Step, Values, run_steps
from .unet import AttentionPooling, DownBlock, Kandinsky3UNet, TimestepEmbedding, _layer_step, timestep_embedding

# Output widths of conv1…conv7 in the fork's hint encoder; conv3, conv5 and conv7 may halve the size.
HINT_WIDTHS = (16, 16, 32, 32, 96, 96, 256)
HINT_STRIDE_SLOTS = (2, 4, 6)  # indexes of conv3, conv5, conv7


def hint_widths(init_channels: int) -> tuple:
    """The fork's widths, each at most 4× the U-Net's first width: the full model (192) keeps them all,
    while nano (16) caps them at 64, since at the hint encoder's full resolution conv7's 256 channels
    cost more than the whole nano U-Net."""
    return tuple(min(w, 4 * init_channels) for w in HINT_WIDTHS)


class HintEncoder(nn.Module):
    """Hint image (B, 3, H·f, W·f) in [0, 1] → (B, init, H, W) features for `conv_in`'s output.

    The full model's autoencoder shrinks 8×, so conv3, conv5 and conv7 all stride 2; nano's shrinks 4×,
    so only conv3 and conv5 do. The keys stay those of the fork either way.
    """

    def __init__(self, out_channels: int, scale_factor: int) -> None:
        super().__init__()
        halvings = int(math.log2(scale_factor))
        if 2**halvings != scale_factor or not 1 <= halvings <= len(HINT_STRIDE_SLOTS):
            raise ValueError(f"the hint encoder shrinks by 2, 4 or 8, not {scale_factor}")
        strided = set(HINT_STRIDE_SLOTS[:halvings])
        widths = hint_widths(out_channels)
        self.depth = len(widths)
        for i, (c_in, c_out) in enumerate(zip((3,) + widths[:-1], widths)):
            setattr(self, f"conv{i + 1}", nn.Conv2d(c_in, c_out, 3, padding=1, stride=2 if i in strided else 1))
        self.out = nn.Conv2d(widths[-1], out_channels, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        self.act = nn.SiLU()

    def forward(self, hint: torch.Tensor) -> torch.Tensor:
        x = hint
        for i in range(self.depth):
            x = self.act(getattr(self, f"conv{i + 1}")(x))
        return self.out(x)


class Kandinsky3ControlNet(nn.Module):
    def __init__(self, config: UNetConfig, scale_factor: int) -> None:
        super().__init__()
        # The 3.1 ControlNet has no IP-Adapter layers: its down-path copy reads text alone.
        self.config = config = replace(config, image_embedding_dim=0)
        cfg = config
        init = cfg.init_channels
        self.time_embedding = TimestepEmbedding(init, cfg.time_embedding_dim)
        self.add_time_condition = AttentionPooling(cfg.time_embedding_dim, cfg.cross_attention_dim, cfg.attention_head_dim)
        self.conv_in = nn.Conv2d(cfg.in_channels, init, kernel_size=3, padding=1)
        self.input_hint_block = HintEncoder(init, scale_factor)
        dims = [init] + list(cfg.block_out_channels)
        levels = list(zip(dims[:-1], dims[1:]))[:-1]  # the deepest level leaves no skip
        context_dims = [cfg.cross_attention_dim if flag else None for flag in cfg.add_cross_attention]
        self.down_blocks = nn.ModuleList(
            DownBlock(ci, co, cfg, context_dims[i], cfg.add_self_attention[i], down_sample=True)
            for i, (ci, co) in enumerate(levels)
        )
        self.convs = nn.ModuleList(nn.Conv2d(co, co, kernel_size=1) for _, co in levels)
        for conv in self.convs:
            nn.init.zeros_(conv.weight)
            nn.init.zeros_(conv.bias)

    @classmethod
    def from_unet(cls, unet: Kandinsky3UNet, scale_factor: int) -> "Kandinsky3ControlNet":
        """A ControlNet whose shared parts start as copies of `unet`'s (the usual ControlNet start)."""
        net = cls(unet.config, scale_factor)
        own = net.state_dict()
        copied = {k: v.clone() for k, v in unet.state_dict().items() if k in own and not k.startswith(("convs.", "input_hint_block."))}
        net.load_state_dict({**own, **copied})
        return net

    def output_names(self) -> List[str]:
        return [f"control_{level}" for level in range(len(self.down_blocks))]

    def output_channels(self) -> Tuple[int, ...]:
        return tuple(conv.out_channels for conv in self.convs)

    def forward(self, sample, timestep, context, context_mask, hint) -> Tuple[torch.Tensor, ...]:
        """sample (B, C, H, W) as the U-Net's; timestep (B,); context (B, L, D) already projected;
        context_mask (B, L); hint (B, 3, H·f, W·f). → one unscaled residual per skip, shaped like it."""
        values = {"sample": sample, "timestep": timestep, "context": context, "context_mask": context_mask, "hint": hint}
        values = run_steps(self.steps(), values)
        return tuple(values[name] for name in self.output_names())

    def steps(self) -> List[Step]:
        """One step per block, as the U-Net's (model/steps.py), so a full-size ControlNet (470M
        parameters, 1.9 GB in fp32) can be split like one."""
        init = self.config.init_channels

        def prelude(v: Values) -> Values:
            bias = mask_to_bias(v["context_mask"], v["context"].dtype)
            time_embed = self.time_embedding(timestep_embedding(v["timestep"], init).to(v["sample"].dtype))
            x = self.conv_in(v["sample"]) + self.input_hint_block(v["hint"])
            return {"x": x, "time_embed": self.add_time_condition(time_embed, v["context"], bias)}

        steps = [Step("prelude", (self.time_embedding, self.add_time_condition, self.conv_in, self.input_hint_block),
                      ("sample", "timestep", "context", "context_mask", "hint"), ("x", "time_embed"), prelude)]
        for level, block in enumerate(self.down_blocks):
            for layer in block.layers():
                steps.append(_layer_step(f"down_blocks.{level}", layer))
            steps.append(_residual_step(level, self.convs[level]))
        return steps


def _residual_step(level: int, conv: nn.Conv2d) -> Step:
    name = f"control_{level}"
    return Step(f"convs.{level}", (conv,), ("x",), (name,), lambda v: {name: conv(v["x"])})
