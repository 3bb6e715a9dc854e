"""The nano training scripts run, checkpoint, and resume where they stopped (on a synthetic data set;
the real one is built from npm packages and is not available in CI)."""
import json

import numpy as np
import pytest
import torch

from model.nano import dataset, export_pack, train_autoencoder, train_base
from model.nano.captions import caption, nano_vocab, training_caption
from model.nano.masks import random_keep_mask


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory):
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("data") / "nano.npz"
    labels = np.array(["red apple", "cat face", "rocket"])
    np.savez(
        path,
        images=rng.integers(0, 256, (12, 64, 64, 3), dtype=np.uint8),
        concept=np.arange(12, dtype=np.int32) % 3,
        style=(np.arange(12) % 3).astype(np.int8),
        heldout=np.array([0] * 11 + [1], dtype=np.int8),
        concepts=np.array(["1F34E", "1F431", "1F680"]),
        labels=labels,
        tags=np.array([json.dumps(["fruit"]), json.dumps(["pet"]), json.dumps(["space"])]),
        styles=np.array(dataset.STYLES),
    )
    return path


def test_autoencoder_then_base_train_checkpoint_and_resume(tmp_path, tiny_dataset, monkeypatch):
    movq = tmp_path / "movq.pt"
    common = ["--dataset", str(tiny_dataset), "--batch", "4", "--init", ""]
    assert train_autoencoder.main([*common, "--max-steps", "2", "--checkpoint", str(movq)]) == 0
    assert torch.load(movq)["step"] == 2
    assert train_autoencoder.main([*common, "--max-steps", "3", "--checkpoint", str(movq)]) == 0
    assert torch.load(movq)["step"] == 3  # resumed, not restarted

    base = tmp_path / "base.pt"
    args = [*common, "--movq", str(movq), "--checkpoint", str(base)]
    assert train_base.main([*args, "--max-steps", "2"]) == 0
    state = torch.load(base)
    assert state["step"] == 2 and state["prediction_type"] == "v_prediction"
    assert not any(k.startswith("movq.") for k in state["model"])  # the autoencoder has its own checkpoint
    assert state["latent"]["scale"] > 0
    assert train_base.main([*args, "--max-steps", "3"]) == 0
    assert torch.load(base)["step"] == 3

    # Inpainting starts from the base weights with conv_in widened to 9 channels, then trains and resumes.
    inpainting = tmp_path / "inpainting.pt"
    inpaint_args = ["--dataset", str(tiny_dataset), "--batch", "4", "--movq", str(movq), "--unet", "inpainting",
                    "--init", str(base), "--checkpoint", str(inpainting)]
    assert train_base.main([*inpaint_args, "--max-steps", "2"]) == 0
    state = torch.load(inpainting)
    assert state["step"] == 2
    conv_in = state["model"]["unets.inpainting.conv_in.weight"]
    assert conv_in.shape[1] == 9
    base_conv_in = torch.load(base)["model"]["unets.base.conv_in.weight"]
    assert (conv_in[:, :4] - base_conv_in).abs().max() < 0.05  # two small steps away from the base weights
    assert train_base.main([*inpaint_args, "--max-steps", "3"]) == 0
    assert torch.load(inpainting)["step"] == 3

    # The checkpoints assemble into one model family for the pack, with the nano conventions.
    models, meta = export_pack.assemble(movq, {"base": base, "inpainting": inpainting})
    assert set(models.unets) == {"base", "inpainting"}
    assert torch.equal(models.unets["inpainting"].conv_in.weight, torch.load(inpainting)["ema"]["unets.inpainting.conv_in.weight"])
    captured = {}
    monkeypatch.setattr(export_pack, "export_pack", lambda m, out, tok, options: captured.update(options=options, tok=tok) or {"files": []})
    assert export_pack.main(["--out", str(tmp_path / "pack"), "--movq", str(movq), "--base", str(base), "--inpainting", str(inpainting)]) == 0
    options = captured["options"]
    assert options.prediction_type == "v_prediction" and options.weights == "trained"
    assert (options.latent_scale, options.latent_shift) == (meta["latent"]["scale"], meta["latent"]["shift"])
    assert options.default_size == 64 and options.unconditional == "empty-prompt"
    assert {c["license"] for c in options.credits} >= {"Apache-2.0", "CC-BY-4.0", "MIT"}
    assert json.loads(captured["tok"])["model"]["type"] == "WordPiece"


def test_masks_keep_polarity_and_cover_every_kind():
    rng = np.random.default_rng(0)
    masks = [random_keep_mask(rng) for _ in range(400)]
    assert all(m.shape == (64, 64) and set(np.unique(m)) <= {0.0, 1.0} for m in masks)
    generated = np.array([1 - m.mean() for m in masks])
    assert (generated == 1).mean() == pytest.approx(0.1, abs=0.05)  # "everything": text-to-image
    assert ((generated > 0) & (generated < 1)).mean() > 0.8  # partial masks keep some pixels


def test_heldout_rule_is_deterministic_and_rare():
    codes = [f"1F{i:03X}" for i in range(2000)]
    held = [(c, s) for c in codes for s in dataset.STYLES if dataset.is_heldout(c, s)]
    assert held == [(c, s) for c in codes for s in dataset.STYLES if dataset.is_heldout(c, s)]
    assert 0.01 < len(held) / len(codes) < 0.05
    assert all(sum(dataset.is_heldout(c, s) for s in dataset.STYLES) <= 1 for c in codes)  # one style per concept


def test_captions_and_vocabulary():
    assert caption("red apple", "3d") == "red apple, 3d style"
    assert dataset.concept_code("2764-fe0f") == "2764"
    rng = np.random.default_rng(1)
    seen = {training_caption(rng, "red apple", json.dumps(["fruit", "red"]), "noto") for _ in range(300)}
    assert "" in seen and "red apple, noto style" in seen and "red apple, fruit, noto style" in seen
    vocab = nano_vocab(["red apple"], [json.dumps(["fruit"])], ["noto", "3d"])
    assert {"red", "apple", "fruit", "noto", "3d", "style"} <= set(vocab)


def test_a_grown_vocabulary_keeps_every_known_word_embedding():
    old = ["[PAD]", "style", "noto", "red", "apple"]
    new = ["[PAD]", "style", "noto", "flat", "red", "apple", "pear"]
    table = torch.arange(8 * 3, dtype=torch.float32).reshape(8, 3)  # 8 rows: the encoder's table is larger than the vocabulary
    weights = {"text_encoder.shared.weight": table, "unets.base.conv_in.weight": torch.ones(2)}
    carried = train_base.carry_vocabulary(weights, old, new)["text_encoder.shared.weight"]
    assert carried.shape == table.shape
    for i, word in enumerate(new):
        if word in old:
            assert torch.equal(carried[i], table[old.index(word)]), word
    assert not any(torch.equal(carried[new.index("flat")], row) for row in table)  # a new word starts fresh
    assert train_base.carry_vocabulary(weights, old, new)["unets.base.conv_in.weight"] is weights["unets.base.conv_in.weight"]


def test_decoder_fine_tune_leaves_the_encoder_and_so_the_latents_alone(tmp_path, tiny_dataset):
    movq = tmp_path / "movq.pt"
    common = ["--dataset", str(tiny_dataset), "--batch", "4"]
    assert train_autoencoder.main([*common, "--init", "", "--max-steps", "2", "--checkpoint", str(movq)]) == 0
    robust = tmp_path / "robust.pt"
    assert train_autoencoder.main([*common, "--init", str(movq), "--max-steps", "4", "--decoder-only", "--latent-noise", "0.3",
                                   "--checkpoint", str(robust)]) == 0
    before, after = torch.load(movq)["ema"], torch.load(robust)["ema"]
    encoder_side = [k for k in before if k.startswith(("encoder.", "quant_conv."))]
    assert encoder_side and all(torch.equal(before[k], after[k]) for k in encoder_side)
    assert any(not torch.equal(before[k], after[k]) for k in before if k.startswith("decoder."))
    assert torch.load(robust)["decoder_only"] and torch.load(robust)["latent_noise"] == 0.3

    # The latent cache is keyed by the encoder side, so the fine-tuned decoder reuses the latents.
    images = np.load(tiny_dataset)["images"]
    cache = tmp_path / "latents"
    first = train_base.encode_latents(movq, images, "cpu", cache)
    assert len(list(cache.iterdir())) == 1
    np.testing.assert_array_equal(train_base.encode_latents(robust, images, "cpu", cache), first)
    assert len(list(cache.iterdir())) == 1
    np.testing.assert_allclose(train_base.encode_latents(movq, images, "cpu"), first, atol=1e-6)  # no cache: the same latents


def test_iconify_names_and_the_heldout_pairs_of_the_first_data_set():
    assert dataset.slug("flag: Japan") == "flag-japan"
    assert dataset.slug("woman’s hat") == "womans-hat"
    assert dataset.HELDOUT_STYLES == ("noto", "twemoji", "3d")  # the rule picks among the first data set's styles only
    codes = [f"1F{i:03X}" for i in range(2000)]
    assert not any(dataset.is_heldout(c, s) for c in codes for s in dataset.STYLES[3:])
    pairs = dataset.committed_pairs()
    assert len(pairs) == 85 and {s for _, s in pairs} <= set(dataset.HELDOUT_STYLES)


def test_a_seed_keeps_the_ema_in_fp16_for_base_and_flash_checkpoints():
    from model.nano.seed_weights import seed_of

    w = {"w": torch.ones(2)}
    base = {"model": {"w": torch.zeros(2)}, "ema": w, "optimizer": {}, "step": 5}
    # A Flash checkpoint has a student, its EMA and discriminator heads, and no "model".
    flash = {"student": {"w": torch.zeros(2)}, "ema": w, "heads": {"h": torch.ones(1)}, "opt_g": {}, "opt_d": {}, "step": 7}
    for state in (base, flash):
        seed = seed_of(state)
        assert seed["model"]["w"].dtype == torch.float16 and seed["model"]["w"].sum() == 2  # the EMA, not the live weights
        assert not {"optimizer", "opt_g", "opt_d", "student"} & seed.keys()
    assert seed_of(flash)["heads"]["h"].dtype == torch.float16
    assert seed_of({"model": w, "step": 1})["model"]["w"].sum() == 2  # weights-only parts (no EMA)
