"""Converting released checkpoints: synthetic ones written in both layouts (ai-forever .pt files and
diffusers safetensors folders) load into the modules exactly, the name tables cover every key of the
full-size models, bad checkpoints are refused by key name, and the command writes a working pack."""
import json

import numpy as np
import pytest
import torch

from model.config import KANDINSKY3, TINY
from model.convert.__main__ import main
from model.convert.checkpoints import CheckpointError, read_checkpoint
from model.convert.load_modules import load_strict
from model.convert.name_rules import MOVQ_RULES, UNET_RULES, NameMap
from model.convert.safetensors_io import SafetensorsError, read_safetensors, write_safetensors
from model.kandinsky3 import Kandinsky3, randomize_, unet_config_for
from model.meta_device import meta_device
from model.tests.model_outputs import assert_same_outputs
from model.tests.synthetic_checkpoints import write_diffusers, write_original
from model.movq import VQModel
from model.unet import Kandinsky3UNet

KINDS = ("base", "flash", "inpainting")


@pytest.fixture(scope="module")
def source():
    return randomize_(Kandinsky3(TINY, KINDS), seed=21).eval()


@pytest.fixture(scope="module")
def nulls():
    g = torch.Generator().manual_seed(5)
    return {kind: torch.randn(TINY.unet.cross_attention_dim, generator=g) for kind in KINDS}


@pytest.fixture(scope="module")
def original(tmp_path_factory, source, nulls):
    folder = tmp_path_factory.mktemp("original")
    write_original(folder, source, nulls)
    return folder


def _load(checkpoint, kinds):
    models = Kandinsky3(TINY, kinds)
    load_strict(models.text_encoder, checkpoint.text_encoder, "text encoder")
    load_strict(models.movq, checkpoint.movq, "movq")
    for kind in kinds:
        load_strict(models.unets[kind], checkpoint.unets[kind], f"{kind} U-Net")
    return models.eval()


def test_original_layout_loads_exactly_with_each_unets_own_projection_and_null_embedding(original, source, nulls):
    checkpoint = read_checkpoint(original, list(KINDS))
    assert checkpoint.layout == "original" and checkpoint.unconditional == "null-embedding"
    assert_same_outputs(_load(checkpoint, list(KINDS)), source, KINDS)
    for kind in KINDS:
        assert torch.equal(checkpoint.null_embeddings[kind], nulls[kind])
    assert [m.name for m in checkpoint.name_maps if m.unused() and m.used] == []


def test_diffusers_layout_loads_exactly_from_sharded_safetensors(tmp_path, source):
    write_diffusers(tmp_path, source)
    checkpoint = read_checkpoint(tmp_path, ["base"])
    assert checkpoint.layout == "diffusers" and checkpoint.unconditional == "zero-context"
    assert_same_outputs(_load(checkpoint, ["base"]), source, ["base"])
    with pytest.raises(CheckpointError, match="only the base U-Net"):
        read_checkpoint(tmp_path, ["flash"])


def test_missing_unexpected_and_misshapen_keys_are_named(tmp_path, source, nulls):
    victim = "in_layer.weight"
    write_original(tmp_path, source, nulls, drop=[victim], extra={"down_samples.0.bogus.weight": torch.zeros(2)})
    checkpoint = read_checkpoint(tmp_path, ["base"])
    with pytest.raises(CheckpointError) as error:
        load_strict(Kandinsky3(TINY, ["base"]).unets["base"], checkpoint.unets["base"], "base U-Net")
    message = str(error.value)
    assert "1 missing: conv_in.weight" in message and "1 unexpected: down_blocks.0.bogus.weight" in message
    # A tensor of another size (a checkpoint for another config) is named with both shapes.
    state = dict(read_checkpoint(tmp_path, ["base"]).unets["base"])
    state["conv_in.weight"] = torch.zeros(5, 4, 3, 3)
    state["down_blocks.0.bogus.weight"] = torch.zeros(2)
    with pytest.raises(CheckpointError, match=r"1 wrong shape: conv_in\.weight: checkpoint \(5, 4, 3, 3\), model \("):
        load_strict(Kandinsky3(TINY, ["base"]).unets["base"], state, "base U-Net")


def test_a_movq_without_its_codebook_is_filled_and_said(tmp_path, source, nulls):
    write_original(tmp_path, source, nulls)
    movq = torch.load(tmp_path / "movq.pt")
    del movq["quantize.embedding.weight"]
    torch.save(movq, tmp_path / "movq.pt")
    notes = load_strict(VQModel(TINY.movq), read_checkpoint(tmp_path, ["base"]).movq, "movq")
    assert notes == ["movq: quantize.embedding.weight is not in the checkpoint; filled with zeros (unused by inference)"]


def test_name_tables_cover_the_full_size_models():
    """Every key of the released-size modules maps both ways, every rule is used, and the results
    agree with the reference's key grammar (kandinsky3-architecture §3.1: 1068 U-Net tensors plus the 3 projection ones)."""
    with meta_device():
        unet = Kandinsky3UNet(unet_config_for(KANDINSKY3, "base")).state_dict()
        movq = VQModel(KANDINSKY3.movq).state_dict()
    unet_map = NameMap("unet", UNET_RULES)
    original = {unet_map.to_original(k): v.shape for k, v in unet.items() if not k.startswith("encoder_hid_proj.")}
    assert len(original) == 1068 and len(unet) == 1071
    assert tuple(original["down_samples.3.resnet_attn_blocks.0.1.attention.to_key.weight"]) == (3072, 4096)
    assert tuple(original["up_samples.0.resnet_attn_blocks.0.1.in_norm.context_mlp.1.weight"]) == (6144, 1536)
    assert tuple(original["up_samples.1.resnet_attn_blocks.0.0.resnet_blocks.1.up_sample.weight"]) == (1536, 1536, 2, 2)
    assert "feature_pooling.attention.output_layer.weight" in original and "to_time_embed.3.bias" in original
    assert sorted(unet_map.to_diffusers(k) for k in original) == sorted(k for k in unet if not k.startswith("encoder_hid_proj."))
    assert unet_map.unused() == []

    movq_map = NameMap("movq", MOVQ_RULES, last=len(KANDINSKY3.movq.block_out_channels) - 1)
    movq_original = [movq_map.to_original(k) for k in movq]
    assert len(set(movq_original)) == len(movq)
    assert "encoder.down.0.block.0.norm1.norm_layer.weight" in movq_original  # kandinsky3-architecture §4.4: SpatialNorm wrapper
    assert "decoder.up.3.block.0.norm1.conv_y.weight" in movq_original  # decoder levels count down
    assert "encoder.mid.attn_1.norm.norm_layer.weight" in movq_original
    assert sorted(movq_map.to_diffusers(k) for k in movq_original) == sorted(movq)
    assert movq_map.unused() == []


def test_safetensors_reads_what_it_wrote_and_refuses_a_damaged_file(tmp_path):
    tensors = {"a": torch.arange(6, dtype=torch.float32).reshape(2, 3), "b": torch.tensor([1.5, -2.0], dtype=torch.float16),
               "c": torch.tensor([0.25], dtype=torch.bfloat16), "d": torch.tensor(7, dtype=torch.int64)}
    write_safetensors(tmp_path / "x.safetensors", tensors)
    back = read_safetensors(tmp_path / "x.safetensors")
    for name, tensor in tensors.items():
        assert back[name].dtype == tensor.dtype and torch.equal(back[name], tensor)
    data = (tmp_path / "x.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(data[:-4])
    with pytest.raises(SafetensorsError, match="offsets"):
        read_safetensors(tmp_path / "cut.safetensors")
    (tmp_path / "junk.safetensors").write_bytes(b"\xff" * 16)
    with pytest.raises(SafetensorsError, match="header length"):
        read_safetensors(tmp_path / "junk.safetensors")


def test_convert_command_writes_a_flash_pack_with_the_null_embedding(original, tmp_path, nulls, capsys):
    """Conversion → split pack → onnxruntime-node: export_pack itself refuses fp32 graphs more than 1e-4
    from PyTorch (run part after part), so a written pack is the parity check. The small part size cuts
    the tiny text encoder and U-Net as the real ones are cut."""
    assert main(["--source", str(original), "--out", str(tmp_path), "--variants", "flash", "--config", "tiny",
                 "--default-size", "64", "--max-size", "128", "--part-mb", "0.3"]) == 0
    pack = tmp_path / "kandinsky3-flash"
    manifest = json.loads((pack / "manifest.json").read_text())
    assert manifest["weights"] == "converted" and manifest["text"]["unconditional"] == "null-embedding"
    assert set(manifest["components"]) == {"text_encoder", "unet_flash", "movq_encoder", "movq_decoder"}
    null = np.frombuffer((pack / manifest["text"]["nullEmbedding"]).read_bytes(), dtype="<f4")
    assert np.array_equal(null, nulls["flash"].numpy())
    # The default formats: fp32 measured, int4w shipped (MoVQ's int4w is its fp32 graph).
    assert all(set(c["variants"]) == {"int4w"} for c in manifest["components"].values())
    unet = manifest["components"]["unet_flash"]
    assert len(unet["parts"]) == len(unet["variants"]["int4w"]["parts"]) >= 3
    assert not any(p.name.endswith(".fp32.onnx") for p in pack.iterdir())
    assert "text_encoder" in capsys.readouterr().out  # the measurement table was printed


def test_convert_command_names_a_missing_file(tmp_path, capsys):
    (tmp_path / "movq.pt").write_bytes(b"not a checkpoint")
    assert main(["--source", str(tmp_path), "--out", str(tmp_path / "out"), "--variants", "base", "--config", "tiny"]) == 2
    assert "kandinsky3.pt is missing" in capsys.readouterr().err


def test_convert_command_adds_the_controlnet_and_the_ip_adapter_to_the_base_pack_and_names_wrong_files(original, tmp_path, capsys):
    """A ControlNet in the fork's names (the U-Net grammar plus input_hint_block.* and convs.*) and the
    IP-Adapter's Hub folder (its U-Net in the fork's names, CLIP in transformers') load strictly into the base
    pack, in one conversion; the export's parity gate checks their graphs like any other."""
    from model.clip_vision import CLIP_MEAN, CLIP_STD
    from model.controlnet import Kandinsky3ControlNet
    from model.tests.synthetic_checkpoints import write_ip_adapter

    net = randomize_(Kandinsky3ControlNet(TINY.unet, TINY.movq.scale_factor), seed=9)
    names = NameMap("controlnet", UNET_RULES)
    fork = {names.to_original(k): v for k, v in net.state_dict().items()}
    assert "in_layer.weight" in fork and "down_samples.1.resnet_attn_blocks.0.1.attention.to_query.weight" in fork
    torch.save({"controlnet": fork}, tmp_path / "controlnet_hed.pt")
    write_ip_adapter(tmp_path / "ip", TINY)
    assert main(["--source", str(original), "--out", str(tmp_path / "out"), "--variants", "base", "--config", "tiny",
                 "--controlnet", str(tmp_path / "controlnet_hed.pt"), "--ip-adapter", str(tmp_path / "ip"),
                 "--formats", "fp32", "--ship", "fp32", "--default-size", "64", "--max-size", "64"]) == 0
    manifest = json.loads((tmp_path / "out" / "kandinsky3-base" / "manifest.json").read_text())
    components = manifest["components"]
    assert components["controlnet"]["controlnet"]["controls"] == ["unet_base"]
    assert [i["name"] for i in components["unet_base"]["inputs"]][-4:] == ["control_0", "control_1", "image_embeds", "image_weight"]
    # The image size from config.json (28 px), CLIP's normalisation where the folder has no processor config.
    assert components["image_encoder"]["imageEncoder"] == {"side": 28, "mean": list(CLIP_MEAN), "std": list(CLIP_STD),
                                                           "unconditional": "zero-image"}
    assert components["unet_base"]["unet"]["imageAdapter"] == {"component": "image_encoder", "output": "image_embeds", "tokens": 4}
    assert "has no text projection of its own" in capsys.readouterr().out

    common = ["--source", str(original), "--variants", "base", "--config", "tiny"]
    write_ip_adapter(tmp_path / "no-proj", TINY, drop=["image_proj.weight"])
    assert main([*common, "--out", str(tmp_path / "o1"), "--ip-adapter", str(tmp_path / "no-proj")]) == 2
    assert "not a Kandinsky 3.1 IP-Adapter U-Net" in capsys.readouterr().err
    write_ip_adapter(tmp_path / "partial", TINY, drop=["down_samples.1.resnet_attn_blocks.0.1.attention.processor.to_v_ip.bias"])
    assert main([*common, "--out", str(tmp_path / "o2"), "--ip-adapter", str(tmp_path / "partial")]) == 2
    assert "IP-Adapter U-Net: the checkpoint does not fit the model" in capsys.readouterr().err
    assert main([*common, "--out", str(tmp_path / "o3"), "--ip-adapter", str(tmp_path / "nowhere")]) == 2
    assert "pass the IP-Adapter folder (with unet/ and image_encoder/)" in capsys.readouterr().err

    fork.pop("convs.1.weight")
    torch.save(fork, tmp_path / "broken.pt")
    assert main(["--source", str(original), "--out", str(tmp_path / "out2"), "--variants", "base", "--config", "tiny",
                 "--controlnet", str(tmp_path / "broken.pt")]) == 2
    assert "ControlNet: the checkpoint does not fit the model" in capsys.readouterr().err
    torch.save({"unet": {}}, tmp_path / "not_controlnet.pt")
    assert main(["--source", str(original), "--out", str(tmp_path / "out3"), "--variants", "base", "--config", "tiny",
                 "--controlnet", str(tmp_path / "not_controlnet.pt")]) == 2
    assert "not a Kandinsky 3.1 ControlNet" in capsys.readouterr().err
