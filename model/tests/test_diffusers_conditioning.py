"""Packs converted from diffusers condition as diffusers' Kandinsky3 pipeline does (kandinsky3-architecture
§5.3–5.4), in PyTorch and in ONNX through the worker's own conditioning code.

The reference below is written from the diffusers pipeline's and U-Net's behaviour, not from this
project's modules: T5 over the prompt padded to the longest length, padded rows zeroed in T5's output,
both cut to the real tokens plus one row; no prompt → a zero T5 context with an all-zero mask; a negative
prompt → encoded whole with its own mask, then cut to the prompt's rows; the U-Net projects every row
(Linear, LayerNorm) itself and adds −10000 to masked attention logits.
"""
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

import model.unet
from model.config import TINY
from model.convert.__main__ import main as convert
from model.kandinsky3 import Kandinsky3, randomize_family_
from model.tests.paths import RANDOM_PACK, REPO
from model.tests.synthetic_checkpoints import write_diffusers

LATENT = (1, TINY.movq.latent_channels, 8, 8)
TIMESTEP = 500.0


def diffusers_bias(mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return ((1.0 - mask.to(dtype)) * -10000.0)[:, None, None, :]


@pytest.fixture(scope="module")
def models() -> Kandinsky3:
    models = Kandinsky3(TINY, ["base"])
    randomize_family_(models, 5)
    # A LayerNorm bias as far from zero as trained weights have; the random pack's small biases would
    # make the projection of zero nearly zero, and the conventions nearly agree.
    with torch.no_grad():
        models.unets["base"].encoder_hid_proj.projection_norm.bias.copy_(torch.randn(TINY.unet.cross_attention_dim) * 0.5)
    return models.eval()


def padded(ids, length: int):
    row = torch.zeros(1, length, dtype=torch.long)
    row[0, : len(ids)] = torch.tensor(ids)
    mask = torch.zeros(1, length, dtype=torch.long)
    mask[0, : len(ids)] = 1
    return row, mask


@torch.no_grad()
def diffusers_prompt(models: Kandinsky3, ids):
    """T5 output of a prompt padded to the longest length, zeroed on pads, cut to its tokens + 1 row."""
    row, mask = padded(ids, TINY.max_text_length)
    hidden = models.text_encoder(row, mask) * mask[:, :, None]
    keep = min(len(ids) + 1, TINY.max_text_length)
    return hidden[:, :keep] * mask[:, :keep, None], mask[:, :keep]


@torch.no_grad()
def diffusers_negative(models: Kandinsky3, ids, rows: int):
    """A negative prompt encoded whole with its own mask, then cut to the prompt's rows."""
    row, mask = padded(ids, TINY.max_text_length)
    hidden = models.text_encoder(row, mask)
    return hidden[:, :rows] * mask[:, :rows, None], mask[:, :rows]


@torch.no_grad()
def diffusers_noise(models, sample, uncond, cond, monkeypatch) -> torch.Tensor:
    """The U-Net on the [unconditional, conditional] batch, projecting the T5 rows itself; returned in
    this project's row order, [conditional, unconditional]."""
    with monkeypatch.context() as m:
        m.setattr(model.unet, "mask_to_bias", diffusers_bias)
        context = torch.cat([uncond[0], cond[0]])
        mask = torch.cat([uncond[1], cond[1]])
        out = models.unets["base"](sample.repeat(2, 1, 1, 1), torch.full((2,), TIMESTEP), context, mask)
    return torch.stack([out[1], out[0]])


def sample() -> torch.Tensor:
    return torch.randn(LATENT, generator=torch.Generator().manual_seed(7))


@torch.no_grad()
def project_conditioning(models, ids, padding: str):
    """This project's text conditioning of one prompt cut to its tokens + 1 row, and the unconditional row
    as the worker builds it for zero-context: the projection of zero (the prompt's padded row) with
    zero-before-projection, zeros with zero-after-projection."""
    row, mask = padded(ids, min(len(ids) + 1, TINY.max_text_length))
    (context,) = models.text_conditioning(padding)(row, mask)
    uncond = context[:, len(ids):len(ids) + 1].expand_as(context) if padding == "zero-before-projection" else torch.zeros_like(context)
    return torch.cat([context, uncond]), torch.cat([mask, torch.zeros_like(mask)])


def test_pytorch_conditioning_matches_diffusers_for_a_padded_prompt_and_the_unconditional_row(models, monkeypatch):
    ids = [7, 12, 30, 1]  # three words and the EOS
    cond = diffusers_prompt(models, ids)
    uncond = (torch.zeros_like(cond[0]), torch.zeros_like(cond[1]))
    reference = diffusers_noise(models, sample(), uncond, cond, monkeypatch)

    context, mask = project_conditioning(models, ids, "zero-before-projection")
    with torch.no_grad():
        ours = models.unets["base"](sample().repeat(2, 1, 1, 1), torch.full((2,), TIMESTEP), context, mask, project_context=False)
    assert (ours - reference).abs().max() <= 1e-4

    # The original convention is measurably different on both rows, so the test can tell them apart.
    context, mask = project_conditioning(models, ids, "zero-after-projection")
    with torch.no_grad():
        original = models.unets["base"](sample().repeat(2, 1, 1, 1), torch.full((2,), TIMESTEP), context, mask, project_context=False)
    for row in range(2):
        assert (original[row] - reference[row]).abs().max() > 1e-2


def run_worker(pack: Path, tmp_path: Path, prompt: str, negative: str) -> dict:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"prompt": prompt, "negativePrompt": negative, "sample": sample().flatten().tolist(),
                                   "dims": list(LATENT), "timestep": TIMESTEP}))
    out = tmp_path / "out.json"
    subprocess.run(["npx", "tsx", "test-support/conditioned-unet-call.ts", str(pack), str(request), str(out)],
                   cwd=REPO, check=True, capture_output=True, timeout=300)
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def diffusers_pack(models, tmp_path_factory) -> Path:
    """The model written as a diffusers folder, then converted as a user's would be."""
    folder = tmp_path_factory.mktemp("diffusers")
    write_diffusers(folder / "source", models)
    assert convert([
        "--source", str(folder / "source"), "--out", str(folder), "--variants", "base", "--config", "tiny",
        "--formats", "fp32", "--ship", "fp32", "--default-size", "64", "--max-size", "64",
        "--tokenizer", str(RANDOM_PACK / "tokenizer.json"),
    ]) == 0
    pack = folder / "kandinsky3-base"
    text = json.loads((pack / "manifest.json").read_text())["text"]
    assert (text["unconditional"], text["padding"]) == ("zero-context", "zero-before-projection")
    return pack


def test_a_padded_prompt_and_the_unconditional_row_through_the_worker_match_diffusers(models, diffusers_pack, tmp_path, monkeypatch):
    worker = run_worker(diffusers_pack, tmp_path, "red apple on a table", "")
    cond = diffusers_prompt(models, worker["promptIds"])
    uncond = (torch.zeros_like(cond[0]), torch.zeros_like(cond[1]))
    reference = diffusers_noise(models, sample(), uncond, cond, monkeypatch)
    assert worker["length"] == len(worker["promptIds"]) + 1
    assert worker["mask"][worker["length"]:] == [0] * worker["length"]
    ours = torch.tensor(worker["modelOutput"]).reshape(reference.shape)
    assert (ours - reference).abs().max() <= 1e-4


def test_a_negative_prompt_longer_than_the_prompt_through_the_worker_matches_diffusers(models, diffusers_pack, tmp_path, monkeypatch):
    """diffusers encodes the negative prompt whole, then keeps the prompt's rows of it."""
    worker = run_worker(diffusers_pack, tmp_path, "red apple", "dark grey ghost skull crying sad angry")
    assert len(worker["negativeIds"]) > len(worker["promptIds"]) + 1
    cond = diffusers_prompt(models, worker["promptIds"])
    negative = diffusers_negative(models, worker["negativeIds"], cond[0].shape[1])
    reference = diffusers_noise(models, sample(), negative, cond, monkeypatch)
    assert worker["length"] == cond[0].shape[1]
    ours = torch.tensor(worker["modelOutput"]).reshape(reference.shape)
    assert (ours - reference).abs().max() <= 1e-4


def test_a_prompt_of_the_longest_length_through_the_worker_matches_diffusers(models, diffusers_pack, tmp_path, monkeypatch):
    """No padded row to take the projection of zero from: the worker encodes one for the unconditional rows."""
    worker = run_worker(diffusers_pack, tmp_path, " ".join(["red apple on a table"] * 20), "")
    assert len(worker["promptIds"]) == TINY.max_text_length == worker["length"]
    cond = diffusers_prompt(models, worker["promptIds"])
    uncond = (torch.zeros_like(cond[0]), torch.zeros_like(cond[1]))
    reference = diffusers_noise(models, sample(), uncond, cond, monkeypatch)
    ours = torch.tensor(worker["modelOutput"]).reshape(reference.shape)
    assert (ours - reference).abs().max() <= 1e-4
