"""The full Kandinsky 3 config reproduces the published parameter counts (kandinsky3-architecture §0, §2.6, §4),
counted on the meta device so nothing is allocated."""
from collections import Counter

import pytest

from model.config import KANDINSKY3, KANDINSKY3_INPAINTING
from model.meta_device import count_parameters, meta_device
from model.movq import VQModel
from model.t5 import T5EncoderModel
from model.unet import Kandinsky3UNet


@pytest.fixture(scope="module")
def unet():
    with meta_device():
        return Kandinsky3UNet(KANDINSKY3.unet)


def test_built_on_meta_device(unet):
    assert {p.device.type for p in unet.parameters()} == {"meta"}


def test_unet_base_count(unet):
    assert count_parameters(unet) - count_parameters(unet.encoder_hid_proj) == 3_038_562_820


def test_unet_inpainting_count():
    with meta_device():
        unet9 = Kandinsky3UNet(KANDINSKY3_INPAINTING.unet)
    assert unet9.conv_in.weight.shape == (192, 9, 3, 3)
    assert count_parameters(unet9) - count_parameters(unet9.encoder_hid_proj) == 3_038_571_460


def test_text_projection_count(unet):
    assert count_parameters(unet.encoder_hid_proj) == 16_785_408


def test_movq_count():
    with meta_device():
        movq = VQModel(KANDINSKY3.movq)
    # The published count has no codebook: the released movq.pt stores none (kandinsky3-architecture §4.3).
    assert count_parameters(movq) - count_parameters(movq.quantize) == 270_603_567
    assert count_parameters(movq.encoder) + count_parameters(movq.quant_conv) == 109_485_336
    assert count_parameters(movq.decoder) + count_parameters(movq.post_quant_conv) == 161_118_231


def test_text_encoder_count():
    with meta_device():
        t5 = T5EncoderModel(KANDINSKY3.text)
    # ≈8.72B with the 32128×4096 embedding, ≈8.59B without (kandinsky3-architecture §5.1).
    assert count_parameters(t5) == 8_721_797_632
    assert count_parameters(t5) - count_parameters(t5.shared) == 8_590_201_344


def test_unet_key_layout(unet):
    """Key counts per prefix and sample shapes from the derived diffusers key list (kandinsky3-architecture §3)."""
    sd = unet.state_dict()
    prefixes = Counter(k.split(".")[0] for k in sd)
    assert prefixes == {
        "down_blocks": 524, "up_blocks": 530, "time_embedding": 4, "add_time_condition": 4,
        "conv_in": 2, "conv_norm_out": 2, "conv_out": 2, "encoder_hid_proj": 3,
    }
    assert sd["down_blocks.3.attentions.1.attention.to_k.weight"].shape == (3072, 4096)
    assert sd["up_blocks.0.attentions.1.in_norm.context_mlp.1.weight"].shape == (6144, 1536)
    assert sd["up_blocks.1.resnets_in.0.resnet_blocks.1.up_sample.weight"].shape == (1536, 1536, 2, 2)
    assert sd["add_time_condition.attention.to_q.weight"].shape == (1536, 4096)
    assert sd["add_time_condition.attention.to_out.0.weight"].shape == (1536, 1536)
    # Self-attention first in down levels 1-3, none at level 0; no biases in attention or FFN.
    assert "down_blocks.0.attentions.0.attention.to_q.weight" not in sd
    assert "down_blocks.1.attentions.0.attention.to_q.weight" in sd
    assert not any(k.endswith(("to_q.bias", "to_k.bias", "to_v.bias", "to_out.0.bias", "feed_forward.0.bias")) for k in sd)
