"""The IP-Adapter layers (kandinsky3-architecture §9.1): the fork's layout and size, a zero start, and weight 0 as the
plain U-Net."""
from dataclasses import replace

import torch

from model.config import KANDINSKY3, TINY
from model.convert.name_rules import UNET_RULES, NameMap
from model.kandinsky3 import randomize_
from model.meta_device import count_parameters, meta_device
from model.unet import Kandinsky3UNet


def test_full_size_matches_the_fork():
    with meta_device():
        unet = Kandinsky3UNet(replace(KANDINSKY3.unet, image_embedding_dim=768))
    # kandinsky3-architecture §9.1: base 3.0386B + projection 16.8M + image_proj 12.6M + IP layers 366.4M = 3.434B
    ip_layers = sum(p.numel() for n, p in unet.named_parameters() if ".processor." in n)
    image_tokens = count_parameters(unet.image_proj) + count_parameters(unet.image_norm)
    assert round(ip_layers / 1e5) == 3664 and round(image_tokens / 1e5) == 126
    assert count_parameters(unet) - ip_layers - image_tokens == 3_038_562_820 + 16_785_408
    assert round(count_parameters(unet) / 1e6) == 3434
    names = NameMap("unet", UNET_RULES, last=3)
    ip_keys = [names.to_original(k) for k in unet.state_dict() if ".processor." in k]
    assert len({k.rsplit(".processor.", 1)[0] for k in ip_keys}) == 18  # all 18 cross-attention layers
    assert "down_samples.1.resnet_attn_blocks.0.1.attention.processor.to_key_ip.weight" in ip_keys
    assert unet.image_proj.weight.shape == (4 * 4096, 768) and unet.image_norm.weight.shape == (4096,)


def _inputs(cfg, batch=2):
    g = torch.Generator().manual_seed(0)
    mask = torch.ones(batch, 5, dtype=torch.long)
    mask[1, 2:] = 0
    return (torch.randn(batch, cfg.in_channels, 8, 8, generator=g), torch.tensor([900.0, 30.0]),
            torch.randn(batch, 5, cfg.cross_attention_dim, generator=g), mask,
            torch.randn(batch, cfg.image_embedding_dim, generator=g))


def test_weight_zero_and_a_fresh_adapter_leave_the_unet_as_it_was():
    cfg = replace(TINY.unet, image_embedding_dim=16)
    unet = randomize_(Kandinsky3UNet(cfg), 3).eval()
    sample, t, context, mask, embeds = _inputs(cfg)
    with torch.no_grad():
        plain = unet(sample, t, context, mask, project_context=False)
        off = unet(sample, t, context, mask, project_context=False, image_embeds=embeds, image_weight=torch.zeros(2))
        on = unet(sample, t, context, mask, project_context=False, image_embeds=embeds, image_weight=torch.ones(2))
        assert torch.allclose(plain, off, atol=1e-6)
        assert not torch.allclose(plain, on, atol=1e-3)
        for m in unet.modules():  # a fresh adapter: every to_out_ip at zero
            if hasattr(m, "to_out_ip"):
                torch.nn.init.zeros_(m.to_out_ip.weight)
                torch.nn.init.zeros_(m.to_out_ip.bias)
        fresh = unet(sample, t, context, mask, project_context=False, image_embeds=embeds, image_weight=torch.ones(2))
        assert torch.allclose(plain, fresh, atol=1e-6)


def test_the_random_pack_carries_the_adapter_on_base_and_flash_and_its_encoder():
    """The committed random pack was exported through the export's parity gate (every graph in ONNX Runtime
    against PyTorch) and test_onnx_parity runs its image encoder and image inputs again; here, what its
    manifest says of them. (A fresh export is covered by test_clip_vision's conversion.)"""
    import json

    from model.pack_manifest import validate_manifest
    from model.tests.paths import RANDOM_PACK

    manifest = validate_manifest(json.loads((RANDOM_PACK / "manifest.json").read_text()))
    components = manifest["components"]
    assert components["image_encoder"]["imageEncoder"] == {"side": 64, "mean": [0.5] * 3, "std": [0.5] * 3, "unconditional": "zero-image"}
    assert components["image_encoder"]["outputs"][0]["shape"] == ["batch", 32]
    for kind in ("base", "flash"):
        assert [i["name"] for i in components[f"unet_{kind}"]["inputs"]][-2:] == ["image_embeds", "image_weight"]
        assert components[f"unet_{kind}"]["unet"]["imageAdapter"] == {"component": "image_encoder", "output": "image_embeds", "tokens": 4}
    assert "imageAdapter" not in components["unet_inpainting"]["unet"]
    assert "image_embeds" not in {i["name"] for i in components["unet_inpainting"]["inputs"]}
