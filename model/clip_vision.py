"""The 3.1 IP-Adapter's image encoder (kandinsky3-architecture §9.1): transformers' `CLIPVisionModelWithProjection`,
CLIP ViT-L/14, in its own key names so its weights load without renaming.

A pre-norm ViT: 14×14 patches and a class token with learnt positions, `pre_layrnorm` (transformers'
spelling), 24 layers of attention and a quick-GELU MLP, then the class token through `post_layernorm`
and the bias-free `visual_projection` to the 768-d `image_embeds` the U-Net's `image_proj` reads.
The input is CLIPImageProcessor's pixel_values: RGB scaled to [0, 1], then (x − mean) / std per channel.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import torch
from torch import nn

# CLIPImageProcessor's normalisation (OpenAI CLIP's).
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class CLIPVisionConfig:
    image_size: int = 224  # 224 or 336 (kandinsky3-architecture §14, A6): read from the position table on conversion
    patch_size: int = 14
    hidden_size: int = 1024
    layers: int = 24
    heads: int = 16
    intermediate_size: int = 4096
    projection_dim: int = 768
    eps: float = 1e-5
    mean: Tuple[float, float, float] = CLIP_MEAN
    std: Tuple[float, float, float] = CLIP_STD

    @property
    def positions(self) -> int:
        return (self.image_size // self.patch_size) ** 2 + 1


def quick_gelu(x: torch.Tensor) -> torch.Tensor:
    return x * torch.sigmoid(1.702 * x)


class CLIPAttention(nn.Module):
    def __init__(self, c: CLIPVisionConfig) -> None:
        super().__init__()
        self.heads = c.heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(c.hidden_size, c.hidden_size) for _ in range(4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        split = lambda t: t.reshape(b, n, self.heads, d // self.heads).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        weights = torch.softmax(q @ k.transpose(-1, -2) * (d // self.heads) ** -0.5, dim=-1)
        return self.out_proj((weights @ v).transpose(1, 2).reshape(b, n, d))


class CLIPMLP(nn.Module):
    def __init__(self, c: CLIPVisionConfig) -> None:
        super().__init__()
        self.fc1 = nn.Linear(c.hidden_size, c.intermediate_size)
        self.fc2 = nn.Linear(c.intermediate_size, c.hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(quick_gelu(self.fc1(x)))


class CLIPEncoderLayer(nn.Module):
    def __init__(self, c: CLIPVisionConfig) -> None:
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(c.hidden_size, eps=c.eps)
        self.self_attn = CLIPAttention(c)
        self.layer_norm2 = nn.LayerNorm(c.hidden_size, eps=c.eps)
        self.mlp = CLIPMLP(c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class CLIPEncoder(nn.Module):
    def __init__(self, c: CLIPVisionConfig) -> None:
        super().__init__()
        self.layers = nn.ModuleList(CLIPEncoderLayer(c) for _ in range(c.layers))


class CLIPVisionEmbeddings(nn.Module):
    def __init__(self, c: CLIPVisionConfig) -> None:
        super().__init__()
        self.class_embedding = nn.Parameter(torch.zeros(c.hidden_size))
        self.patch_embedding = nn.Conv2d(3, c.hidden_size, c.patch_size, stride=c.patch_size, bias=False)
        self.position_embedding = nn.Embedding(c.positions, c.hidden_size)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        patches = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(patches.shape[0], 1, -1)
        return torch.cat([cls, patches], dim=1) + self.position_embedding.weight[None]


class CLIPVisionTransformer(nn.Module):
    def __init__(self, c: CLIPVisionConfig) -> None:
        super().__init__()
        self.embeddings = CLIPVisionEmbeddings(c)
        self.pre_layrnorm = nn.LayerNorm(c.hidden_size, eps=c.eps)
        self.encoder = CLIPEncoder(c)
        self.post_layernorm = nn.LayerNorm(c.hidden_size, eps=c.eps)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        x = self.pre_layrnorm(self.embeddings(pixel_values))
        for layer in self.encoder.layers:
            x = layer(x)
        return self.post_layernorm(x[:, 0])


def clip_config_from(config: dict, processor: dict, state: dict) -> CLIPVisionConfig:
    """The encoder's shape from transformers' config.json and preprocessor_config.json where the folder has
    them; the image size from the position table otherwise (it tells 224 from 336, ambiguity A6)."""
    get = lambda key, default: config.get(key, default)  # noqa: E731
    d = CLIPVisionConfig()
    positions = state["vision_model.embeddings.position_embedding.weight"].shape[0]
    patch = get("patch_size", state["vision_model.embeddings.patch_embedding.weight"].shape[-1])
    crop = processor.get("crop_size", {})
    size = crop.get("height", crop) if isinstance(crop, dict) else crop
    return CLIPVisionConfig(
        image_size=get("image_size", int(size) if isinstance(size, int) else round((positions - 1) ** 0.5) * patch),
        patch_size=patch,
        hidden_size=state["vision_model.embeddings.class_embedding"].shape[0],
        layers=len({k.split(".")[3] for k in state if k.startswith("vision_model.encoder.layers.")}),
        heads=get("num_attention_heads", d.heads),
        intermediate_size=state["vision_model.encoder.layers.0.mlp.fc1.weight"].shape[0],
        projection_dim=state["visual_projection.weight"].shape[0],
        eps=get("layer_norm_eps", d.eps),
        mean=tuple(processor.get("image_mean", d.mean)),
        std=tuple(processor.get("image_std", d.std)),
    )


class CLIPVisionEncoder(nn.Module):
    """pixel_values (B, 3, S, S), CLIP-normalised → image_embeds (B, projection_dim), un-normalised."""

    def __init__(self, config: CLIPVisionConfig = CLIPVisionConfig()) -> None:
        super().__init__()
        self.config = config
        self.image_size = config.image_size  # what the pack's imageEncoder.side says
        self.mean, self.std = config.mean, config.std
        self.vision_model = CLIPVisionTransformer(config)
        self.visual_projection = nn.Linear(config.hidden_size, config.projection_dim, bias=False)

    def features(self, pixel_values: torch.Tensor) -> torch.Tensor:
        return self.visual_projection(self.vision_model(pixel_values))

    forward = features
