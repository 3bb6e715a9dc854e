"""The 3.1 IP-Adapter's CLIP image encoder: transformers' names and ViT-L/14 size, and the attention against
torch's own multi-head attention. test_convert converts it with the adapter's U-Net into a base pack."""
import torch
import torch.nn.functional as F

from model.clip_vision import CLIPAttention, CLIPVisionConfig, CLIPVisionEncoder, quick_gelu
from model.meta_device import count_parameters, meta_device

SMALL = CLIPVisionConfig(image_size=28, patch_size=14, hidden_size=32, layers=2, heads=4, intermediate_size=64, projection_dim=16)


def test_vit_l14_has_transformers_names_and_size():
    with meta_device():
        encoder = CLIPVisionEncoder()
    # 1.22 GB in fp32 (kandinsky3-architecture §9.1): patch and position embeddings, 24 layers, the projection.
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
