"""Nano's upscaler: where its training starts, how it grows and shrinks, and that its crops line up.

The upscaler's training resumes from committed weights and can be grown or shrunk by blocks; if any start
were wrong the network would silently forget what it had learnt, which only a long run would show.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from model.nano.train_upscaler import crops
from model.nano.upscaler import NanoUpscaler, UpscalerConfig, resized


def pictures(seed: int, side: int = 16) -> torch.Tensor:
    return torch.rand((2, 3, side, side), generator=torch.Generator().manual_seed(seed)) * 2 - 1


def trained(config: UpscalerConfig, seed: int = 0) -> NanoUpscaler:
    """An upscaler whose every weight is non-zero, as after training (a fresh one's tail is zero)."""
    torch.manual_seed(seed)
    net = NanoUpscaler(config)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn_like(p) * 0.05)
    return net


def test_a_new_upscaler_is_the_bilinear_enlargement():
    x = pictures(1)
    net = NanoUpscaler(UpscalerConfig(channels=8, blocks=2))
    expected = F.interpolate(x, scale_factor=4, mode="bilinear", align_corners=False).clamp(-1, 1)
    assert torch.equal(net(x), expected)
    assert net(x).shape == (2, 3, 64, 64)


def test_growing_keeps_what_it_computes_and_the_new_blocks_can_learn():
    small = trained(UpscalerConfig(channels=8, blocks=2))
    big = resized(small.state_dict(), small.config, 4)
    assert big.config.blocks == 4 and len(big.body) == 4
    x = pictures(2)
    with torch.no_grad():
        assert torch.allclose(big(x), small(x), atol=1e-6)
        assert torch.equal(big.body[0].conv1.weight, small.body[0].conv1.weight)

    # A zero second convolution still gets a gradient, because the first one's output is not zero.
    big(x).square().mean().backward()
    assert big.body[3].conv2.weight.grad.abs().sum() > 0
    assert big.body[3].conv1.weight.abs().sum() > 0


def test_resizing_to_the_same_size_is_the_same_network():
    small = trained(UpscalerConfig(channels=8, blocks=2))
    same = resized(small.state_dict(), small.config, 2)
    x = pictures(3)
    with torch.no_grad():
        assert torch.equal(same(x), small(x))


def test_shrinking_keeps_the_first_blocks_and_drops_the_last():
    big = trained(UpscalerConfig(channels=8, blocks=4), seed=4)
    small = resized(big.state_dict(), big.config, 2)
    assert small.config.blocks == 2 and len(small.body) == 2
    for name in ("head.weight", "body.0.conv1.weight", "body.1.conv2.bias", "tail.weight"):
        assert torch.equal(small.state_dict()[name], big.state_dict()[name])
    # The same as the big network with its last two blocks made identities.
    with torch.no_grad():
        for block in big.body[2:]:
            block.conv2.weight.zero_()
            block.conv2.bias.zero_()
        x = pictures(5)
        assert torch.allclose(small(x), big(x), atol=1e-6)


def test_training_crops_take_the_target_under_the_input():
    rng = np.random.default_rng(0)
    # Each target is its input with every pixel made a 4×4 cell, so any misalignment or a flip of one
    # side only shows as a mismatch.
    inputs = rng.integers(0, 256, (3, 64, 64, 3), dtype=np.uint8)
    large = inputs.repeat(4, axis=1).repeat(4, axis=2)
    pairs = {"inputs": inputs[[2, 0]], "index": np.array([2, 0])}
    small, big = crops(pairs, large, np.array([0, 1, 0, 1] * 4), np.random.default_rng(5), 4)
    assert small.shape == (16, 32, 32, 3) and big.shape == (16, 128, 128, 3)
    assert np.array_equal(big[:, ::4, ::4], small)  # flipped or not, input and target flip together
    assert np.array_equal(big[:, 3::4, 3::4], small)
    assert not np.array_equal(small[0], small[2])  # different crops of the same picture
