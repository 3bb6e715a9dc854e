"""All networks of one Kandinsky 3 model family, built from one `ModelConfig`.

One T5 encoder and one MoVQ serve several U-Nets: base, Flash (same architecture, own weights),
inpainting (9 input channels) and Flash inpainting (the inpainting U-Net distilled to the Flash
sampler's 4 steps, as Flash is from base; the released 3.1 has none, nano trains one). Each U-Net
carries its own text projection, as the released checkpoints do (kandinsky3-architecture §1, §3.2).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Callable, Iterable, Tuple

import torch
from torch import nn

from .config import ModelConfig, UNetConfig
from .controlnet import Kandinsky3ControlNet
from .movq import VQModel
from .t5 import T5EncoderModel
from .text_conditioning import TextConditioning
from .unet import Kandinsky3UNet

UNET_KINDS = ("base", "flash", "inpainting", "inpainting_flash")
INPAINTING_KINDS = ("inpainting", "inpainting_flash")
# Each distilled U-Net and the one it is distilled from (its teacher, whose input it shares).
FLASH_TEACHERS = {"flash": "base", "inpainting_flash": "inpainting"}


def unet_config_for(config: ModelConfig, kind: str) -> UNetConfig:
    if kind not in UNET_KINDS:
        raise ValueError(f"unknown U-Net kind {kind!r}; expected one of {UNET_KINDS}")
    if kind in INPAINTING_KINDS:  # noisy latent, keep-mask, masked-image latent (kandinsky3-architecture §8.1); no IP-Adapter
        return replace(config.unet, in_channels=2 * config.movq.latent_channels + 1, image_embedding_dim=0)
    return replace(config.unet, in_channels=config.movq.latent_channels)


# The U-Nets a ControlNet trained on the base U-Net drives: those that denoise a plain latent. (The
# inpainting U-Net's input has other channels, so its skips are not what the ControlNet learned.)
CONTROLLED_KINDS = ("base", "flash")


class Kandinsky3(nn.Module):
    def __init__(self, config: ModelConfig, unet_kinds: Iterable[str] = ("base",), controlnet: bool = False) -> None:
        super().__init__()
        self.config = config
        self.text_encoder = T5EncoderModel(config.text)
        self.movq = VQModel(config.movq)
        self.unets = nn.ModuleDict({kind: Kandinsky3UNet(unet_config_for(config, kind)) for kind in unet_kinds})
        if controlnet and "base" not in self.unets:
            raise ValueError("a ControlNet is trained on the base U-Net, so the model needs one")
        # The edge ControlNet (kandinsky3-architecture §9.2), reading the base U-Net's projected context.
        self.controlnet = Kandinsky3ControlNet(unet_config_for(config, "base"), config.movq.scale_factor) if controlnet else None
        # The IP-Adapter's image encoder (kandinsky3-architecture §9.1: CLIP ViT-L/14 for 3.1; nano's own CNN), set by whoever
        # builds a pack with one: image (B, 3, H, W) in [−1, 1] → (B, config.unet.image_embedding_dim).
        self.image_encoder: nn.Module | None = None
        # The upscaler (KandiSuperRes's role; nano's is model/nano/upscaler.py), set by whoever builds a pack
        # with one: image (B, 3, H, W) in [−1, 1] → (B, 3, factor·H, factor·W), with `config.factor`.
        # A converted checkpoint has none yet; a real upscaler's module plugs in here.
        self.upscaler: nn.Module | None = None

    def controlled_kinds(self) -> tuple:
        return tuple(k for k in CONTROLLED_KINDS if k in self.unets) if self.controlnet is not None else ()

    def text_conditioning(self, padding: str = "zero-after-projection") -> TextConditioning:
        """padding: where padded prompt rows are zeroed, model/text_conditioning.py."""
        return TextConditioning(self.text_encoder, {kind: unet.encoder_hid_proj for kind, unet in self.unets.items()}, padding)


def randomize_(model: nn.Module, seed: int, exclude: Tuple[str, ...] = (), keep: Callable[[str], bool] = lambda name: True) -> nn.Module:
    """Deterministic random weights that exercise every path.

    Default initialisation zeroes the time-conditioned norm projections, which would hide bugs in
    them; here every tensor gets values: norm gains near 1, biases small, embeddings unit-scale,
    matrices scaled by 1/√fan_in so activations stay in range through the depth.
    """
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if name.startswith(exclude) or not keep(name):
                continue
            noise = torch.randn(p.shape, generator=generator, dtype=torch.float32)
            if p.ndim == 1 and name.endswith("weight"):  # GroupNorm / LayerNorm / RMSNorm gains
                p.copy_(1.0 + 0.1 * noise)
            elif p.ndim == 1:
                p.copy_(0.02 * noise)
            elif name.endswith(("shared.weight", "embedding.weight")):
                p.copy_(noise)
            else:
                # ConvTranspose weights are (in, out, kH, kW): their fan-in is the first axis.
                fan_in = p.shape[0] * p[0, 0].numel() if name.endswith("up_sample.weight") else p[0].numel()
                p.copy_(noise / fan_in**0.5)
    return model


def is_image_adapter_key(name: str) -> bool:
    """IP-Adapter weights of a U-Net (kandinsky3-architecture §9.1), with or without the `unets.<kind>.` prefix."""
    return ".processor." in name or re.search(r"(^|\.)image_(proj|norm)\.", name) is not None


def randomize_family_(models: Kandinsky3, seed: int) -> Kandinsky3:
    """The random test pack's weights: `randomize_` with `seed`, then the ControlNet from seed + 1, the
    IP-Adapter layers from seed + 2 and the image encoder from seed + 3, so that adding any of them left
    every other weight as it was."""
    randomize_(models, seed, exclude=("controlnet.", "image_encoder."), keep=lambda n: not is_image_adapter_key(n))
    if models.controlnet is not None:
        randomize_(models.controlnet, seed + 1)
    randomize_(models, seed + 2, exclude=("controlnet.", "image_encoder."), keep=is_image_adapter_key)
    with torch.no_grad():  # a trained adapter's branch starts at zero and stays small beside the text's
        for name, p in models.named_parameters():
            if ".to_out_ip." in name:
                p.mul_(0.1)
    if models.image_encoder is not None:
        randomize_(models.image_encoder, seed + 3)
    if models.upscaler is not None:
        randomize_(models.upscaler, seed + 4)
    return models


def random_upscaler() -> nn.Module:
    """The random test pack's upscaler: nano's (model/nano/upscaler.py) at its narrowest."""
    from .nano.upscaler import NanoUpscaler, UpscalerConfig

    return NanoUpscaler(UpscalerConfig(factor=4, channels=8, blocks=1))


def random_image_encoder(image_dim: int, side: int = 64) -> nn.Module:
    """The random test pack's image encoder: nano's CNN (model/nano/classifier.py) at its narrowest, ending
    in `image_dim` features. Imported here, not at the top, as only test packs need it."""
    from .nano.classifier import EmojiClassifier

    encoder = EmojiClassifier(1, 1, (8, 16, 16, 16, image_dim))
    encoder.image_size = side
    return encoder


def random_models_for(manifest: dict) -> Kandinsky3:
    """The modules a random pack's manifest was exported from: its config, U-Nets, ControlNet and seed."""
    config = ModelConfig.from_dict(manifest["architecture"]["config"])
    components = manifest["components"].values()
    kinds = [c["unet"]["kind"] for c in components if c["role"] == "unet"]
    controlnet = any(c["role"] == "controlnet" for c in components)
    models = Kandinsky3(config, kinds, controlnet=controlnet)
    encoder = next((c for c in components if c["role"] == "image-encoder"), None)
    if encoder is not None:
        models.image_encoder = random_image_encoder(config.unet.image_embedding_dim, encoder["imageEncoder"]["side"])
    if any(c["role"] == "upscaler" for c in components):
        models.upscaler = random_upscaler()
    return randomize_family_(models, manifest["randomSeed"])


def weights_digest(model: nn.Module) -> str:
    """SHA-256 over the float32 bytes of every tensor in key order: names the weights independently of
    the byte layout any ONNX exporter version chooses."""
    h = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().to(torch.float32).contiguous().numpy().tobytes())
    return h.hexdigest()
