"""The browser's edge map (shared/edge-map.ts) is the one the nano ControlNet was trained on
(model/edge_map.py): the same values, to the 8-bit rounding, on emoji-like pictures."""
import json
import subprocess

import numpy as np
import torch

from model.edge_map import sobel_edges
from model.tests.paths import REPO


def picture(seed: int, width: int = 40, height: int = 32) -> np.ndarray:
    """Flat discs and boxes of random colours on white, with a soft shaded one: an emoji's make-up."""
    rng = np.random.default_rng(seed)
    image = np.full((height, width, 3), 255.0)
    yy, xx = np.mgrid[0:height, 0:width]
    for _ in range(4):
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(4, 12)
        inside = (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
        image[inside] = rng.uniform(0, 255, 3)
    shade = np.clip(1 - ((xx - width / 2) ** 2 + (yy - height / 2) ** 2) / (width * height / 2), 0, 1)
    image = image * (0.6 + 0.4 * shade[..., None])
    return np.round(image).astype(np.uint8)


def browser_edges(rgb: np.ndarray) -> np.ndarray:
    h, w, _ = rgb.shape
    rgba = np.concatenate([rgb, np.full((h, w, 1), 255, np.uint8)], axis=2)
    out = subprocess.run(
        ["node_modules/.bin/tsx", "model/tests/edge_map.ts"], cwd=REPO, check=True, capture_output=True,
        input=json.dumps({"width": w, "height": h, "pixels": rgba.reshape(-1).tolist()}).encode(),
    )
    return np.array(json.loads(out.stdout), dtype=np.float64).reshape(h, w)


def test_browser_and_training_edges_agree():
    for seed in range(3):
        rgb = picture(seed)
        reference = sobel_edges(torch.from_numpy(rgb).permute(2, 0, 1)[None].double() / 255.0)[0, 0].numpy() * 255
        browser = browser_edges(rgb)
        assert reference.max() > 100  # the pictures do have strong edges
        np.testing.assert_allclose(browser, reference, atol=0.5 + 1e-6)  # 8-bit rounding only
