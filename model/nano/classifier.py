"""The evaluation's judge: a small CNN trained on real emoji to name the concept and the style of a
64×64 picture. Its pooled features are also the feature space for KID, since no pretrained Inception
network exists offline (issue 4 asks for a feature extractor trained on this data).

It never sees the held-out (concept, style) pairs either, so on the real held-out images it shows
how well concept and style transfer across styles: the ceiling for generated images.

    model/run-python -m model.nano.classifier --minutes 20        # CPU; writes model/checkpoints/nano-classifier.pt
    python3 -m model.nano.classifier --minutes 0.5 --batch 512    # CUDA
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .training import CHECKPOINTS, TrainingRun, autocast, device, load_dataset, save_checkpoint, training_arguments

FEATURES = 256


def _stage(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.GroupNorm(8, c_out), nn.SiLU(),
        nn.Conv2d(c_out, c_out, 3, padding=1), nn.GroupNorm(8, c_out), nn.SiLU(),
    )


# The judge's widths: a stem, then four stages that halve the size (64 → 4); the last is the feature width.
JUDGE_WIDTHS = (32, 64, 128, 256, FEATURES)


class EmojiClassifier(nn.Module):
    def __init__(self, concepts: int, styles: int, widths=JUDGE_WIDTHS) -> None:
        super().__init__()
        self.widths = tuple(widths)
        stages = [_stage(a, b) for a, b in zip(self.widths[:-1], self.widths[1:])]
        self.trunk = nn.Sequential(
            nn.Conv2d(3, self.widths[0], 3, padding=1), nn.SiLU(), *stages, nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.concept = nn.Linear(self.widths[-1], concepts)
        self.style = nn.Linear(self.widths[-1], styles)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, 64, 64) in [−1, 1] → (B, widths[-1]) pooled features (the judge's: the KID space)."""
        return self.trunk(images)

    def forward(self, images: torch.Tensor):
        f = self.features(images)
        return self.concept(f), self.style(f)


def to_input(images: np.ndarray, dev) -> torch.Tensor:
    """uint8 (B, 64, 64, 3) → float (B, 3, 64, 64) in [−1, 1]."""
    return torch.from_numpy(images).to(dev).permute(0, 3, 1, 2).float() / 127.5 - 1


def augment(x: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Small shifts and zooms (white padding, as the data is composited on white), so the judge
    looks at shapes rather than exact pixel positions, which generated images will not match."""
    b = x.shape[0]
    scale = torch.from_numpy(rng.uniform(0.85, 1.1, b)).float().to(x.device)
    shift = torch.from_numpy(rng.uniform(-0.12, 0.12, (b, 2))).float().to(x.device)
    theta = torch.zeros(b, 2, 3, device=x.device)
    theta[:, 0, 0] = theta[:, 1, 1] = 1 / scale
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x - 1, grid, align_corners=False, padding_mode="zeros") + 1


def load_classifier(path: Path, dev) -> EmojiClassifier:
    state = torch.load(path, map_location="cpu")
    model = EmojiClassifier(state["concepts"], state["styles"], state.get("widths", JUDGE_WIDTHS)).to(dev).eval()
    model.load_state_dict({k: v.float() for k, v in state["model"].items()})
    return model


def main(argv=None) -> int:
    parser = training_arguments(__doc__, minutes=20.0, batch=128, lr=2e-3, checkpoint=str(CHECKPOINTS / "nano-classifier.pt"))
    parser.add_argument("--widths", default=",".join(map(str, JUDGE_WIDTHS)),
                        help="stem and stage widths; the IP-Adapter's image encoder is a narrower one (model/nano/train_ip_adapter.py)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init", type=Path, default=None,
                        help="start from this checkpoint's weights (a second, warm-restarted run on a CPU's short budget)")
    args = parser.parse_args(argv)
    widths = tuple(int(w) for w in args.widths.split(","))

    dev = device()
    data = load_dataset(args.dataset)
    train = np.flatnonzero(data["heldout"] == 0)
    images = torch.from_numpy(data["images"]).to(dev)
    concept = torch.from_numpy(data["concept"].astype(np.int64)).to(dev)
    style = torch.from_numpy(data["style"].astype(np.int64)).to(dev)
    torch.manual_seed(args.seed)
    model = EmojiClassifier(len(data["concepts"]), len(data["styles"]), widths).to(dev)
    step = 0
    if args.init is not None:
        start = torch.load(args.init, map_location="cpu")
        if tuple(start.get("widths", JUDGE_WIDTHS)) != widths:
            raise SystemExit(f"{args.init} has widths {start.get('widths')}, not {widths}")
        model.load_state_dict({k: v.float() for k, v in start["model"].items()})
        step = start["step"]
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    rng = np.random.default_rng(args.seed)

    def checkpoint(step):
        save_checkpoint(Path(args.checkpoint), {
            "model": {k: v.half() for k, v in model.state_dict().items()}, "step": step,
            "concepts": len(data["concepts"]), "styles": len(data["styles"]), "widths": widths,
        })

    run = TrainingRun(args.minutes, args.max_steps, args.save_minutes, step, checkpoint)
    first = step
    model.train()
    while run.running():
        # Cosine decay over the time budget (or the step budget), so a short run still ends annealed.
        for group in opt.param_groups:
            group["lr"] = args.lr * 0.5 * (1 + np.cos(np.pi * run.progress())) * min(1.0, (run.step - first + 1) / 100)
        idx = torch.from_numpy(train[rng.integers(0, len(train), args.batch)]).to(dev)
        x = augment(images[idx].permute(0, 3, 1, 2).float() / 127.5 - 1, rng)
        with autocast(dev):
            concept_logits, style_logits = model(x)
        loss = F.cross_entropy(concept_logits.float(), concept[idx]) + F.cross_entropy(style_logits.float(), style[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        run.end_step(loss=loss.item())
    run.finish(args.checkpoint)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
