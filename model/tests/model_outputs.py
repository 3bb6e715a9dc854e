"""Shared check for loading tests: a model loaded from a checkpoint computes exactly what its source does."""
import torch

from model.config import TINY


def assert_same_outputs(models, source, kinds):
    """Text encoder, each U-Net kind (4 or 9 input channels), MoVQ decode and encode: bit-identical."""
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(3, TINY.text.vocab_size, (2, 6), generator=g)
    mask = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]])
    latent = torch.randn(2, 4, 8, 12, generator=g)
    t = torch.tensor([979.0, 229.0])
    with torch.no_grad():
        hidden = models.text_encoder(ids, mask)
        assert torch.equal(hidden, source.text_encoder(ids, mask))
        for kind in kinds:
            x = torch.randn(2, models.unets[kind].config.in_channels, 8, 12, generator=g)
            assert torch.equal(models.unets[kind](x, t, hidden, mask), source.unets[kind](x, t, hidden, mask)), kind
        assert torch.equal(models.movq.decode(latent), source.movq.decode(latent))
        image = torch.rand(1, 3, 32, 32, generator=g) * 2 - 1
        assert torch.equal(models.movq.encode(image), source.movq.encode(image))
