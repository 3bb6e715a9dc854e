"""The edge map a ControlNet hint is made of: luma → Sobel gradient magnitude, white edges on black.

The browser computes the same map (shared/edge-map.ts) from an uploaded picture, so the nano
ControlNet is trained on exactly what users feed it. The reference leaves the HED preprocessing open
(ambiguity A5); Sobel needs no network, and on flat-shaded emoji it gives the outline HED would.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

LUMA = (0.299, 0.587, 0.114)  # Rec. 601 weights, as canvas-based greyscale filters use
# A unit step between two flat regions gives a Sobel magnitude of 4: that maps to full white.
FULL_EDGE = 4.0


def sobel_edges(images: torch.Tensor) -> torch.Tensor:
    """images (B, 3, H, W) in [0, 1] → (B, 3, H, W) in [0, 1], the magnitude repeated in all channels.

    Borders are replicated, so a picture's frame is not an edge.
    """
    luma = sum(w * images[:, c : c + 1] for c, w in enumerate(LUMA))
    padded = F.pad(luma, (1, 1, 1, 1), mode="replicate")
    kx = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=images.dtype, device=images.device)
    gx = F.conv2d(padded, kx[None, None])
    gy = F.conv2d(padded, kx.t().contiguous()[None, None])
    magnitude = (gx * gx + gy * gy).sqrt() / FULL_EDGE
    return magnitude.clamp(0.0, 1.0).expand(-1, 3, -1, -1).contiguous()


def scribble_like(edges: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Edge maps → what a user's brush gives: hard white strokes, thicker or thinner, with gaps.

    Trained on alongside the soft maps, so one ControlNet follows both an edge map and a scribble.
    """
    b = edges.shape[0]
    threshold = 0.1 + 0.25 * torch.rand(b, 1, 1, 1, generator=generator)
    strokes = (edges[:, :1] > threshold.to(edges.device)).to(edges.dtype)
    thick = torch.rand(b, generator=generator) < 0.5
    dilated = F.max_pool2d(strokes, 3, stride=1, padding=1)
    strokes = torch.where(thick.to(edges.device)[:, None, None, None], dilated, strokes)
    # Gaps: a coarse random keep-grid, as a sketch leaves parts of the outline out.
    grid = (torch.rand(b, 1, 4, 4, generator=generator) > 0.2).to(edges.dtype).to(edges.device)
    strokes = strokes * F.interpolate(grid, size=edges.shape[-2:], mode="nearest")
    return strokes.expand(-1, 3, -1, -1).contiguous()
