"""Every size of every component, in one place.

`KANDINSKY3` reproduces the published Kandinsky 3 / 3.1 models (kandinsky3-architecture §2.1, §4.1, §5.1);
`TINY` is the few-megabyte configuration of the deterministic random-weight pack.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Tuple


@dataclass(frozen=True)
class UNetConfig:
    in_channels: int = 4  # 4 for base and Flash, 9 for inpainting (latent, mask, masked latent)
    out_channels: int = 4
    block_out_channels: Tuple[int, ...] = (384, 768, 1536, 3072)
    layers_per_block: int = 3
    time_embedding_dim: int = 1536
    cross_attention_dim: int = 4096
    encoder_hid_dim: int = 4096  # width of the text encoder's output, before the projection
    groups: int = 32
    attention_head_dim: int = 64
    add_cross_attention: Tuple[bool, ...] = (False, True, True, True)
    add_self_attention: Tuple[bool, ...] = (False, True, True, True)
    expansion_ratio: int = 4  # feed-forward width in attention blocks
    compression_ratio: int = 2  # BigGAN-deep bottleneck: hidden = max(c_in, c_out) // 2
    # IP-Adapter (kandinsky3-architecture §9.1): the image embedding's width (768 for the 3.1 adapter's CLIP), 0 for none,
    # and how many tokens it becomes.
    image_embedding_dim: int = 0
    image_tokens: int = 4

    def __post_init__(self) -> None:
        levels = len(self.block_out_channels)
        if self.layers_per_block < 2:
            raise ValueError("layers_per_block must be at least 2: an up level widens in its first block and narrows in its last")
        if len(self.add_cross_attention) != levels or len(self.add_self_attention) != levels:
            raise ValueError("add_cross_attention and add_self_attention need one flag per level")

    @property
    def init_channels(self) -> int:
        return self.block_out_channels[0] // 2

    @property
    def downsample_factor(self) -> int:
        """Latent sides must be multiples of this (one ×2 down-sample per level but the last)."""
        return 2 ** (len(self.block_out_channels) - 1)


@dataclass(frozen=True)
class MoVQConfig:
    in_channels: int = 3
    out_channels: int = 3
    latent_channels: int = 4
    block_out_channels: Tuple[int, ...] = (256, 512, 512, 1024)
    layers_per_block: int = 2  # the decoder uses one more per level, as in diffusers
    attention_levels: Tuple[bool, ...] = (False, False, False, True)  # encoder levels; the decoder mirrors them
    norm_num_groups: int = 32
    num_vq_embeddings: int = 16384  # codebook slot kept for strict loading; encode/decode never quantise
    vq_embed_dim: int = 4

    @property
    def scale_factor(self) -> int:
        return 2 ** (len(self.block_out_channels) - 1)


@dataclass(frozen=True)
class T5Config:
    vocab_size: int = 32128
    d_model: int = 4096
    d_kv: int = 256
    d_ff: int = 16384
    num_layers: int = 32
    num_heads: int = 16
    relative_attention_num_buckets: int = 32
    relative_attention_max_distance: int = 128
    layer_norm_epsilon: float = 1e-6
    feed_forward_proj: str = "gated-silu"  # "gated-silu" (Flan-UL2) or "gated-gelu" (T5 v1.1)

    def __post_init__(self) -> None:
        if self.feed_forward_proj not in ("gated-silu", "gated-gelu"):
            raise ValueError(f"unsupported feed_forward_proj {self.feed_forward_proj!r}")


@dataclass(frozen=True)
class ModelConfig:
    name: str
    unet: UNetConfig = field(default_factory=UNetConfig)
    movq: MoVQConfig = field(default_factory=MoVQConfig)
    text: T5Config = field(default_factory=T5Config)
    max_text_length: int = 128  # tokens including EOS (kandinsky3-architecture §5.2)

    def __post_init__(self) -> None:
        if self.text.d_model != self.unet.encoder_hid_dim:
            raise ValueError("the text encoder width must equal unet.encoder_hid_dim")
        if self.movq.latent_channels != self.unet.out_channels:
            raise ValueError("the U-Net must predict as many channels as the latent has")

    def with_unet(self, **changes) -> "ModelConfig":
        return replace(self, unet=replace(self.unet, **changes))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ModelConfig":
        """Inverse of to_dict (JSON turns tuples into lists)."""
        def build(kind, values):
            return kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})

        return cls(
            name=data["name"],
            unet=build(UNetConfig, data["unet"]),
            movq=build(MoVQConfig, data["movq"]),
            text=build(T5Config, data["text"]),
            max_text_length=data["max_text_length"],
        )


KANDINSKY3 = ModelConfig(name="kandinsky3")
KANDINSKY3_INPAINTING = KANDINSKY3.with_unet(in_channels=9)

# Small enough to commit (a few MB), yet every structural feature of the full model is present:
# bottleneck ResNets, down/up-sampling, self- and cross-attention at the lower levels, pooling,
# SpatialNorm decoder, relative-position T5. The ×4 autoencoder matches the nano model's.
TINY = ModelConfig(
    name="tiny",
    unet=UNetConfig(
        block_out_channels=(8, 16, 32),
        layers_per_block=2,
        time_embedding_dim=32,
        cross_attention_dim=32,
        encoder_hid_dim=32,
        groups=4,
        attention_head_dim=8,
        add_cross_attention=(False, True, True),
        add_self_attention=(False, True, True),
    ),
    movq=MoVQConfig(
        block_out_channels=(16, 32, 32),
        layers_per_block=1,
        attention_levels=(False, False, True),
        norm_num_groups=4,
        num_vq_embeddings=64,
    ),
    text=T5Config(vocab_size=512, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4),
)

# kandinsky3-nano, trained here on 64×64 emoji (model/README.md): the same architecture at ~1/700 of the
# width, three U-Net levels (16², 8², 4² latents) with attention at the lower two, a ×4 autoencoder.
NANO = ModelConfig(
    name="nano",
    unet=UNetConfig(
        block_out_channels=(32, 64, 128),
        layers_per_block=2,
        time_embedding_dim=128,
        cross_attention_dim=128,
        encoder_hid_dim=128,
        groups=16,
        attention_head_dim=32,
        add_cross_attention=(False, True, True),
        add_self_attention=(False, True, True),
    ),
    movq=MoVQConfig(
        block_out_channels=(32, 64, 128),
        layers_per_block=1,
        attention_levels=(False, False, True),
        norm_num_groups=8,
        num_vq_embeddings=1024,
    ),
    text=T5Config(vocab_size=4608, d_model=128, d_kv=32, d_ff=384, num_layers=4, num_heads=4),
    max_text_length=64,
)

PRESETS = {"kandinsky3": KANDINSKY3, "kandinsky3-inpainting": KANDINSKY3_INPAINTING, "tiny": TINY, "nano": NANO}
