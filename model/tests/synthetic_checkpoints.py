"""Synthetic checkpoints in the two released layouts (kandinsky3-architecture §1), written from this package's modules
by running the name tables backwards; test_convert checks the tables against the reference's own key
examples, so these files have the released names."""
import json
from pathlib import Path
from typing import Dict, Iterable, Optional

import torch

from model.convert.name_rules import MOVQ_RULES, PROJECTION_RULES, UNET_RULES, NameMap, is_movq_attention_weight
from model.convert.safetensors_io import write_safetensors
from model.kandinsky3 import Kandinsky3
from model.word_tokenizer import build_vocab, tokenizer_json

ORIGINAL_FILES = {"base": "kandinsky3.pt", "flash": "kandinsky3_flash.pt", "inpainting": "kandinsky3_inpainting.pt"}
PROJECTION_FILES = {"base": "projection.pt", "flash": "projection_flash.pt", "inpainting": "projection_inpainting.pt"}


def tokenizer() -> str:
    return tokenizer_json(build_vocab("a red apple cat face smiling noto style".split()))


def write_original(folder: Path, model: Kandinsky3, null_embeddings: Dict[str, torch.Tensor],
                   drop: Iterable[str] = (), extra: Optional[dict] = None) -> None:
    """The ai-forever layout: one .pt per U-Net with its null_embedding, movq.pt, and flan_ul2_encoder/
    with the T5 weights (the tied embedding saved twice, as transformers .bin files do) and projections."""
    unet_map, projection_map = NameMap("unet", UNET_RULES), NameMap("projection", PROJECTION_RULES)
    movq_map = NameMap("movq", MOVQ_RULES, last=len(model.config.movq.block_out_channels) - 1)
    text_dir = folder / "flan_ul2_encoder"
    text_dir.mkdir(parents=True)
    for kind, unet_module in model.unets.items():
        state = unet_module.state_dict()
        unet = {unet_map.to_original(k): v for k, v in state.items() if not k.startswith("encoder_hid_proj.")}
        for key in drop:
            unet.pop(key)
        unet.update(extra or {})
        torch.save({"unet": unet, "null_embedding": null_embeddings[kind]}, folder / ORIGINAL_FILES[kind])
        projection = {projection_map.to_original(k): v for k, v in state.items() if k.startswith("encoder_hid_proj.")}
        torch.save(projection, text_dir / PROJECTION_FILES[kind])
    movq = {}
    for key, value in model.movq.state_dict().items():
        movq[movq_map.to_original(key)] = value[:, :, None, None] if is_movq_attention_weight(key) else value
    torch.save(movq, folder / "movq.pt")
    text = dict(model.text_encoder.state_dict())
    text["encoder.embed_tokens.weight"] = text["shared.weight"]
    torch.save(text, text_dir / "pytorch_model.bin")
    (text_dir / "tokenizer.json").write_text(tokenizer())


def write_diffusers(folder: Path, model: Kandinsky3) -> None:
    """kandinsky-community layout: safetensors, the text encoder in two shards with an index."""
    for name, state in (("unet", model.unets["base"].state_dict()), ("movq", model.movq.state_dict())):
        (folder / name).mkdir(parents=True)
        write_safetensors(folder / name / "diffusion_pytorch_model.safetensors", state)
    text_dir = folder / "text_encoder"
    text_dir.mkdir()
    keys = list(model.text_encoder.state_dict().items())
    shards = {"model-00001-of-00002.safetensors": dict(keys[: len(keys) // 2]),
              "model-00002-of-00002.safetensors": dict(keys[len(keys) // 2:])}
    for shard, tensors in shards.items():
        write_safetensors(text_dir / shard, tensors)
    index = {"weight_map": {k: shard for shard, tensors in shards.items() for k in tensors}}
    (text_dir / "model.safetensors.index.json").write_text(json.dumps(index))
    (folder / "tokenizer").mkdir()
    (folder / "tokenizer" / "tokenizer.json").write_text(tokenizer())


def write_ip_adapter(folder: Path, config, drop: Iterable[str] = ()) -> None:
    """The Hub's kandinsky3_ip_adapter layout at `config` with image_embedding_dim 16: unet/ (one torch file
    in the fork's U-Net names, with image_proj, image_norm and the processors, without the text
    projection, which the fork keeps apart) and image_encoder/ (a small CLIP in transformers' names, with
    its config.json)."""
    from model.clip_vision import CLIPVisionConfig, CLIPVisionEncoder
    from model.kandinsky3 import randomize_
    from model.unet import Kandinsky3UNet

    unet = randomize_(Kandinsky3UNet(config.with_unet(image_embedding_dim=16).unet), 13)
    names = NameMap("unet", UNET_RULES)
    fork = {names.to_original(k): v for k, v in unet.state_dict().items() if not k.startswith("encoder_hid_proj.")}
    for key in drop:
        fork.pop(key)
    (folder / "unet").mkdir(parents=True)
    torch.save(fork, folder / "unet" / "kandinsky3_ip_adapter.pt")
    clip = CLIPVisionConfig(image_size=28, patch_size=14, hidden_size=32, layers=2, heads=4, intermediate_size=64, projection_dim=16)
    (folder / "image_encoder").mkdir()
    write_safetensors(folder / "image_encoder" / "model.safetensors", randomize_(CLIPVisionEncoder(clip), 14).state_dict())
    (folder / "image_encoder" / "config.json").write_text(json.dumps({"num_attention_heads": 4, "image_size": 28, "patch_size": 14}))
