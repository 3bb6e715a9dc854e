"""Random inpainting masks for fine-tuning, in the pipeline's polarity: 1 = keep, 0 = generate
(kandinsky3-architecture §8.1). The mix follows what users do on the canvas: brush strokes, boxes, outpainting
borders (one or more sides), and sometimes the whole image (so the model still does text-to-image).
"""
from __future__ import annotations

import numpy as np

KINDS = ("brush", "box", "border", "everything")
PROBABILITIES = (0.4, 0.3, 0.2, 0.1)


def _brush(rng: np.random.Generator, size: int) -> np.ndarray:
    generate = np.zeros((size, size), dtype=bool)
    yy, xx = np.mgrid[0:size, 0:size]
    for _ in range(int(rng.integers(1, 4))):
        radius = rng.uniform(size / 32, size / 8)
        point = rng.uniform(0, size, 2)
        for _ in range(int(rng.integers(4, 12))):
            step = rng.normal(0, size / 8, 2)
            end = np.clip(point + step, 0, size - 1)
            for f in np.linspace(0, 1, 8):
                cy, cx = point + f * (end - point)
                generate |= (yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2
            point = end
    return generate


def _box(rng: np.random.Generator, size: int) -> np.ndarray:
    generate = np.zeros((size, size), dtype=bool)
    h, w = rng.integers(size // 8, size * 3 // 4, 2)
    y, x = rng.integers(0, size - h + 1), rng.integers(0, size - w + 1)
    generate[y : y + h, x : x + w] = True
    return generate


def _border(rng: np.random.Generator, size: int) -> np.ndarray:
    generate = np.zeros((size, size), dtype=bool)
    sides = rng.permutation(4)[: int(rng.integers(1, 5))]
    for side in sides:
        width = int(rng.integers(size // 8, size // 2 + 1))
        if side == 0:
            generate[:width] = True
        elif side == 1:
            generate[-width:] = True
        elif side == 2:
            generate[:, :width] = True
        else:
            generate[:, -width:] = True
    return generate


def random_keep_mask(rng: np.random.Generator, size: int = 64) -> np.ndarray:
    kind = KINDS[rng.choice(len(KINDS), p=PROBABILITIES)]
    if kind == "everything":
        generate = np.ones((size, size), dtype=bool)
    else:
        generate = {"brush": _brush, "box": _box, "border": _border}[kind](rng, size)
    return (~generate).astype(np.float32)
