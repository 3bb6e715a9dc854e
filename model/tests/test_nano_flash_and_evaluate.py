"""Flash distillation and the evaluation command, end to end on a synthetic data set (CI has no emoji
data): the Flash script trains, checkpoints and resumes with its discriminator; the evaluation runs
its tiny subset and writes the results table; its pieces agree with closed forms and with the export."""
import json

import numpy as np
import pytest
import torch

from model.config import NANO
from model.export.weight_formats import _quantize_int8
from model.kandinsky3 import Kandinsky3
from model.nano import classifier, dataset, evaluate, train_autoencoder, train_base, train_flash
from model.nano.discriminator import DownPathDiscriminator


@pytest.fixture(scope="module")
def family(tmp_path_factory):
    """A synthetic data set and 2-step autoencoder, base and classifier checkpoints."""
    tmp = tmp_path_factory.mktemp("family")
    rng = np.random.default_rng(0)
    data = tmp / "nano.npz"
    np.savez(
        data,
        images=rng.integers(0, 256, (12, 64, 64, 3), dtype=np.uint8),
        concept=np.arange(12, dtype=np.int32) % 3,
        style=(np.arange(12) % 3).astype(np.int8),
        heldout=np.array([0] * 8 + [1] * 4, dtype=np.int8),
        concepts=np.array(["1F34E", "1F431", "1F680"]),
        labels=np.array(["red apple", "cat face", "rocket"]),
        tags=np.array([json.dumps(["fruit"]), json.dumps(["pet"]), json.dumps(["space"])]),
        styles=np.array(dataset.STYLES),
    )
    common = ["--dataset", str(data), "--batch", "4", "--max-steps", "2"]
    paths = {"data": data, "movq": tmp / "movq.pt", "base": tmp / "base.pt", "classifier": tmp / "classifier.pt"}
    assert train_autoencoder.main([*common, "--init", "", "--checkpoint", str(paths["movq"])]) == 0
    assert train_base.main([*common, "--init", "", "--movq", str(paths["movq"]), "--checkpoint", str(paths["base"])]) == 0
    assert classifier.main([*common, "--checkpoint", str(paths["classifier"])]) == 0
    return paths


def test_flash_inpainting_distils_the_inpainting_unet_with_its_extra_channels(tmp_path, family):
    inpainting = tmp_path / "inpainting.pt"
    assert train_base.main(["--dataset", str(family["data"]), "--batch", "3", "--max-steps", "1", "--unet", "inpainting",
                            "--movq", str(family["movq"]), "--init", str(family["base"]), "--checkpoint", str(inpainting)]) == 0
    student = tmp_path / "inpainting_flash.pt"
    args = ["--dataset", str(family["data"]), "--batch", "3", "--unet", "inpainting_flash", "--movq", str(family["movq"]),
            "--base", str(inpainting), "--checkpoint", str(student), "--init", ""]
    assert train_flash.main([*args, "--max-steps", "1"]) == 0
    state = torch.load(student)
    assert state["unet"] == "inpainting_flash" and state["student"]["conv_in.weight"].shape[1] == 9
    teacher = torch.load(inpainting)["ema"]
    assert 0 < max((v - teacher["unets.inpainting." + k]).abs().max().item() for k, v in state["student"].items()) < 0.1
    assert train_flash.main([*args, "--max-steps", "2"]) == 0
    assert torch.load(student)["step"] == 2

    # The pack carries both inpainting U-Nets, the distilled one marked with the Flash steps.
    from model.nano.export_pack import assemble

    models, _ = assemble(family["movq"], {"base": family["base"], "inpainting": inpainting, "inpainting_flash": student})
    assert set(models.unets) == {"base", "inpainting", "inpainting_flash"}
    assert torch.equal(models.unets["inpainting_flash"].conv_in.weight, torch.load(student)["ema"]["conv_in.weight"].float())


def test_flash_distillation_trains_the_student_only_and_resumes(tmp_path, family):
    flash = tmp_path / "flash.pt"
    args = ["--dataset", str(family["data"]), "--batch", "3", "--movq", str(family["movq"]), "--base", str(family["base"]),
            "--checkpoint", str(flash), "--init", ""]
    assert train_flash.main([*args, "--max-steps", "2"]) == 0
    state = torch.load(flash)
    assert state["step"] == 2 and state["losses"]["distill_weight"] > 0 and state["losses"]["regression_weight"] > 0
    base = torch.load(family["base"])["ema"]
    student = state["student"]
    # The student started as the base U-Net and has moved; the discriminator heads learned too.
    assert set(student) == {k[len("unets.base."):] for k in base if k.startswith("unets.base.")}
    moved = max((student[k] - base["unets.base." + k]).abs().max().item() for k in student)
    assert 0 < moved < 0.1
    assert state["heads"] and state["opt_d"]["state"]
    assert train_flash.main([*args, "--max-steps", "3", "--distill-weight", "0"]) == 0
    assert torch.load(flash)["step"] == 3


def test_flash_goes_on_from_its_committed_seed_without_a_checkpoint_or_init(tmp_path, family):
    """Without --init, a new checkpoint starts from the committed Flash weights (the tests above pass
    --init '' to start from the teacher instead)."""
    from model.nano.training import SEED_WEIGHTS

    seed = torch.load(SEED_WEIGHTS / "nano-flash.fp16.pt")
    flash = tmp_path / "flash.pt"
    assert train_flash.main(["--dataset", str(family["data"]), "--batch", "2", "--max-steps", "1", "--movq", str(family["movq"]),
                             "--base", str(family["base"]), "--checkpoint", str(flash)]) == 0
    state = torch.load(flash)
    assert state["step"] == seed["step"] > 1
    assert torch.equal(state["ema"]["conv_in.weight"], seed["model"]["conv_in.weight"].float())  # a seed keeps its EMA as "model"


def test_discriminator_trunk_is_the_frozen_down_path_with_a_head_per_level():
    models = Kandinsky3(NANO, ("base",))
    disc = DownPathDiscriminator(models.unets["base"])
    assert len(disc.heads) == len(NANO.unet.block_out_channels)
    trunk = [p for n, p in disc.named_parameters() if not n.startswith("heads.")]
    assert trunk and not any(p.requires_grad for p in trunk)
    assert all(p.requires_grad for p in disc.heads.parameters())
    x = torch.randn(2, 4, 16, 16, requires_grad=True)
    context, mask = torch.randn(2, 5, NANO.unet.cross_attention_dim), torch.ones(2, 5, dtype=torch.long)
    logits = disc(x, torch.tensor([10.0, 500.0]), context, mask)
    assert [tuple(l.shape) for l in logits] == [(2, 1, 8, 8), (2, 1, 4, 4), (2, 1, 4, 4)]
    sum(l.sum() for l in logits).backward()
    assert x.grad is not None and x.grad.abs().sum() > 0  # the generator's gradient flows through the frozen trunk


def tables(text: str) -> list:
    """The markdown tables of a results file, each as its rows of cells (header and rule left out)."""
    found, current = [], None
    for line in text.splitlines():
        if line.startswith("| "):
            current = [] if current is None else current
            if "---" not in line:
                current.append([c.strip() for c in line.strip("| ").split(" | ")])
        elif current is not None:
            found.append(current[1:])
            current = None
    return found + ([current[1:]] if current is not None else [])


def test_evaluation_tiny_subset_writes_every_row(tmp_path, family):
    flash = tmp_path / "flash.pt"
    assert train_flash.main(["--dataset", str(family["data"]), "--batch", "2", "--max-steps", "1", "--movq", str(family["movq"]),
                             "--base", str(family["base"]), "--checkpoint", str(flash), "--init", ""]) == 0
    # A second autoencoder for the texture ablation: its decoder also decodes the base and Flash rows.
    other_movq = tmp_path / "movq-decoder.pt"
    assert train_autoencoder.main(["--dataset", str(family["data"]), "--batch", "4", "--max-steps", "1", "--decoder-only",
                                   "--latent-noise", "0.3", "--init", str(family["movq"]), "--checkpoint", str(other_movq)]) == 0
    out = tmp_path / "results.md"
    assert evaluate.main(["--tiny", "--dataset", str(family["data"]), "--classifier", str(family["classifier"]),
                          "--movq", str(family["movq"]), "--base", str(family["base"]), "--flash", str(flash),
                          "--extra-movq", f"robust={other_movq}", "--out", str(out)]) == 0
    main, per_style = tables(out.read_text())[:2]
    names = [
        "reference: real images (accuracy: the held-out images; KID, FID: other pairs)",
        evaluate.RECONSTRUCTION, evaluate.RECONSTRUCTION + ", latents + noise 0.1", evaluate.RECONSTRUCTION + ", latents + noise 0.2",
        evaluate.RECONSTRUCTION + " (decoder: robust)", evaluate.RECONSTRUCTION + ", latents + noise 0.1 (decoder: robust)",
        evaluate.RECONSTRUCTION + ", latents + noise 0.2 (decoder: robust)",
        "base, 10 steps, guidance 3", "base, 10 steps, guidance 3 (decoder: robust)", "base, 5 steps, guidance 3",
        "Flash, 4 steps", "Flash, 4 steps (decoder: robust)", "Flash int8w, 4 steps", "undistilled: base U-Net, Flash sampler, 4 steps",
        "Flash refiner: base 12 steps, guidance 3, then Flash 2 steps",
    ]
    assert [row[0] for row in main] == names and [row[0] for row in per_style] == names
    for row in main:
        kid, fid = (cell.split(" ± ") for cell in row[1:3])
        assert all(float(v) == float(v) for v in (*kid, *fid)) and float(fid[0]) >= 0  # numbers, not NaN
        assert all(0 <= float(c.rstrip(" %")) <= 100 for c in row[3:6])
        assert float(row[7]) >= 0  # specks ‰
    assert all(row[6] != "–" for row in main[7:])  # two seeds per prompt: a seed distance for every generated row
    for row in per_style:  # the synthetic data holds out one pair in each of the first three styles
        assert len(row) == 4 and all(cell == "–" or "/" in cell for cell in row[1:])


def test_kid_is_near_zero_for_one_distribution_and_grows_with_a_shift():
    rng = np.random.default_rng(0)
    same = [evaluate.kid(rng.normal(size=(200, 8)), rng.normal(size=(200, 8))) for _ in range(10)]
    assert abs(np.mean(same)) < 0.02  # unbiased: zero on average, though one draw may be slightly negative
    a, b = rng.normal(size=(400, 8)), rng.normal(size=(400, 8))
    assert evaluate.kid(a, b + 1.0) > evaluate.kid(a, b + 0.3) > 0.1


def test_fid_is_near_zero_for_one_distribution_and_grows_with_a_shift():
    from model.nano.metrics import fid, spread

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2000, 4)), rng.normal(size=(2000, 4))
    assert fid(a, b) < 0.05
    assert fid(a, b + 1.0) == pytest.approx(4.0, rel=0.1)  # |Δμ|² = 4 for a shift of 1 in each of 4 dimensions
    scaled = rng.normal(size=(2000, 4)) * 2.0  # Σ = 4I against I: tr(4I + I − 2·2I) = 4
    assert fid(a, scaled) == pytest.approx(4.0, rel=0.15)
    # The spread over halves is small beside a real difference, and zero for identical sets.
    assert spread(fid, a[:400], b[:100], samples=4) < fid(a[:400], b[:100] + 1.0) / 4
    assert spread(fid, a[:400], a[::4][:100], samples=4) < 0.5


def test_seed_and_group_distances_and_background_specks():
    from model.nano.metrics import background_specks, group_distance, seed_distance

    rng = np.random.default_rng(0)
    same = np.repeat(rng.normal(size=(10, 8)), 4, axis=0)  # every seed of a prompt gives the same features
    assert seed_distance(same, 4) == pytest.approx(0.0, abs=1e-9)
    assert seed_distance(rng.normal(size=(40, 8)), 4) == pytest.approx(1.0, abs=0.15)  # independent: cosine ≈ 0
    assert group_distance(same, np.repeat(np.arange(10), 4)) == pytest.approx(0.0, abs=1e-9)

    white = np.full((2, 64, 64, 3), 255, np.uint8)
    assert background_specks(white).tolist() == [0.0, 0.0]
    specked = white.copy()
    specked[0, 10, 10] = specked[0, 40, 30] = 120  # two isolated grey pixels on white
    specked[1, 8:56, 8:56] = 30  # a large dark shape is an object, not a speck
    assert background_specks(specked)[0] == pytest.approx(2 / 4096) and background_specks(specked)[1] == 0.0


def test_quantized_weights_match_the_int8w_export():
    conv = torch.nn.Conv2d(3, 5, 3)
    reference = conv.weight.detach().numpy().copy()
    q, scale = _quantize_int8(reference, 0)
    evaluate.quantize_int8_(conv)
    np.testing.assert_allclose(conv.weight.detach().numpy(), q.astype(np.float32) * scale[:, None, None, None], rtol=1e-6)


def test_controlnet_trains_only_itself_resumes_and_is_evaluated(tmp_path, family):
    """The ControlNet script starts from the base U-Net's down path with zero outputs, leaves the base
    untouched, resumes; its evaluation writes its section after the main table and keeps it there."""
    from model.nano import evaluate_controlnet, train_controlnet

    ckpt = tmp_path / "controlnet.pt"
    args = ["--dataset", str(family["data"]), "--batch", "3", "--movq", str(family["movq"]), "--base", str(family["base"]),
            "--checkpoint", str(ckpt)]
    assert train_controlnet.main([*args, "--max-steps", "2"]) == 0
    state = torch.load(ckpt)
    base = torch.load(family["base"])["ema"]
    assert state["step"] == 2 and state["attaches_to"] == "base" and state["hint"] == "sobel"
    shared = [k for k in state["model"] if f"unets.base.{k}" in base]
    assert "conv_in.weight" in shared and any(k.startswith("down_blocks.1.") for k in shared)
    assert not any(k.startswith("up_blocks") for k in state["model"])
    assert state["model"]["convs.0.weight"].abs().max() > 0  # the zero convs have started to learn
    assert train_controlnet.main([*args, "--max-steps", "3"]) == 0
    assert torch.load(ckpt)["step"] == 3

    flash = tmp_path / "flash.pt"
    assert train_flash.main(["--dataset", str(family["data"]), "--batch", "2", "--max-steps", "1", "--movq", str(family["movq"]),
                             "--base", str(family["base"]), "--checkpoint", str(flash), "--init", ""]) == 0
    out = tmp_path / "results.md"
    common = ["--tiny", "--dataset", str(family["data"]), "--classifier", str(family["classifier"]), "--movq", str(family["movq"]),
              "--base", str(family["base"]), "--flash", str(flash), "--out", str(out)]
    assert evaluate_controlnet.main([*common, "--controlnet", str(ckpt)]) == 0
    assert evaluate.main(common) == 0  # the main table is rewritten; the edge section stays
    text = out.read_text()
    assert text.startswith("# kandinsky3-nano") and text.count(evaluate_controlnet.SECTION) == 1
    edge_rows = [line for line in text.split(evaluate_controlnet.SECTION)[1].splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split(" | ")[0][2:] for row in edge_rows] == [name.replace("25", "5") for name, *_ in evaluate_controlnet.ROWS]
    for row in edge_rows:
        cells = row.strip("| ").split(" | ")
        assert all(0 <= float(c.rstrip(" %")) <= 100 for c in cells[1:4])


def test_edge_scores_are_perfect_for_the_hint_itself_and_low_for_a_flat_image():
    from model.edge_map import sobel_edges
    from model.nano.evaluate_controlnet import edge_scores, to_unit

    rng = np.random.default_rng(0)
    images = np.full((2, 64, 64, 3), 255, np.uint8)
    for image in images:
        x, y = rng.integers(10, 40, 2)
        image[y : y + 20, x : x + 20] = rng.integers(0, 120, 3)
    hints = sobel_edges(to_unit(images))
    same = edge_scores(images, hints)
    assert same["edge_f1"] == pytest.approx(1.0) and same["edge_r"] == pytest.approx(1.0, abs=1e-5)
    flat = edge_scores(np.full_like(images, 200), hints)
    assert flat["edge_f1"] == 0.0


def test_ip_adapter_trains_only_the_adapter_on_a_narrow_image_encoder_and_resumes(tmp_path, family):
    from model.nano import train_ip_adapter

    encoder = tmp_path / "encoder.pt"
    assert classifier.main(["--dataset", str(family["data"]), "--batch", "4", "--max-steps", "2", "--widths", "8,16,16,16,24",
                            "--seed", "1", "--checkpoint", str(encoder)]) == 0
    assert torch.load(encoder)["widths"] == (8, 16, 16, 16, 24)
    ckpt = tmp_path / "ip.pt"
    args = ["--dataset", str(family["data"]), "--batch", "3", "--movq", str(family["movq"]), "--base", str(family["base"]),
            "--image-encoder", str(encoder), "--checkpoint", str(ckpt)]
    assert train_ip_adapter.main([*args, "--max-steps", "2"]) == 0
    state = torch.load(ckpt)
    assert state["step"] == 2 and state["image_embedding_dim"] == 24
    assert state["model"]["image_proj.weight"].shape == (4 * NANO.unet.cross_attention_dim, 24)
    processors = {k.rsplit(".processor.", 1)[0] for k in state["model"] if ".processor." in k}
    assert len(processors) == 8  # every cross-attention of nano's two attention levels, down and up
    assert not any(k.startswith(("down_blocks.0.resnets", "conv_in")) for k in state["model"])  # the base stays out
    assert max(v.abs().max() for k, v in state["model"].items() if "to_out_ip" in k) > 0  # the zero outputs learned
    assert train_ip_adapter.main([*args, "--max-steps", "3"]) == 0
    assert torch.load(ckpt)["step"] == 3

    # A warm restart of the encoder keeps its weights and counts on from its step.
    again = tmp_path / "encoder2.pt"
    assert classifier.main(["--dataset", str(family["data"]), "--batch", "4", "--max-steps", "3", "--widths", "8,16,16,16,24",
                            "--seed", "1", "--init", str(encoder), "--checkpoint", str(again)]) == 0
    assert torch.load(again)["step"] == 3

    # The pack assembly puts the adapter into the base and Flash U-Nets, and the evaluation writes its section.
    from model.nano import evaluate_ip_adapter
    from model.nano.export_pack import assemble

    flash = tmp_path / "flash.pt"
    assert train_flash.main(["--dataset", str(family["data"]), "--batch", "2", "--max-steps", "1", "--movq", str(family["movq"]),
                             "--base", str(family["base"]), "--checkpoint", str(flash), "--init", ""]) == 0
    models, _ = assemble(family["movq"], {"base": family["base"], "flash": flash}, None, (ckpt, encoder))
    adapter = torch.load(ckpt)["ema"]
    for kind in ("base", "flash"):
        assert torch.equal(models.unets[kind].image_proj.weight, adapter["image_proj.weight"].float())
    assert models.image_encoder.image_size == 64
    out = tmp_path / "results.md"
    assert evaluate_ip_adapter.main(["--tiny", "--dataset", str(family["data"]), "--classifier", str(family["classifier"]),
                                     "--movq", str(family["movq"]), "--base", str(family["base"]), "--flash", str(flash),
                                     "--ip-adapter", str(ckpt), "--image-encoder", str(encoder), "--out", str(out)]) == 0
    rows = [line for line in out.read_text().split(evaluate_ip_adapter.SECTION)[1].splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split(" | ")[0][2:] for row in rows] == [name.replace("25", "5") for name, *_ in evaluate_ip_adapter.ROWS]


def test_refiner_base_grid_matches_the_apps():
    """The same grid as workers/pipeline/refiner-sampler.ts: from 999 down to the hand-over, in `steps`."""
    from model.nano.sampling import refiner_base_grid, refiner_flash_timesteps
    assert refiner_flash_timesteps() == (479, 229)
    assert refiner_base_grid(4, 479) == [(999, 869), (869, 739), (739, 609), (609, 479)]  # as plan.test.ts
    assert refiner_base_grid(16, 479)[1][0] == 967  # 966.5 rounds up, as Math.round does
    for steps in (1, 12, 16, 50):
        grid = refiner_base_grid(steps, 479)
        assert len(grid) == steps and grid[0][0] == 999 and grid[-1][1] == 479
        assert all(t > prev for t, prev in grid)

