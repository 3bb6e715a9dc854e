"""Loading converted state dicts into this package's modules with strict=True, after naming every
missing, unexpected or misshapen key: a conversion never drops or invents a weight silently.

The checkpoint's tensors become the modules' parameters without a copy, and the modules are built on
the meta device, so a conversion holds each weight once: 12 GB for the full-size U-Net, not 24.
"""
from __future__ import annotations

from typing import Dict, List, Tuple

import torch
from torch import nn

from ..config import ModelConfig
from ..clip_vision import CLIPVisionEncoder, clip_config_from
from ..kandinsky3 import Kandinsky3
from ..meta_device import meta_device
from .checkpoints import Checkpoint, CheckpointError

# The MoVQ codebook is not used by inference (latents are never looked up in it) and the reference
# counts MoVQ "without the codebook" (kandinsky3-architecture §0): where a checkpoint lacks it, it is filled with zeros and
# the report says so.
OPTIONAL_KEYS = {"movq": {"quantize.embedding.weight"}}


def _text_encoder_state(state: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """transformers ties the T5 input embedding: .bin files save it twice, safetensors once."""
    state = dict(state)
    tied = state.pop("encoder.embed_tokens.weight", None)
    if tied is not None:
        shared = state.setdefault("shared.weight", tied)
        if shared.shape != tied.shape or not torch.equal(shared, tied):
            raise CheckpointError("text encoder: encoder.embed_tokens.weight differs from shared.weight (untied embeddings)")
    return state


def load_strict(module: nn.Module, state: Dict[str, torch.Tensor], what: str) -> List[str]:
    """Loads `state` into `module`; returns notes (filled optional keys). Raises naming every problem."""
    if what == "text encoder":
        state = _text_encoder_state(state)
    expected = module.state_dict()
    optional = OPTIONAL_KEYS.get(what, set())
    notes = []
    for key in sorted(optional - set(state)):
        if key in expected:
            state = {**state, key: torch.zeros(tuple(expected[key].shape))}
            notes.append(f"{what}: {key} is not in the checkpoint; filled with zeros (unused by inference)")
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    misshapen = sorted(
        f"{k}: checkpoint {tuple(state[k].shape)}, model {tuple(expected[k].shape)}"
        for k in set(state) & set(expected)
        if tuple(state[k].shape) != tuple(expected[k].shape)
    )
    if missing or unexpected or misshapen:
        lines = [f"{what}: the checkpoint does not fit the model (check --config and the source folder)"]
        for title, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", misshapen)):
            if keys:
                lines.append(f"  {len(keys)} {title}: " + ", ".join(keys[:20]) + (" …" if len(keys) > 20 else ""))
        raise CheckpointError("\n".join(lines))
    for key, tensor in state.items():
        _assign(module, key, tensor.float())  # .float() copies only what is not float32 already
    return notes


def _assign(module: nn.Module, key: str, value: torch.Tensor) -> None:
    path, _, name = key.rpartition(".")
    owner = module.get_submodule(path) if path else module
    if name in owner._parameters:
        owner._parameters[name] = nn.Parameter(value, requires_grad=False)
    else:
        owner._buffers[name] = value


def models_from_checkpoint(checkpoint: Checkpoint, config: ModelConfig, kind: str) -> Tuple[Kandinsky3, List[str]]:
    """The text encoder, MoVQ and one U-Net (with the ControlNet, for the base U-Net it was trained on),
    holding the checkpoint's tensors; notes on filled keys."""
    with_controlnet = checkpoint.controlnet is not None and kind == "base"
    ip = checkpoint.ip_adapter if kind == "base" else None
    if ip is not None:  # the adapter's U-Net carries the base weights too, and takes the base's place
        config = config.with_unet(image_embedding_dim=ip.unet["image_proj.weight"].shape[1],
                                  image_tokens=ip.unet["image_proj.weight"].shape[0] // config.unet.cross_attention_dim)
    with meta_device():
        models = Kandinsky3(config, [kind], controlnet=with_controlnet)
        if ip is not None:
            models.image_encoder = CLIPVisionEncoder(clip_config_from(ip.image_encoder_config, ip.processor_config, ip.image_encoder))
    notes = load_strict(models.text_encoder, checkpoint.text_encoder, "text encoder")
    notes += load_strict(models.movq, checkpoint.movq, "movq")
    if ip is not None:
        # The fork keeps the text projection beside the U-Net (projection.pt): the base's serves when the
        # adapter's file has none of its own.
        projection = {k: v for k, v in checkpoint.unets[kind].items() if k.startswith("encoder_hid_proj.")}
        if not any(k.startswith("encoder_hid_proj.") for k in ip.unet):
            notes.append("the IP-Adapter U-Net has no text projection of its own; it uses the base's")
        notes += load_strict(models.unets[kind], {**projection, **ip.unet}, "IP-Adapter U-Net")
        notes += load_strict(models.image_encoder, ip.image_encoder, "image encoder")
        notes.append("the base pack's U-Net is the IP-Adapter's (the base weights with image_proj, image_norm and the IP layers)")
    else:
        notes += load_strict(models.unets[kind], checkpoint.unets[kind], f"{kind} U-Net")
    if checkpoint.ip_adapter is not None and kind != "base":
        notes.append(f"the IP-Adapter is trained on the base U-Net, so the {kind} pack leaves it out")
    if with_controlnet:
        notes += load_strict(models.controlnet, checkpoint.controlnet, "ControlNet")
    elif checkpoint.controlnet is not None:
        notes.append(f"the ControlNet drives the base U-Net, so the {kind} pack leaves it out")
    left = [k for k, v in models.state_dict().items() if v.is_meta]
    if left:  # strict loading makes this impossible; a silent meta tensor would export as garbage
        raise CheckpointError(f"{len(left)} weights were never loaded: {', '.join(left[:10])}")
    return models.eval(), notes
