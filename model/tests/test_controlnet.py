"""The ControlNet (kandinsky3-architecture §9.2): the fork's layout and size, a zero start, the U-Net's control inputs,
and the edge map the browser must reproduce."""
import numpy as np
import pytest
import torch

from model.config import KANDINSKY3, NANO, TINY
from model.controlnet import Kandinsky3ControlNet
from model.convert.name_rules import UNET_RULES, NameMap
from model.edge_map import sobel_edges
from model.kandinsky3 import randomize_
from model.meta_device import count_parameters, meta_device
from model.steps import run_steps
from model.unet import Kandinsky3UNet


def test_full_size_matches_the_fork():
    with meta_device():
        net = Kandinsky3ControlNet(KANDINSKY3.unet, KANDINSKY3.movq.scale_factor)
    assert count_parameters(net) == 469_613_584  # kandinsky3-architecture §9.2: "≈469.6M"
    assert net.output_channels() == (384, 768, 1536)
    assert net.input_hint_block.out.weight.shape == (192, 256, 3, 3)
    names = NameMap("controlnet", UNET_RULES, last=3)
    tops = {".".join(names.to_original(k).split(".")[:2]) for k in net.state_dict()}
    # kandinsky3-architecture §3.3: the fork adds input_hint_block.{conv1..conv7,out} and convs.{0,1,2} to the U-Net grammar
    assert {t for t in tops if t.startswith(("input_hint_block", "convs"))} == (
        {f"input_hint_block.conv{i}" for i in range(1, 8)} | {"input_hint_block.out", "convs.0", "convs.1", "convs.2"})
    assert {t.split(".")[1] for t in tops if t.startswith("down_samples")} == {"0", "1", "2"}
    for key in net.state_dict():
        assert names.to_diffusers(names.to_original(key)) == key


@pytest.mark.parametrize("factor,size", [(8, 64), (4, 64)])
def test_hint_encoder_reaches_the_latent_size(factor, size):
    net = Kandinsky3ControlNet(TINY.unet, factor)
    assert net.input_hint_block(torch.zeros(1, 3, size, size)).shape == (1, TINY.unet.init_channels, size // factor, size // factor)


def _inputs(cfg, batch=2, h=8, w=12, factor=4, length=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    mask = torch.ones(batch, length, dtype=torch.long)
    mask[1, 3:] = 0
    return (torch.randn(batch, cfg.in_channels, h, w, generator=g), torch.tensor([999.0, 12.0][:batch]),
            torch.randn(batch, length, cfg.cross_attention_dim, generator=g), mask,
            torch.rand(batch, 3, h * factor, w * factor, generator=g))


def test_a_fresh_controlnet_changes_nothing():
    unet = randomize_(Kandinsky3UNet(TINY.unet), 1).eval()
    net = Kandinsky3ControlNet.from_unet(unet, 4).eval()
    sample, t, context, mask, hint = _inputs(TINY.unet)
    with torch.no_grad():
        control = net(sample, t, context, mask, hint)
        assert all(float(c.abs().max()) == 0.0 for c in control)
        plain = unet(sample, t, context, mask, project_context=False)
        controlled = unet(sample, t, context, mask, project_context=False, control=control)
    assert torch.equal(plain, controlled)
    # the copied parts are the U-Net's
    assert torch.equal(net.down_blocks[1].resnets_in[0].resnet_blocks[0].projection.weight,
                       unet.down_blocks[1].resnets_in[0].resnet_blocks[0].projection.weight)


def test_residuals_are_added_to_the_skips():
    """A residual equal to minus the skip makes the up level see zeros there: the same output as a U-Net
    whose skip was zeroed by hand."""
    unet = randomize_(Kandinsky3UNet(TINY.unet), 2).eval()
    net = randomize_(Kandinsky3ControlNet(TINY.unet, 4), 3).eval()
    sample, t, context, mask, hint = _inputs(TINY.unet)
    with torch.no_grad():
        control = net(sample, t, context, mask, hint)
        assert [c.shape[1] for c in control] == list(TINY.unet.block_out_channels[:-1])
        assert [c.shape[2:] for c in control] == [torch.Size([4, 6]), torch.Size([2, 3])]
        values = {"sample": sample, "timestep": t, "context": context, "context_mask": mask}
        steps = unet.steps()
        down = [s for s in steps if not s.name.startswith(("up_blocks", "out"))]
        skips = run_steps(down, dict(values))
        cancel = [-skips["skip_0"], torch.zeros_like(skips["skip_1"])]
        by_hand = dict(values)
        for step in steps:
            by_hand.update(step.run(by_hand))
            if step.name == down[-1].name:
                by_hand["skip_0"] = torch.zeros_like(by_hand["skip_0"])
        cancelled = unet(sample, t, context, mask, project_context=False, control=cancel)
        assert torch.allclose(cancelled, by_hand["model_output"], atol=1e-6)
        assert not torch.allclose(unet(sample, t, context, mask, project_context=False, control=control),
                                  unet(sample, t, context, mask, project_context=False), atol=1e-4)


def test_edges_of_a_step_and_a_flat_picture():
    flat = torch.full((1, 3, 6, 6), 0.4)
    assert float(sobel_edges(flat).abs().max()) < 1e-6  # replicated borders: a picture's frame is no edge
    step = torch.zeros(1, 3, 6, 6)
    step[..., 3:] = 1.0
    edges = sobel_edges(step)[0, 0]
    # columns 2 and 3 straddle the step: Sobel gives 4 × the step height there, which maps to 1
    np.testing.assert_allclose(edges[:, 2:4].numpy(), 1.0, atol=1e-6)
    np.testing.assert_allclose(edges[:, [0, 1, 4, 5]].numpy(), 0.0, atol=1e-6)


def test_nano_controlnet_is_small():
    net = Kandinsky3ControlNet(NANO.unet, NANO.movq.scale_factor)
    assert count_parameters(net) < 1_500_000
