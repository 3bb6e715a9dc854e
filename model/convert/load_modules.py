"""Loading converted state dicts into this package's modules with strict=True, after naming every
missing, unexpected or misshapen key: a conversion never drops or invents a weight silently."""
from __future__ import annotations

from typing import Dict, List

import torch
from torch import nn

from .checkpoints import CheckpointError

# The MoVQ codebook is not used by inference (latents are never looked up in it) and the reference
# counts MoVQ "without the codebook" (§0): where a checkpoint lacks it, it is filled with zeros and
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
            state = {**state, key: torch.zeros_like(expected[key])}
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
    module.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    return notes
