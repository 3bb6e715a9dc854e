"""The numbers the nano evaluations report, on judge features (model/nano/classifier.py) and on pixels.

- KID and FID between two feature sets, and their spread over random halves of the held-out pairs, so
  a table can show which differences between rows are larger than the metric's own noise;
- seed diversity: how far apart the images of one prompt are, in judge features;
- background specks: the share of isolated off-white pixels inside white background, the texture a
  decoder paints when its latent is slightly off the autoencoder's manifold.

Only numpy and torch: CI runs these on the evaluation's tiny subset.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def kid(a: np.ndarray, b: np.ndarray) -> float:
    """Unbiased MMD² with the kernel (x·y/d + 1)³ (Bińkowski et al. 2018)."""
    d = a.shape[1]
    k = lambda x, y: (x @ y.T / d + 1) ** 3  # noqa: E731
    kaa, kbb, kab = k(a, a), k(b, b), k(a, b)
    m, n = len(a), len(b)
    return float((kaa.sum() - np.trace(kaa)) / (m * (m - 1)) + (kbb.sum() - np.trace(kbb)) / (n * (n - 1)) - 2 * kab.mean())


def _psd_sqrt(c: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(c)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def fid(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (Heusel et al. 2017):
    |μa − μb|² + tr(Σa + Σb − 2 (Σa^½ Σb Σa^½)^½). The matrix square roots come from symmetric
    eigendecompositions, which stay real where a few hundred samples leave Σ singular."""
    mu = a.mean(0) - b.mean(0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root_a = _psd_sqrt(ca)
    middle = root_a @ cb @ root_a
    cross = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    return float(mu @ mu + np.trace(ca) + np.trace(cb) - 2 * cross)


def spread(metric, generated: np.ndarray, real: np.ndarray, samples: int, draws: int = 20, seed: int = 0) -> float:
    """Standard deviation of `metric` over `draws` random halves of the pairs: each draw keeps the
    generated images (`samples` per pair, pair-major) and the real image of the same half of the pairs.
    A half has fewer samples, so this is an upper bound on the whole set's own noise."""
    pairs = len(real)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(draws):
        half = np.sort(rng.choice(pairs, size=max(2, pairs // 2), replace=False))
        rows = (half[:, None] * samples + np.arange(samples)).ravel()
        values.append(metric(generated[rows], real[half]))
    return float(np.std(values))


def seed_distance(features: np.ndarray, samples: int) -> float:
    """Mean cosine distance between the images of one prompt (`samples` per prompt, prompt-major):
    near 0 when every seed gives the same memorised picture."""
    if samples < 2:
        return float("nan")
    unit = features / np.linalg.norm(features, axis=1, keepdims=True)
    groups = unit.reshape(-1, samples, unit.shape[1])
    cos = np.einsum("gid,gjd->gij", groups, groups)
    off = ~np.eye(samples, dtype=bool)
    return float((1 - cos[:, off]).mean())


def group_distance(features: np.ndarray, groups: np.ndarray) -> float:
    """Mean cosine distance between members of the same group (e.g. one concept's pictures in its
    different styles), averaged over groups with at least two members."""
    unit = features / np.linalg.norm(features, axis=1, keepdims=True)
    means = []
    for g in np.unique(groups):
        members = unit[groups == g]
        if len(members) < 2:
            continue
        cos = members @ members.T
        means.append((1 - cos[~np.eye(len(members), dtype=bool)]).mean())
    return float(np.mean(means)) if means else float("nan")


def background_specks(images: np.ndarray) -> np.ndarray:
    """Per image, the share of pixels that are darker than near-white (luminance < 235) while at least
    3/4 of their 7×7 neighbourhood is white (> 245): isolated specks on a white background. The emoji
    renders have about 1 in 10,000; a decoder given noisy latents paints 10–100× more."""
    lum = torch.from_numpy(np.ascontiguousarray(images).astype(np.float32).mean(-1))[:, None]
    white = (lum > 245).float()
    share = F.avg_pool2d(F.pad(white, (3, 3, 3, 3), value=1.0), 7, 1)
    return ((lum < 235) & (share >= 0.75)).float().mean((1, 2, 3)).numpy()
