"""The four kinds of ONNX graph a pack holds, their tensor contracts, and their export.

Every axis the app may vary is dynamic: batch (CFG runs cond and uncond together), latent or image
height and width, and text length (contexts are cut to the longest prompt + 1, kandinsky3-architecture §5.3).
"""
from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple, Union

import numpy as np
import torch
from torch import nn

from ..kandinsky3 import Kandinsky3
from ..steps import Step

Dim = Union[int, str]
OPSET = 17


@dataclass(frozen=True)
class TensorSpec:
    name: str
    dtype: str  # "float32" | "int64"
    shape: Tuple[Dim, ...]  # ints are fixed, strings name dynamic axes

    def to_manifest(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "shape": list(self.shape)}


@dataclass
class Graph:
    component: str  # manifest component id, e.g. "unet_base"
    role: str  # "text-encoder" | "unet" | "controlnet" | "image-encoder" | "movq-encoder" | "movq-decoder" | "upscaler"
    module: nn.Module
    inputs: List[TensorSpec]
    outputs: List[TensorSpec]
    make_inputs: Callable[..., Dict[str, np.ndarray]]  # (rng, batch, latent_h, latent_w, text_length)
    # The forward pass as steps, for graphs that may be too large for one file (model/export/graph_parts.py).
    steps: Optional[Callable[[], List[Step]]] = None

    def reference(self, feeds: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        with torch.no_grad():
            out = self.module(*(torch.from_numpy(feeds[spec.name]) for spec in self.inputs))
        out = out if isinstance(out, tuple) else (out,)
        return {spec.name: t.numpy() for spec, t in zip(self.outputs, out)}


class UNetGraph(nn.Module):
    """The U-Net on an already projected context (the text graph applies each U-Net's projection);
    a controlled one also takes one ControlNet residual per skip (zeros when no hint is given), and one
    with an IP-Adapter the image embedding and its weight (0 when no image is given)."""

    def __init__(self, unet, controlled: bool = False) -> None:
        super().__init__()
        self.unet = unet
        self.controlled = controlled
        self.with_image = unet.config.image_embedding_dim > 0

    def forward(self, sample, timestep, context, context_mask, *extra):
        control = list(extra[: len(extra) - 2]) if self.with_image else list(extra)
        image = dict(image_embeds=extra[-2], image_weight=extra[-1]) if self.with_image else {}
        return self.unet(sample, timestep, context, context_mask, project_context=False,
                         control=control if self.controlled else None, **image)

    def steps(self):
        return self.unet.steps(controlled=self.controlled, with_image=self.with_image)


class ControlNetGraph(nn.Module):
    def __init__(self, controlnet) -> None:
        super().__init__()
        self.controlnet = controlnet

    def forward(self, sample, timestep, context, context_mask, hint):
        return self.controlnet(sample, timestep, context, context_mask, hint)


def image_specs(image_dim: int) -> List[TensorSpec]:
    """An IP-Adapter U-Net's image inputs: the (mixed) image embedding and the weight of its branch."""
    if not image_dim:
        return []
    return [TensorSpec("image_embeds", "float32", ("batch", image_dim)), TensorSpec("image_weight", "float32", ("batch",))]


def control_shapes(models: Kandinsky3) -> List[Tuple[int, int]]:
    """(channels, how many times smaller than the latent) of each ControlNet residual: the skip of
    down level k is 2^(k+1) smaller."""
    return [(c, 2 ** (k + 1)) for k, c in enumerate(models.controlnet.output_channels())]


def control_specs(models: Kandinsky3) -> List[TensorSpec]:
    return [TensorSpec(name, "float32", ("batch", c, f"{name}_height", f"{name}_width"))
            for name, (c, _) in zip(models.controlnet.output_names(), control_shapes(models))]


class ImageEncoderGraph(nn.Module):
    """Reference picture (B, 3, S, S), normalised as the manifest's imageEncoder says → (B, image_embedding_dim),
    un-normalised (kandinsky3-architecture §9.1)."""

    def __init__(self, encoder) -> None:
        super().__init__()
        self.encoder = encoder

    def forward(self, image):
        return self.encoder.features(image)


class MoVQEncoderGraph(nn.Module):
    def __init__(self, movq) -> None:
        super().__init__()
        self.movq = movq

    def forward(self, image):
        return self.movq.encode(image)


class MoVQDecoderGraph(nn.Module):
    def __init__(self, movq) -> None:
        super().__init__()
        self.movq = movq

    def forward(self, latent):
        return self.movq.decode(latent)


def _text_inputs(rng, batch, text_length, vocab_size):
    """Prompts of different real lengths in one batch, padded with id 0 and masked, as the app sends them."""
    ids = rng.integers(3, vocab_size, size=(batch, text_length), dtype=np.int64)
    mask = np.ones((batch, text_length), dtype=np.int64)
    for b in range(1, batch):  # later rows are shorter, down to one real token
        real = max(1, text_length - b * max(1, text_length // 3))
        ids[b, real:] = 0
        mask[b, real:] = 0
    return ids, mask


def graphs_for(models: Kandinsky3, text_padding: str = "zero-after-projection") -> List[Graph]:
    cfg = models.config
    latent_c = cfg.movq.latent_channels
    f = cfg.movq.scale_factor
    d = cfg.unet.cross_attention_dim
    text = models.text_conditioning(text_padding).eval()
    kinds = list(models.unets.keys())

    def text_inputs(rng, batch, h, w, text_length):
        ids, mask = _text_inputs(rng, batch, text_length, cfg.text.vocab_size)
        return {"input_ids": ids, "attention_mask": mask}

    graphs = [
        Graph(
            "text_encoder", "text-encoder", text,
            [TensorSpec("input_ids", "int64", ("batch", "text_length")),
             TensorSpec("attention_mask", "int64", ("batch", "text_length"))],
            [TensorSpec(f"context_{kind}", "float32", ("batch", "text_length", d)) for kind in kinds],
            text_inputs,
            text.steps,
        )
    ]
    controlled = models.controlled_kinds()
    residuals = control_specs(models) if controlled else []

    def denoiser_inputs(rng, batch, h, w, text_length, c_in):
        _, mask = _text_inputs(rng, batch, text_length, cfg.text.vocab_size)
        context = rng.standard_normal((batch, text_length, d)).astype(np.float32) * mask[:, :, None]
        return {
            "sample": rng.standard_normal((batch, c_in, h, w)).astype(np.float32),
            "timestep": rng.uniform(0, 999, size=(batch,)).round().astype(np.float32),
            "context": context.astype(np.float32),
            "context_mask": mask,
        }

    def denoiser_specs(c_in):
        return [TensorSpec("sample", "float32", ("batch", c_in, "height", "width")),
                TensorSpec("timestep", "float32", ("batch",)),
                TensorSpec("context", "float32", ("batch", "text_length", d)),
                TensorSpec("context_mask", "int64", ("batch", "text_length"))]

    for kind, unet in models.unets.items():
        c_in = unet.config.in_channels
        takes_control = kind in controlled

        def unet_inputs(rng, batch, h, w, text_length, c_in=c_in, takes_control=takes_control,
                        image_dim=unet.config.image_embedding_dim):
            feeds = denoiser_inputs(rng, batch, h, w, text_length, c_in)
            if image_dim:  # an image embedding, at weights from 0 to 1
                feeds["image_embeds"] = rng.standard_normal((batch, image_dim)).astype(np.float32)
                feeds["image_weight"] = rng.uniform(0, 1, size=(batch,)).astype(np.float32)
            if takes_control:
                # Noise at a tenth of unit scale: the adds are exercised (not just zeros), at the size a
                # trained ControlNet's residuals have (they start at zero and stay small beside the skips).
                for spec, (channels, down) in zip(residuals, control_shapes(models)):
                    feeds[spec.name] = 0.1 * rng.standard_normal((batch, channels, h // down, w // down)).astype(np.float32)
            return feeds

        graph_module = UNetGraph(unet, takes_control).eval()
        graphs.append(Graph(
            f"unet_{kind}", "unet", graph_module,
            denoiser_specs(c_in) + (residuals if takes_control else []) + image_specs(unet.config.image_embedding_dim),
            [TensorSpec("model_output", "float32", ("batch", unet.config.out_channels, "height", "width"))],
            unet_inputs,
            graph_module.steps,
        ))
    if controlled:
        c_in = models.unets["base"].config.in_channels

        def controlnet_inputs(rng, batch, h, w, text_length):
            feeds = denoiser_inputs(rng, batch, h, w, text_length, c_in)
            feeds["hint"] = rng.uniform(0, 1, size=(batch, 3, h * f, w * f)).astype(np.float32)
            return feeds

        graphs.append(Graph(
            "controlnet", "controlnet", ControlNetGraph(models.controlnet).eval(),
            denoiser_specs(c_in) + [TensorSpec("hint", "float32", ("batch", 3, "image_height", "image_width"))],
            residuals,
            controlnet_inputs,
            models.controlnet.steps,
        ))

    def image_inputs(rng, batch, h, w, text_length):
        return {"image": rng.uniform(-1, 1, size=(batch, cfg.movq.in_channels, h * f, w * f)).astype(np.float32)}

    def latent_inputs(rng, batch, h, w, text_length):
        return {"latent": rng.standard_normal((batch, latent_c, h, w)).astype(np.float32)}

    graphs.append(Graph(
        "movq_encoder", "movq-encoder", MoVQEncoderGraph(models.movq).eval(),
        [TensorSpec("image", "float32", ("batch", cfg.movq.in_channels, "image_height", "image_width"))],
        [TensorSpec("latent", "float32", ("batch", latent_c, "latent_height", "latent_width"))],
        image_inputs,
    ))
    graphs.append(Graph(
        "movq_decoder", "movq-decoder", MoVQDecoderGraph(models.movq).eval(),
        [TensorSpec("latent", "float32", ("batch", latent_c, "latent_height", "latent_width"))],
        [TensorSpec("image", "float32", ("batch", cfg.movq.out_channels, "image_height", "image_width"))],
        latent_inputs,
    ))
    if models.image_encoder is not None:
        side = image_encoder_side(models)
        width = models.config.unet.image_embedding_dim

        def reference_images(rng, batch, h, w, text_length):
            return {"image": rng.uniform(-1, 1, size=(batch, 3, side, side)).astype(np.float32)}

        graphs.append(Graph(
            "image_encoder", "image-encoder", ImageEncoderGraph(models.image_encoder).eval(),
            [TensorSpec("image", "float32", ("batch", 3, side, side))],
            [TensorSpec("image_embeds", "float32", ("batch", width))],
            reference_images,
        ))
    if models.upscaler is not None:
        def pictures(rng, batch, h, w, text_length):
            return {"image": rng.uniform(-1, 1, size=(batch, 3, h * f, w * f)).astype(np.float32)}

        graphs.append(Graph(
            "upscaler", "upscaler", models.upscaler.eval(),
            [TensorSpec("image", "float32", ("batch", 3, "image_height", "image_width"))],
            [TensorSpec("upscaled", "float32", ("batch", 3, "upscaled_height", "upscaled_width"))],
            pictures,
        ))
    return graphs


def image_encoder_side(models: Kandinsky3) -> int:
    """The square size the image encoder takes (the worker scales reference pictures to it): 224 for
    CLIP ViT-L/14, nano's trained image size for its CNN."""
    return int(getattr(models.image_encoder, "image_size", 224))


def image_encoder_normalisation(models: Kandinsky3) -> dict:
    """Per-channel mean and std the worker applies to RGB in [0, 1]: CLIP's for the 3.1 encoder; nano's
    CNN reads [−1, 1], which is mean 0.5 and std 0.5."""
    encoder = models.image_encoder
    return {"mean": [float(v) for v in getattr(encoder, "mean", (0.5,) * 3)],
            "std": [float(v) for v in getattr(encoder, "std", (0.5,) * 3)]}


def trace_shape(models: Kandinsky3) -> Tuple[int, int, int, int]:
    """Batch 2, a non-square latent and a mid-length text, so no axis is specialised by the tracer."""
    m = models.config.unet.downsample_factor
    return 2, 2 * m, 3 * m, 5


def probe_shape(models: Kandinsky3) -> Tuple[int, int, int, int]:
    """Every axis unlike trace_shape's, down to the deepest level: which dims of a split graph's inner
    values are dynamic is read off the two."""
    m = models.config.unet.downsample_factor
    return 3, 3 * m, 4 * m, 7


def fold_probe_shape(models: Kandinsky3) -> Tuple[int, int, int, int]:
    """A third shape unlike both others on every axis (batch 1, a tall latent, a short text): shape
    arithmetic that agrees at all three is folded (model/export/fold_shapes.py)."""
    m = models.config.unet.downsample_factor
    return 1, 5 * m, 2 * m, 3


def export_onnx(graph: Graph, path: Path, feeds: Dict[str, np.ndarray]) -> None:
    dynamic_axes = {
        spec.name: {i: dim for i, dim in enumerate(spec.shape) if isinstance(dim, str)}
        for spec in graph.inputs + graph.outputs
    }
    kwargs = dict(
        input_names=[s.name for s in graph.inputs],
        output_names=[s.name for s in graph.outputs],
        dynamic_axes=dynamic_axes,
        opset_version=OPSET,
        do_constant_folding=True,
    )
    # torch ≥ 2.9 defaults to the dynamo exporter; the TorchScript one gives the same graphs on 1.13 and 2.x.
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    args = tuple(torch.from_numpy(feeds[s.name]) for s in graph.inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shape arithmetic are expected here
        torch.onnx.export(graph.module, args, str(path), **kwargs)
