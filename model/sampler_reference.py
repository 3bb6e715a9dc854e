"""Reference values for the TypeScript samplers, computed the way the reference implementations do.

- schedule: the original `get_named_beta_schedule("cosine")` with torch.cumprod in float64;
- original 3.1 step: `BaseDiffusion.p_mean_variance` (get_x_start → dynamic threshold with
  torch.quantile → get_noise → q_posterior_variance, η = 1);
- diffusers step: `DDPMScheduler.step` in its posterior-coefficient form (clip_sample, fixed_small);
- Flash: q_sample with fresh noise, then get_x_start.

    model/run-python -m model.sampler_reference   # rewrites workers/pipeline/sampler-fixture.json
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from .schedule import cosine_alphas_cumprod

FIXTURE = Path(__file__).resolve().parents[1] / "workers" / "pipeline" / "sampler-fixture.json"


def original_step(x, eps, t, prev, ac, percentile):
    a, ap = ac[t], ac[prev]
    x0 = (x - (1 - a).sqrt() * eps) / a.sqrt()
    q = torch.quantile(x0.reshape(x0.shape[0], -1).abs(), percentile, dim=-1).clip(min=1.0).reshape(-1, 1, 1, 1)
    x0 = torch.clip(x0, -q, q) / q
    eps2 = (x - a.sqrt() * x0) / (1 - a).sqrt()
    var = torch.sqrt(1.0 * (1 - a / ap) * (1 - ap) / (1 - a))
    mean = ap.sqrt() * x0 + torch.sqrt(1 - ap - var**2) * eps2
    return mean, var


def diffusers_step(x, eps, t, prev, ac):
    a = ac[t]
    ap = ac[prev] if prev >= 0 else torch.tensor(1.0, dtype=torch.float64)
    beta_t, beta_prev = 1 - a, 1 - ap
    cur_alpha = a / ap
    cur_beta = 1 - cur_alpha
    x0 = ((x - beta_t.sqrt() * eps) / a.sqrt()).clamp(-1, 1)
    mean = (ap.sqrt() * cur_beta / beta_t) * x0 + (cur_alpha.sqrt() * beta_prev / beta_t) * x
    var = torch.clamp(beta_prev / beta_t * cur_beta, min=1e-20)
    return mean, var.sqrt()


def build() -> dict:
    ac = cosine_alphas_cumprod()
    g = torch.Generator().manual_seed(0)
    shape = (2, 4, 3, 5)  # batch 2: thresholds are per sample
    x = torch.randn(shape, generator=g, dtype=torch.float64) * 1.5
    eps = torch.randn(shape, generator=g, dtype=torch.float64)
    noise = torch.randn(shape, generator=g, dtype=torch.float64)
    flat = lambda t: [float(v) for v in t.flatten()]  # noqa: E731
    cases = []
    for t, prev in [(999, 979), (499, 479), (19, 0)]:
        mean, sigma = original_step(x, eps, t, prev, ac, 0.99)
        out = mean + (sigma * noise if prev != 0 else 0)
        cases.append({"sampler": "original", "t": t, "prev": prev, "percentile": 0.99, "expected": flat(out)})
    for t, prev in [(961, 921), (41, 1), (1, -39)]:
        mean, sigma = diffusers_step(x, eps, t, prev, ac)
        out = mean + (sigma * noise if t > 0 and prev >= 0 else 0)
        cases.append({"sampler": "diffusers", "t": t, "prev": prev, "expected": flat(out)})
    flash = []
    for t in (979, 729, 479, 229):
        a = ac[t]
        xt = a.sqrt() * x + (1 - a).sqrt() * noise  # q_sample
        x0 = (xt - (1 - a).sqrt() * eps) / a.sqrt()  # get_x_start
        flash.append({"t": t, "xt": flat(xt), "x0": flat(x0)})
    return {
        "shape": list(shape),
        "alphasCumprod": {str(t): float(ac[t]) for t in (0, 229, 479, 729, 961, 979, 999)},
        "x": flat(x),
        "eps": flat(eps),
        "noise": flat(noise),
        "ancestral": cases,
        "flash": flash,
        "originalGrid50": list(range(999, 0, -(1000 // 50))) + [0],
        "diffusersGrid25": [i * (1000 // 25) + 1 for i in reversed(range(25))],
    }


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(build()) + "\n")
    print(f"wrote {FIXTURE}")
