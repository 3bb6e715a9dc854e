"""Prompt tokens → the context each U-Net attends to: T5 encoder, then that U-Net's own text projection,
with padded rows zeroed on one side of it or the other (kandinsky3-architecture §5.3).

- "zero-after-projection" (the original 3.1 code, and every pack before diffusers parity): padded rows
  are zero in the U-Net's context space. That makes the attention-pooling mean Σ(valid rows) / length,
  which the original unconditional branch (null_embedding in row 0, zeros elsewhere) assumes.
- "zero-before-projection" (diffusers): padded rows of the T5 output are zeroed and then projected with
  the rest, so the U-Net sees the projection of zero (its LayerNorm's bias) there, and pools over it.

The manifest names the one a pack's text encoder graph was built with (`text.padding`), because the
worker builds the diffusers unconditional row from it. One T5 pass feeds every projection, so a pack
with base, Flash and inpainting U-Nets still runs its text encoder once.
"""
from __future__ import annotations

from typing import Dict, List, Tuple

import torch
from torch import nn

from .steps import Step, Values, run_steps
from .t5 import T5EncoderModel
from .unet import EncoderProjection


PADDINGS = ("zero-after-projection", "zero-before-projection")


class TextConditioning(nn.Module):
    def __init__(self, text_encoder: T5EncoderModel, projections: Dict[str, EncoderProjection],
                 padding: str = "zero-after-projection") -> None:
        super().__init__()
        if padding not in PADDINGS:
            raise ValueError(f"unknown text padding {padding!r}; expected one of {PADDINGS}")
        self.text_encoder = text_encoder
        self.projections = nn.ModuleDict(projections)
        self.padding = padding

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """(B, L) ids and keep-mask → one (B, L, D) context per projection, in insertion order."""
        values = run_steps(self.steps(), {"input_ids": input_ids, "attention_mask": attention_mask})
        return tuple(values[name] for name in self.output_names())

    def output_names(self) -> List[str]:
        return [f"context_{kind}" for kind in self.projections]

    def steps(self) -> List[Step]:
        """Embedding, then one step per T5 layer, then the final norm and the projections.

        Between steps pass the hidden state and the (1, heads, L, L) position bias; each layer adds the
        padding mask itself, since the masked bias holds finfo.min, no value to pass between graphs.
        """
        t5 = self.text_encoder

        def embed(v: Values) -> Values:
            ids = v["input_ids"]
            return {"hidden": t5.shared(ids), "position_bias": t5.position_bias(ids.shape[1], ids.device)}

        def layer(block):
            def run(v: Values) -> Values:
                hidden = v["hidden"]
                return {"hidden": block(hidden, t5.attention_bias(v["position_bias"], v["attention_mask"], hidden.dtype))}
            return run

        def project(v: Values) -> Values:
            hidden = t5.encoder.final_layer_norm(v["hidden"])
            keep = v["attention_mask"][:, :, None].to(hidden.dtype)
            if self.padding == "zero-before-projection":
                hidden = hidden * keep
                return {name: projection(hidden) for name, projection in zip(self.output_names(), self.projections.values())}
            return {name: projection(hidden) * keep for name, projection in zip(self.output_names(), self.projections.values())}

        first_attention = t5.encoder.block[0].layer[0].SelfAttention
        steps = [Step("embed", (t5.shared, first_attention.relative_attention_bias), ("input_ids",),
                      ("hidden", "position_bias"), embed)]
        for i, block in enumerate(t5.encoder.block):
            steps.append(Step(f"encoder.block.{i}", (block,), ("hidden", "position_bias", "attention_mask"), ("hidden",), layer(block)))
        steps.append(Step("project", (t5.encoder.final_layer_norm, self.projections), ("hidden", "attention_mask"),
                          tuple(self.output_names()), project))
        return steps
