"""The 3.1 IP-Adapter's CLIP image encoder: transformers' names and ViT-L/14 size, the attention against
torch's own multi-head attention, and the converter reading the Hub folder (unet/ + image_encoder/) into
a base pack with image fusion."""
import json

import torch
import torch.nn.functional as F

from model.clip_vision import CLIP_MEAN, CLIPAttention, CLIPVisionConfig, CLIPVisionEncoder, quick_gelu
from model.config import TINY
from model.convert.__main__ import main
from model.convert.name_rules import UNET_RULES, NameMap
from model.convert.safetensors_io import write_safetensors
from model.kandinsky3 import randomize_
from model.meta_device import count_parameters, meta_device
from model.unet import Kandinsky3UNet

SMALL = CLIPVisionConfig(image_size=28, patch_size=14, hidden_size=32, layers=2, heads=4, intermediate_size=64, projection_dim=16)


def test_vit_l14_has_transformers_names_and_size():
    with meta_device():
        encoder = CLIPVisionEncoder()
    # 1.22 GB in fp32 (reference §9.1): patch and position embeddings, 24 layers, the projection.
    assert count_parameters(encoder) == 303_966_208
    keys = set(encoder.state_dict())
    for key in ("vision_model.embeddings.class_embedding", "vision_model.embeddings.patch_embedding.weight",
                "vision_model.embeddings.position_embedding.weight", "vision_model.pre_layrnorm.weight",
                "vision_model.encoder.layers.23.self_attn.q_proj.bias", "vision_model.encoder.layers.0.mlp.fc2.weight",
                "vision_model.encoder.layers.5.layer_norm2.bias", "vision_model.post_layernorm.weight",
                "visual_projection.weight"):
        assert key in keys, key
    assert "visual_projection.bias" not in keys and "vision_model.embeddings.patch_embedding.bias" not in keys
    assert encoder.vision_model.embeddings.position_embedding.weight.shape == (257, 1024)


def test_attention_matches_torch_multi_head_attention_and_quick_gelu_its_formula():
    torch.manual_seed(0)
    attention = CLIPAttention(SMALL).eval()
    x = torch.randn(2, 5, 32)
    mha = torch.nn.MultiheadAttention(32, 4, batch_first=True).eval()
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([attention.q_proj.weight, attention.k_proj.weight, attention.v_proj.weight]))
        mha.in_proj_bias.copy_(torch.cat([attention.q_proj.bias, attention.k_proj.bias, attention.v_proj.bias]))
        mha.out_proj.weight.copy_(attention.out_proj.weight)
        mha.out_proj.bias.copy_(attention.out_proj.bias)
        assert torch.allclose(attention(x), mha(x, x, x, need_weights=False)[0], atol=1e-5)
    v = torch.tensor([-1.0, 0.0, 2.0])
    assert torch.allclose(quick_gelu(v), v / (1 + torch.exp(-1.702 * v)))
    assert not torch.allclose(quick_gelu(v), F.gelu(v), atol=1e-3)  # the ViT-L/14 activation, not GELU


def _ip_folder(tmp_path, drop=()):
    """A Hub-style IP-Adapter folder at the tiny config: the fork's U-Net names, transformers' CLIP names."""
    unet = randomize_(Kandinsky3UNet(TINY.with_unet(image_embedding_dim=16).unet), 13)
    names = NameMap("unet", UNET_RULES)
    fork = {names.to_original(k): v for k, v in unet.state_dict().items() if not k.startswith("encoder_hid_proj.")}
    assert "image_proj.weight" in fork and any(".attention.processor.to_key_ip." in k for k in fork)
    for key in drop:
        fork.pop(key)
    (tmp_path / "ip" / "unet").mkdir(parents=True)
    torch.save(fork, tmp_path / "ip" / "unet" / "kandinsky3_ip_adapter.pt")
    encoder = randomize_(CLIPVisionEncoder(SMALL), 14)
    (tmp_path / "ip" / "image_encoder").mkdir()
    write_safetensors(tmp_path / "ip" / "image_encoder" / "model.safetensors", encoder.state_dict())
    (tmp_path / "ip" / "image_encoder" / "config.json").write_text(json.dumps({"num_attention_heads": 4, "image_size": 28, "patch_size": 14}))
    return tmp_path / "ip"


def test_convert_command_gives_the_base_pack_the_ip_adapter_and_names_a_wrong_folder(tmp_path, capsys):
    from model.kandinsky3 import Kandinsky3
    from model.tests.synthetic_checkpoints import write_original

    source = tmp_path / "source"
    source.mkdir()
    g = torch.Generator().manual_seed(5)
    write_original(source, randomize_(Kandinsky3(TINY, ("base",)), 21), {"base": torch.randn(TINY.unet.cross_attention_dim, generator=g)})
    folder = _ip_folder(tmp_path)
    common = ["--source", str(source), "--variants", "base", "--config", "tiny", "--formats", "fp32", "--ship", "fp32",
              "--default-size", "64", "--max-size", "64"]
    assert main([*common, "--out", str(tmp_path / "out"), "--ip-adapter", str(folder)]) == 0
    manifest = json.loads((tmp_path / "out" / "kandinsky3-base" / "manifest.json").read_text())
    components = manifest["components"]
    assert components["image_encoder"]["imageEncoder"] == {"side": 28, "mean": list(CLIP_MEAN), "std": list(SMALL.std),
                                                           "unconditional": "zero-image"}
    assert components["unet_base"]["unet"]["imageAdapter"] == {"component": "image_encoder", "output": "image_embeds", "tokens": 4}
    assert "has no text projection of its own" in capsys.readouterr().out

    broken = _ip_folder(tmp_path / "broken", drop=["image_proj.weight"])
    assert main([*common, "--out", str(tmp_path / "out2"), "--ip-adapter", str(broken)]) == 2
    assert "not a Kandinsky 3.1 IP-Adapter U-Net" in capsys.readouterr().err
    missing_layer = _ip_folder(tmp_path / "partial", drop=["down_samples.1.resnet_attn_blocks.0.1.attention.processor.to_v_ip.bias"])
    assert main([*common, "--out", str(tmp_path / "out3"), "--ip-adapter", str(missing_layer)]) == 2
    assert "IP-Adapter U-Net: the checkpoint does not fit the model" in capsys.readouterr().err
