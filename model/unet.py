"""Kandinsky 3 U-Net (kandinsky3-architecture §2), with the parameter names of diffusers' `Kandinsky3UNet`.

Differences from diffusers, both needed for the original checkpoints: `out_channels` is its own
setting (the 9-channel inpainting U-Net predicts 4 channels), and `forward` can skip the text
projection so that the ONNX export can put the projection into the text-encoder graph.
"""
from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple

import torch
from torch import nn

from .attention import Attention, mask_to_bias
from .ip_adapter import IPAttentionProcessor, image_tokens
from .config import UNetConfig
from .steps import Step, Values, run_steps

# (parameter name within the block, module, whether it attends to the text) in the order a block runs them.
Layer = Tuple[str, nn.Module, bool]


def _run_layers(layers: List[Layer], x, time_embed, context, context_bias):
    for _, module, attends_text in layers:
        x = module(x, time_embed, context, context_bias) if attends_text else module(x, time_embed)
    return x


def timestep_embedding(timesteps: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding, sin first, frequencies exp(-ln(1e4)·j/(dim/2 - 1)) (kandinsky3-architecture §2.2).

    Always float32, even in fp16/bf16 models: sin(999·f) needs more mantissa than fp16 has. (The original
    uses the input's dtype, which is float32 in its pipelines.)
    """
    half = dim // 2
    exponent = -math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=timesteps.device) / (half - 1)
    args = timesteps.float()[:, None] * exponent.exp()[None, :]
    return torch.cat([args.sin(), args.cos()], dim=-1)


class TimestepEmbedding(nn.Module):
    def __init__(self, in_dim: int, out_dim: int) -> None:
        super().__init__()
        self.linear_1 = nn.Linear(in_dim, out_dim)
        self.act = nn.SiLU()
        self.linear_2 = nn.Linear(out_dim, out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_2(self.act(self.linear_1(x)))


class EncoderProjection(nn.Module):
    """The per-model text projection: Linear without bias, then LayerNorm (kandinsky3-architecture §1)."""

    def __init__(self, encoder_hid_dim: int, cross_attention_dim: int) -> None:
        super().__init__()
        self.projection_linear = nn.Linear(encoder_hid_dim, cross_attention_dim, bias=False)
        self.projection_norm = nn.LayerNorm(cross_attention_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.projection_norm(self.projection_linear(x))


class ConditionalGroupNorm(nn.Module):
    """GroupNorm without affine, then x·(1 + scale) + shift from the time embedding.

    The projection starts at zero, so a fresh block is a plain GroupNorm.
    """

    def __init__(self, groups: int, channels: int, time_embed_dim: int) -> None:
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels, affine=False)
        self.context_mlp = nn.Sequential(nn.SiLU(), nn.Linear(time_embed_dim, 2 * channels))
        nn.init.zeros_(self.context_mlp[1].weight)
        nn.init.zeros_(self.context_mlp[1].bias)

    def forward(self, x: torch.Tensor, time_embed: torch.Tensor) -> torch.Tensor:
        activation, linear = self.context_mlp
        # 1 + scale, with the 1 added to the bias: the exported graph folds the sum into one weight
        # instead of adding 1 in every block at every step.
        channels = linear.out_features // 2
        offset = torch.cat([torch.ones(channels), torch.zeros(channels)]).to(linear.bias)
        modulation = nn.functional.linear(activation(time_embed), linear.weight, linear.bias + offset)
        scale, shift = modulation[:, :, None, None].chunk(2, dim=1)
        return self.norm(x) * scale + shift


class Block(nn.Module):
    """CondGN → SiLU → [2×2 transposed conv] → conv k×k → [2×2 strided conv].

    `resample` is "up", "down" or None; the original names this `up_resolution` (True/False/None).
    """

    def __init__(self, c_in: int, c_out: int, time_embed_dim: int, kernel_size: int, groups: int, resample=None):
        super().__init__()
        self.group_norm = ConditionalGroupNorm(groups, c_in, time_embed_dim)
        self.activation = nn.SiLU()
        self.up_sample = nn.ConvTranspose2d(c_in, c_in, kernel_size=2, stride=2) if resample == "up" else nn.Identity()
        self.projection = nn.Conv2d(c_in, c_out, kernel_size=kernel_size, padding=int(kernel_size > 1))
        self.down_sample = nn.Conv2d(c_out, c_out, kernel_size=2, stride=2) if resample == "down" else nn.Identity()

    def forward(self, x: torch.Tensor, time_embed: torch.Tensor) -> torch.Tensor:
        x = self.activation(self.group_norm(x, time_embed))
        return self.down_sample(self.projection(self.up_sample(x)))


class ResNetBlock(nn.Module):
    """BigGAN-deep bottleneck: 1×1 → 3×3 → 3×3 → 1×1 at half width, resampling inside (kandinsky3-architecture §2.3).

    Up-sampling sits in block 1 (before its 3×3 conv), down-sampling in block 2 (after its 3×3 conv).
    """

    def __init__(self, c_in: int, c_out: int, time_embed_dim: int, groups: int, compression_ratio: int, resample=None):
        super().__init__()
        hidden = max(c_in, c_out) // compression_ratio
        shapes = [(c_in, hidden, 1, None), (hidden, hidden, 3, "up" if resample == "up" else None),
                  (hidden, hidden, 3, "down" if resample == "down" else None), (hidden, c_out, 1, None)]
        self.resnet_blocks = nn.ModuleList(
            [Block(i, o, time_embed_dim, k, groups, r) for i, o, k, r in shapes]
        )
        self.shortcut_up_sample = nn.ConvTranspose2d(c_in, c_in, kernel_size=2, stride=2) if resample == "up" else nn.Identity()
        self.shortcut_projection = nn.Conv2d(c_in, c_out, kernel_size=1) if c_in != c_out else nn.Identity()
        self.shortcut_down_sample = nn.Conv2d(c_out, c_out, kernel_size=2, stride=2) if resample == "down" else nn.Identity()

    def forward(self, x: torch.Tensor, time_embed: torch.Tensor) -> torch.Tensor:
        out = x
        for block in self.resnet_blocks:
            out = block(out, time_embed)
        shortcut = self.shortcut_down_sample(self.shortcut_projection(self.shortcut_up_sample(x)))
        return out + shortcut


class AttentionBlock(nn.Module):
    """CondGN → attention (self when context_dim is None, else cross) → residual; CondGN → 1×1 FFN → residual."""

    def __init__(self, channels: int, time_embed_dim: int, context_dim: Optional[int], groups: int, head_dim: int, expansion_ratio: int,
                 image_adapter: bool = False):
        super().__init__()
        self.in_norm = ConditionalGroupNorm(groups, channels, time_embed_dim)
        self.attention = Attention(channels, context_dim or channels, channels, head_dim)
        if image_adapter and context_dim:  # IP-Adapter: every cross-attention also reads the image tokens
            self.attention.processor = IPAttentionProcessor(context_dim, channels)
        self.out_norm = ConditionalGroupNorm(groups, channels, time_embed_dim)
        hidden = expansion_ratio * channels
        self.feed_forward = nn.Sequential(
            nn.Conv2d(channels, hidden, kernel_size=1, bias=False),
            nn.SiLU(),
            nn.Conv2d(hidden, channels, kernel_size=1, bias=False),
        )

    def forward(self, x, time_embed, context=None, context_bias=None, image_tokens=None, image_weight=None):
        b, c, h, w = x.shape
        out = self.in_norm(x, time_embed).reshape(b, c, h * w).transpose(1, 2)
        if context is None:  # self-attention: keys come from the normalised features, unmasked
            out = self.attention(out, out)
        else:
            out = self.attention(out, context, context_bias, image_tokens, image_weight)
        x = x + out.transpose(1, 2).reshape(b, c, h, w)
        return x + self.feed_forward(self.out_norm(x, time_embed))


class AttentionPooling(nn.Module):
    """Pools the text into the time embedding: the query is the mean context row (pads included)."""

    def __init__(self, time_embed_dim: int, context_dim: int, head_dim: int) -> None:
        super().__init__()
        self.attention = Attention(context_dim, context_dim, time_embed_dim, head_dim)

    def forward(self, time_embed, context, context_bias):
        pooled = self.attention(context.mean(dim=1, keepdim=True), context, context_bias)
        return time_embed + pooled.squeeze(1)


class DownBlock(nn.Module):
    """[self-attention] → layers × (ResNet_in, cross-attention, ResNet_out); the last ResNet_out down-samples."""

    def __init__(self, c_in, c_out, cfg: UNetConfig, context_dim, self_attention: bool, down_sample: bool):
        super().__init__()
        t, g, hd, er, cr = cfg.time_embedding_dim, cfg.groups, cfg.attention_head_dim, cfg.expansion_ratio, cfg.compression_ratio
        n = cfg.layers_per_block
        self.has_self_attention = self_attention
        self.has_cross_attention = context_dim is not None
        # attentions[0] is the self-attention slot, attentions[1..n] the cross-attentions (diffusers layout).
        attentions: List[nn.Module] = [AttentionBlock(c_in, t, None, g, hd, er) if self_attention else nn.Identity()]
        resnets_in, resnets_out = [], []
        for i in range(n):
            ci = c_in if i == 0 else c_out
            resnets_in.append(ResNetBlock(ci, c_out, t, g, cr))
            attentions.append(AttentionBlock(c_out, t, context_dim, g, hd, er, cfg.image_embedding_dim > 0) if context_dim else nn.Identity())
            resample = "down" if (down_sample and i == n - 1) else None
            resnets_out.append(ResNetBlock(c_out, c_out, t, g, cr, resample))
        self.attentions = nn.ModuleList(attentions)
        self.resnets_in = nn.ModuleList(resnets_in)
        self.resnets_out = nn.ModuleList(resnets_out)

    def layers(self) -> List[Layer]:
        out: List[Layer] = [("attentions.0", self.attentions[0], False)] if self.has_self_attention else []
        for i in range(len(self.resnets_in)):
            out.append((f"resnets_in.{i}", self.resnets_in[i], False))
            if self.has_cross_attention:
                out.append((f"attentions.{i + 1}", self.attentions[i + 1], True))
            out.append((f"resnets_out.{i}", self.resnets_out[i], False))
        return out

    def forward(self, x, time_embed, context, context_bias):
        return _run_layers(self.layers(), x, time_embed, context, context_bias)


class UpBlock(nn.Module):
    """layers × (ResNet_in, cross-attention, ResNet_out) → [self-attention]; the first ResNet_in up-samples.

    The first ResNet_in and cross-attention run on the width after the skip concatenation.
    """

    def __init__(self, c_in, cat_dim, c_out, cfg: UNetConfig, context_dim, self_attention: bool, up_sample: bool):
        super().__init__()
        t, g, hd, er, cr = cfg.time_embedding_dim, cfg.groups, cfg.attention_head_dim, cfg.expansion_ratio, cfg.compression_ratio
        n = cfg.layers_per_block
        self.has_self_attention = self_attention
        self.has_cross_attention = context_dim is not None
        widths = [(c_in + cat_dim, c_in)] + [(c_in, c_in)] * (n - 2) + [(c_in, c_out)]
        attentions: List[nn.Module] = [AttentionBlock(c_out, t, None, g, hd, er) if self_attention else nn.Identity()]
        resnets_in, resnets_out = [], []
        for i, (wi, wo) in enumerate(widths):
            resample = "up" if (up_sample and i == 0) else None
            resnets_in.append(ResNetBlock(wi, wi, t, g, cr, resample))
            attentions.append(AttentionBlock(wi, t, context_dim, g, hd, er, cfg.image_embedding_dim > 0) if context_dim else nn.Identity())
            resnets_out.append(ResNetBlock(wi, wo, t, g, cr))
        self.attentions = nn.ModuleList(attentions)
        self.resnets_in = nn.ModuleList(resnets_in)
        self.resnets_out = nn.ModuleList(resnets_out)

    def layers(self) -> List[Layer]:
        out: List[Layer] = []
        for i in range(len(self.resnets_in)):
            out.append((f"resnets_in.{i}", self.resnets_in[i], False))
            if self.has_cross_attention:
                out.append((f"attentions.{i + 1}", self.attentions[i + 1], True))
            out.append((f"resnets_out.{i}", self.resnets_out[i], False))
        if self.has_self_attention:
            out.append(("attentions.0", self.attentions[0], False))
        return out

    def forward(self, x, time_embed, context, context_bias):
        return _run_layers(self.layers(), x, time_embed, context, context_bias)


class Kandinsky3UNet(nn.Module):
    def __init__(self, config: UNetConfig) -> None:
        super().__init__()
        self.config = config
        cfg = config
        init = cfg.init_channels
        self.time_embedding = TimestepEmbedding(init, cfg.time_embedding_dim)
        self.add_time_condition = AttentionPooling(cfg.time_embedding_dim, cfg.cross_attention_dim, cfg.attention_head_dim)
        self.conv_in = nn.Conv2d(cfg.in_channels, init, kernel_size=3, padding=1)
        self.encoder_hid_proj = EncoderProjection(cfg.encoder_hid_dim, cfg.cross_attention_dim)

        dims = [init] + list(cfg.block_out_channels)
        levels = list(zip(dims[:-1], dims[1:]))
        last = len(levels) - 1
        context_dims = [cfg.cross_attention_dim if flag else None for flag in cfg.add_cross_attention]
        self.down_blocks = nn.ModuleList(
            DownBlock(ci, co, cfg, context_dims[i], cfg.add_self_attention[i], down_sample=i != last)
            for i, (ci, co) in enumerate(levels)
        )
        # Only levels that down-sample leave a skip; the deepest level feeds the up path directly.
        skip_dims = [co for i, (_, co) in enumerate(levels) if i != last]
        up = []
        for j, (co, ci) in enumerate(reversed(levels)):
            level = last - j
            cat_dim = skip_dims[level] if j > 0 else 0
            up.append(UpBlock(ci, cat_dim, co, cfg, context_dims[level], cfg.add_self_attention[level], up_sample=j > 0))
        self.up_blocks = nn.ModuleList(up)
        if cfg.image_embedding_dim:  # IP-Adapter (kandinsky3-architecture §9.1), top-level keys as in the fork
            self.image_proj = nn.Linear(cfg.image_embedding_dim, cfg.image_tokens * cfg.cross_attention_dim)
            self.image_norm = nn.LayerNorm(cfg.cross_attention_dim)
        self.conv_norm_out = nn.GroupNorm(cfg.groups, init)
        self.conv_act_out = nn.SiLU()
        self.conv_out = nn.Conv2d(init, cfg.out_channels, kernel_size=3, padding=1)

    def forward(
        self,
        sample: torch.Tensor,
        timestep: torch.Tensor,
        encoder_hidden_states: torch.Tensor,
        encoder_attention_mask: torch.Tensor,
        project_context: bool = True,
        control: Optional[Sequence[torch.Tensor]] = None,
        image_embeds: Optional[torch.Tensor] = None,
        image_weight: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        """sample (B, C, H, W); timestep (B,) float in 0..999; encoder_hidden_states (B, L, D);
        encoder_attention_mask (B, L) with 1 on real tokens. Returns the model output (B, out_channels, H, W).

        With project_context=False the context is taken as already projected (the ONNX text graph does it).
        `control` holds one ControlNet residual per skip connection (`control_names`), already scaled.
        With an IP-Adapter, image_embeds (B, image_embedding_dim) and image_weight (B,) steer every
        cross-attention (weight 0: exactly the U-Net without the image).
        """
        context = self.encoder_hid_proj(encoder_hidden_states) if project_context else encoder_hidden_states
        values = {"sample": sample, "timestep": timestep, "context": context, "context_mask": encoder_attention_mask}
        if control is not None:
            values.update(zip(self.control_names(), control))
        if image_embeds is not None:
            values.update(image_embeds=image_embeds, image_weight=image_weight)
        steps = self.steps(controlled=control is not None, with_image=image_embeds is not None)
        return run_steps(steps, values)["model_output"]

    def control_names(self) -> List[str]:
        """One ControlNet residual per skip connection: every down level but the deepest (kandinsky3-architecture §9.2:
        the three skips of the full model, two in nano)."""
        return [f"control_{level}" for level in range(len(self.down_blocks) - 1)]

    def steps(self, controlled: bool = False, with_image: bool = False) -> List[Step]:
        """The forward pass on an already projected context, one step per ResNet or attention block.

        Values: sample, timestep, context, context_mask in; x (the running features), time_embed,
        skip_<level> (kept by each down level but the deepest, taken by its up level) between;
        model_output out. The attention bias is rebuilt from the mask where it is used: it holds
        finfo.min, which is no value to pass between graphs. With `controlled`, control_<level> is read
        too and added to its skip just before the concatenation (kandinsky3-architecture §9.2). With `with_image` (an
        IP-Adapter U-Net), the prelude also turns image_embeds into image_tokens, which every
        cross-attention reads with image_weight (kandinsky3-architecture §9.1).
        """
        init = self.config.init_channels
        if with_image and not self.config.image_embedding_dim:
            raise ValueError("this U-Net has no IP-Adapter layers (image_embedding_dim is 0)")

        def prelude(v: Values) -> Values:
            bias = mask_to_bias(v["context_mask"], v["context"].dtype)
            time_embed = self.time_embedding(timestep_embedding(v["timestep"], init).to(v["sample"].dtype))
            out = {"x": self.conv_in(v["sample"]), "time_embed": self.add_time_condition(time_embed, v["context"], bias)}
            if with_image:
                out["image_tokens"] = image_tokens(self.image_proj, self.image_norm, v["image_embeds"], self.config.image_tokens)
            return out

        def head(v: Values) -> Values:
            return {"model_output": self.conv_out(self.conv_act_out(self.conv_norm_out(v["x"])))}

        image_io = ("image_embeds",) if with_image else ()
        steps = [Step("prelude", (self.time_embedding, self.add_time_condition, self.conv_in)
                      + ((self.image_proj, self.image_norm) if with_image else ()),
                      ("sample", "timestep", "context", "context_mask") + image_io,
                      ("x", "time_embed") + (("image_tokens",) if with_image else ()), prelude)]
        last = len(self.down_blocks) - 1
        for level, block in enumerate(self.down_blocks):
            layers = block.layers()
            for n, layer in enumerate(layers):
                keeps_skip = level != last and n == len(layers) - 1
                steps.append(_layer_step(f"down_blocks.{level}", layer, skip_out=f"skip_{level}" if keeps_skip else None,
                                         with_image=with_image))
        for j, block in enumerate(self.up_blocks):
            for n, layer in enumerate(block.layers()):
                takes_skip = j != 0 and n == 0
                steps.append(_layer_step(f"up_blocks.{j}", layer, skip_in=f"skip_{last - j}" if takes_skip else None,
                                         control_in=f"control_{last - j}" if takes_skip and controlled else None,
                                         with_image=with_image))
        steps.append(Step("out", (self.conv_norm_out, self.conv_out), ("x",), ("model_output",), head))
        return steps


def _layer_step(prefix: str, layer: Layer, skip_in: Optional[str] = None, skip_out: Optional[str] = None,
                control_in: Optional[str] = None, with_image: bool = False) -> Step:
    """One block of a level: the skip (plus its control residual, if any) is concatenated before the first
    block of an up level, and kept after the last block of a down level."""
    name, module, attends_text = layer

    def run(v: Values) -> Values:
        skip = None if skip_in is None else (v[skip_in] if control_in is None else v[skip_in] + v[control_in])
        x = v["x"] if skip is None else torch.cat([v["x"], skip], dim=1)
        if attends_text:
            bias = mask_to_bias(v["context_mask"], v["context"].dtype)
            image = (v["image_tokens"], v["image_weight"]) if with_image else ()
            x = module(x, v["time_embed"], v["context"], bias, *image)
        else:
            x = module(x, v["time_embed"])
        return {"x": x, skip_out: x} if skip_out else {"x": x}

    text = ("context", "context_mask") + (("image_tokens", "image_weight") if with_image else ()) if attends_text else ()
    reads = ("x", "time_embed") + ((skip_in,) if skip_in else ()) + ((control_in,) if control_in else ()) + text
    return Step(f"{prefix}.{name}", (module,), reads, ("x",) + ((skip_out,) if skip_out else ()), run)
