"""A checkpoint in the diffusers folder layout loads by name with strict=True, and bad keys are named."""
import pytest
import torch

from model.config import TINY
from model.kandinsky3 import Kandinsky3, randomize_, unet_config_for
from model.t5 import T5EncoderModel
from model.tests.model_outputs import assert_same_outputs
from model.unet import Kandinsky3UNet


@pytest.fixture(scope="module")
def source():
    return randomize_(Kandinsky3(TINY, ("base", "inpainting")), seed=11).eval()


@pytest.fixture()
def checkpoint(tmp_path, source):
    """kandinsky-community/kandinsky-3 layout: one folder per component. transformers saves the tied
    T5 embedding once, as `shared.weight`."""
    text = {k: v for k, v in source.text_encoder.state_dict().items()}
    assert "encoder.embed_tokens.weight" not in text
    for folder, sd in {
        "unet": source.unets["base"].state_dict(),
        "unet_inpainting": source.unets["inpainting"].state_dict(),
        "movq": source.movq.state_dict(),
        "text_encoder": text,
    }.items():
        (tmp_path / folder).mkdir()
        torch.save(sd, tmp_path / folder / "diffusion_pytorch_model.bin")
    return tmp_path


def _load(path):
    return torch.load(path / "diffusion_pytorch_model.bin", map_location="cpu")


def test_strict_load_reproduces_outputs(checkpoint, source):
    models = Kandinsky3(TINY, ("base", "inpainting")).eval()
    models.unets["base"].load_state_dict(_load(checkpoint / "unet"), strict=True)
    models.unets["inpainting"].load_state_dict(_load(checkpoint / "unet_inpainting"), strict=True)
    models.movq.load_state_dict(_load(checkpoint / "movq"), strict=True)
    models.text_encoder.load_state_dict(_load(checkpoint / "text_encoder"), strict=True)
    assert_same_outputs(models, source, ("base", "inpainting"))


def test_tied_embedding_in_either_form(source):
    sd = dict(source.text_encoder.state_dict())
    both = {**sd, "encoder.embed_tokens.weight": sd["shared.weight"].clone()}
    T5EncoderModel(TINY.text).load_state_dict(both, strict=True)
    only_tied = {k: v for k, v in sd.items() if k != "shared.weight"}
    only_tied["encoder.embed_tokens.weight"] = sd["shared.weight"]
    t5 = T5EncoderModel(TINY.text)
    t5.load_state_dict(only_tied, strict=True)
    assert torch.equal(t5.shared.weight, sd["shared.weight"])
    both["encoder.embed_tokens.weight"] = both["encoder.embed_tokens.weight"] + 1
    with pytest.raises(ValueError, match="differs from shared.weight"):
        T5EncoderModel(TINY.text).load_state_dict(both, strict=True)


def test_missing_and_unexpected_keys_are_named(source):
    sd = dict(source.unets["base"].state_dict())
    del sd["up_blocks.1.resnets_in.0.resnet_blocks.1.up_sample.weight"]
    sd["down_blocks.0.attentions.0.attention.to_q.weight"] = torch.zeros(8, 8)
    with pytest.raises(RuntimeError) as info:
        Kandinsky3UNet(unet_config_for(TINY, "base")).load_state_dict(sd, strict=True)
    message = str(info.value)
    assert "up_blocks.1.resnets_in.0.resnet_blocks.1.up_sample.weight" in message
    assert "down_blocks.0.attentions.0.attention.to_q.weight" in message


def test_original_names_do_not_load_silently(source):
    """An ai-forever key (`in_layer`) is not a diffusers key: strict loading must refuse it, so the
    converter cannot skip its renaming step by accident."""
    sd = dict(source.unets["base"].state_dict())
    sd["in_layer.weight"] = sd.pop("conv_in.weight")
    with pytest.raises(RuntimeError, match="in_layer.weight"):
        Kandinsky3UNet(unet_config_for(TINY, "base")).load_state_dict(sd, strict=True)
