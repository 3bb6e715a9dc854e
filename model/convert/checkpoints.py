"""Reading a released Kandinsky 3 checkpoint in either layout (kandinsky3-architecture §1) into state dicts with
the diffusers names this package's modules use.

- diffusers (kandinsky-community/kandinsky-3): folders `unet/`, `text_encoder/`, `movq/`, `tokenizer/`;
  safetensors or .bin, single or sharded (`*.index.json`), optionally the `fp16` variant. The text
  projection lives inside the U-Net. One U-Net: base.
- original (ai-forever/Kandinsky3.1 `weights/`): `kandinsky3.pt`, `kandinsky3_flash.pt`,
  `kandinsky3_inpainting.pt` (each a dict with `unet` and `null_embedding`), `movq.pt`, and
  `flan_ul2_encoder/` (a transformers T5 encoder, plus `projection.pt`, `projection_flash.pt`,
  `projection_inpainting.pt`). Kandinsky 3.0 files keep the projection inside as `projections.t5.*`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import torch

from .name_rules import (MOVQ_RULES, PROJECTION_30_RULES, PROJECTION_FORK_RULES, PROJECTION_RULES, UNET_RULES,
                         NameMap, is_movq_attention_weight)
from .safetensors_io import read_safetensors

ORIGINAL_UNET_FILES = {"base": "kandinsky3.pt", "flash": "kandinsky3_flash.pt", "inpainting": "kandinsky3_inpainting.pt"}
ORIGINAL_PROJECTION_FILES = {"base": "projection.pt", "flash": "projection_flash.pt", "inpainting": "projection_inpainting.pt"}


class CheckpointError(ValueError):
    """A checkpoint that cannot be converted; the message names the file or keys and what to do."""


@dataclass
class IPAdapterCheckpoint:
    unet: Dict[str, torch.Tensor]  # the whole U-Net: the base weights, image_proj, image_norm, IP layers
    image_encoder: Dict[str, torch.Tensor]  # transformers' CLIPVisionModelWithProjection names
    image_encoder_config: dict  # its config.json, {} when the folder has none
    processor_config: dict  # image_processor/preprocessor_config.json, {} when the folder has none


@dataclass
class Checkpoint:
    layout: str  # "diffusers" | "original"
    unets: Dict[str, Dict[str, torch.Tensor]]
    text_encoder: Dict[str, torch.Tensor]
    movq: Dict[str, torch.Tensor]
    # Per U-Net kind, the original unconditional row (kandinsky3-architecture §5.4); none in the diffusers layout.
    null_embeddings: Dict[str, torch.Tensor] = field(default_factory=dict)
    tokenizer_json: Optional[Path] = None
    # The rule tables that renamed this checkpoint's keys, for the coverage report.
    name_maps: List[NameMap] = field(default_factory=list)
    # The 3.1 HED ControlNet (fork `UNetKandi3Controlnet`), renamed; it drives the base U-Net.
    controlnet: Optional[Dict[str, torch.Tensor]] = None
    # The 3.1 IP-Adapter (kandinsky3-architecture §9.1): its U-Net, renamed, which takes the base U-Net's place.
    ip_adapter: Optional[IPAdapterCheckpoint] = None

    @property
    def unconditional(self) -> str:
        """kandinsky3-architecture §5.4: the original convention for ai-forever weights, the diffusers one for diffusers weights."""
        return "null-embedding" if self.layout == "original" else "zero-context"

    @property
    def text_padding(self) -> str:
        """kandinsky3-architecture §5.3: diffusers zeroes padded T5 rows before its U-Net's projection, the original
        after; each layout's pack conditions as its own reference does."""
        return "zero-after-projection" if self.layout == "original" else "zero-before-projection"


def detect_layout(source: Path) -> str:
    if (source / "unet").is_dir() and (source / "movq").is_dir():
        return "diffusers"
    if any((source / name).is_file() for name in ORIGINAL_UNET_FILES.values()) or (source / "movq.pt").is_file():
        return "original"
    raise CheckpointError(
        f"{source} is neither a diffusers folder (unet/, text_encoder/, movq/) nor an ai-forever weights folder "
        f"({', '.join(ORIGINAL_UNET_FILES.values())}, movq.pt, flan_ul2_encoder/)."
    )


def _load_file(path: Path) -> Dict[str, torch.Tensor]:
    if path.suffix == ".safetensors":
        return read_safetensors(path)
    try:
        return torch.load(path, map_location="cpu")
    except Exception as e:  # torch raises many kinds for a damaged zip or pickle
        raise CheckpointError(f"{path}: not a readable torch checkpoint ({type(e).__name__}: {e})") from None


def read_weights_folder(folder: Path, variant: Optional[str] = None) -> Dict[str, torch.Tensor]:
    """A diffusers/transformers weights folder: one file or shards listed in an index; safetensors first."""
    if not folder.is_dir():
        raise CheckpointError(f"{folder} is missing")
    infix = f".{variant}" if variant else ""
    for stem in ("diffusion_pytorch_model", "model", "pytorch_model"):
        for ext in ("safetensors", "bin"):
            index = folder / f"{stem}{infix}.{ext}.index.json"
            if index.is_file():
                shards = sorted(set(json.loads(index.read_text())["weight_map"].values()))
                out: Dict[str, torch.Tensor] = {}
                for shard in shards:
                    out.update(_load_file(folder / shard))
                return out
            single = folder / f"{stem}{infix}.{ext}"
            if single.is_file():
                return _load_file(single)
    raise CheckpointError(f"{folder} has no weights{f' in the {variant} variant' if variant else ''} (safetensors or .bin)")


def _renamed(state: Dict[str, torch.Tensor], name_map: NameMap) -> Dict[str, torch.Tensor]:
    out = {}
    for key, value in state.items():
        new = name_map.to_diffusers(key)
        if new in out:
            raise CheckpointError(f"two keys map to {new}: the name rules do not fit this checkpoint ({key})")
        out[new] = value
    return out


def read_controlnet(path: Path) -> Dict[str, torch.Tensor]:
    """The fork's ControlNet weights (kandinsky3-architecture §3.3: the U-Net's original grammar for the copied parts,
    plus `input_hint_block.*` and `convs.*`), from one file or a diffusers-style folder, renamed by the
    U-Net's rules (the hint block and zero convs keep their names)."""
    if path.is_dir():
        state = read_weights_folder(path)
    elif path.is_file():
        state = _load_file(path)
    else:
        raise CheckpointError(f"{path} is missing: pass the ControlNet's weights file or folder")
    for wrapper in ("controlnet", "unet", "state_dict"):
        if isinstance(state.get(wrapper), dict):
            state = state[wrapper]
    if not any(k.startswith("input_hint_block.") for k in state):
        raise CheckpointError(f"{path}: no input_hint_block.* keys, so this is not a Kandinsky 3.1 ControlNet")
    return _renamed(state, NameMap("controlnet", UNET_RULES))


def _one_weights_file(folder: Path) -> Dict[str, torch.Tensor]:
    """A diffusers/transformers weights folder, or a folder holding one file in any name (the fork saves
    its U-Nets as single torch files)."""
    try:
        return read_weights_folder(folder)
    except CheckpointError:
        files = sorted(p for p in folder.iterdir() if p.suffix in (".safetensors", ".bin", ".pt", ".ckpt", ".pth"))
        if len(files) != 1:
            raise CheckpointError(f"{folder}: expected one weights file, found {len(files)}") from None
        return _load_file(files[0])


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text()) if path.is_file() else {}
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{path}: not valid JSON ({e})") from None


def read_ip_adapter(path: Path) -> IPAdapterCheckpoint:
    """The 3.1 IP-Adapter as the Hub's ai-forever/kandinsky3_ip_adapter holds it: `unet/` (fork
    `UNetKandi3IpAdapter`: the U-Net's original grammar plus `image_proj`, `image_norm` and each
    cross-attention's `processor.{to_key_ip, to_v_ip, to_out_ip}`; renamed by the U-Net's rules) and
    `image_encoder/` (transformers' CLIPVisionModelWithProjection, names kept), with their configs."""
    if not path.is_dir():
        raise CheckpointError(f"{path} is missing: pass the IP-Adapter folder (with unet/ and image_encoder/)")
    for sub in ("unet", "image_encoder"):
        if not (path / sub).is_dir():
            raise CheckpointError(f"{path} has no {sub}/ folder: pass the IP-Adapter folder (with unet/ and image_encoder/)")
    state = _one_weights_file(path / "unet")
    for wrapper in ("unet", "state_dict"):
        if isinstance(state.get(wrapper), dict):
            state = state[wrapper]
    if not any(".processor.to_key_ip." in k for k in state) or "image_proj.weight" not in state:
        raise CheckpointError(f"{path / 'unet'}: no image_proj or processor.to_key_ip keys, so this is not a Kandinsky 3.1 IP-Adapter U-Net")
    encoder = dict(read_weights_folder(path / "image_encoder"))
    encoder.pop("vision_model.embeddings.position_ids", None)  # a buffer older transformers saved
    if "visual_projection.weight" not in encoder:
        raise CheckpointError(f"{path / 'image_encoder'}: no visual_projection.weight, so this is not a CLIPVisionModelWithProjection")
    return IPAdapterCheckpoint(_renamed(state, NameMap("ip-adapter unet", UNET_RULES)), encoder,
                               _json(path / "image_encoder" / "config.json"),
                               _json(path / "image_processor" / "preprocessor_config.json"))


def read_checkpoint(source: Path, kinds: List[str], variant: Optional[str] = None) -> Checkpoint:
    layout = detect_layout(source)
    if layout == "diffusers":
        if kinds != ["base"]:
            raise CheckpointError("a diffusers folder holds only the base U-Net: use --variants base")
        tokenizer = source / "tokenizer" / "tokenizer.json"
        return Checkpoint(
            layout,
            unets={"base": read_weights_folder(source / "unet", variant)},
            text_encoder=read_weights_folder(source / "text_encoder", variant),
            movq=read_weights_folder(source / "movq", variant),
            tokenizer_json=tokenizer if tokenizer.is_file() else None,
        )

    unet_map = NameMap("unet", UNET_RULES)
    projection_map = NameMap("projection", PROJECTION_RULES)
    projection_30_map = NameMap("projection (3.0)", PROJECTION_30_RULES)
    projection_fork_map = NameMap("projection (fork)", PROJECTION_FORK_RULES)
    unets, nulls = {}, {}
    text_dir = source / "flan_ul2_encoder"
    for kind in kinds:
        path = source / ORIGINAL_UNET_FILES[kind]
        if not path.is_file():
            raise CheckpointError(f"{path} is missing: the {kind} U-Net cannot be converted without it")
        bundle = _load_file(path)
        if not isinstance(bundle, dict) or "unet" not in bundle:
            raise CheckpointError(f"{path}: expected a dict with 'unet' (and 'null_embedding'), found {sorted(bundle)[:5]}")
        state = dict(bundle["unet"])
        # The projection inside the U-Net dict: 3.0 (`projections.t5.*`, or beside it) or the fork.
        inner_30 = {k: state.pop(k) for k in [k for k in state if k.startswith("projections.")]}
        if isinstance(bundle.get("projections"), dict):
            inner_30.update({f"projections.{k}": v for k, v in bundle["projections"].items()})
        inner_fork = {k: state.pop(k) for k in [k for k in state if k.startswith(("projection_lin.", "projection_ln."))]}
        renamed = _renamed(state, unet_map)
        if inner_30 or inner_fork:
            renamed.update(_renamed(inner_30, projection_30_map))
            renamed.update(_renamed(inner_fork, projection_fork_map))
        else:
            projection = text_dir / ORIGINAL_PROJECTION_FILES[kind]
            if not projection.is_file():
                raise CheckpointError(f"{projection} is missing: each U-Net has its own text projection")
            renamed.update(_renamed(_load_file(projection), projection_map))
        unets[kind] = renamed
        if "null_embedding" in bundle:
            nulls[kind] = torch.as_tensor(bundle["null_embedding"]).reshape(-1).float()

    movq_map = NameMap("movq", MOVQ_RULES)
    movq_path = source / "movq.pt"
    if not movq_path.is_file():
        raise CheckpointError(f"{movq_path} is missing")
    movq_raw = _load_file(movq_path)
    levels = 1 + max(int(k.split(".")[2]) for k in movq_raw if k.startswith("decoder.up."))
    movq_map.last = levels - 1
    movq = {}
    for key, value in _renamed(movq_raw, movq_map).items():
        movq[key] = value.reshape(value.shape[:2]) if is_movq_attention_weight(key) and value.dim() == 4 else value
    tokenizer = text_dir / "tokenizer.json"
    return Checkpoint(
        layout,
        unets=unets,
        text_encoder=read_weights_folder(text_dir),
        movq=movq,
        null_embeddings=nulls,
        tokenizer_json=tokenizer if tokenizer.is_file() else None,
        name_maps=[unet_map, projection_map, projection_30_map, projection_fork_map, movq_map],
    )
