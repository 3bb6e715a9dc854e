"""Train the nano edge ControlNet (kandinsky3-architecture §9.2) against the frozen nano base U-Net and text encoder.

Hints are Sobel edge maps of the training images (model/edge_map.py, the map the browser computes), half
of them turned into scribble-like strokes so that a user's brush drawing works too. The loss is the base
model's own (v-prediction MSE); only the ControlNet learns. Half the captions are empty, as in the
ControlNet paper, so the hint alone must carry the layout.

    model/run-python -m model.nano.train_controlnet --minutes 40        # CPU, resumes automatically
    python3 -m model.nano.train_controlnet --minutes 5 --batch 256      # CUDA

Starts as a copy of the base U-Net's down path with zero output convs (Kandinsky3ControlNet.from_unet).
Writes model/checkpoints/nano-controlnet.pt (ControlNet weights, EMA, optimizer, step).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..config import NANO
from ..controlnet import Kandinsky3ControlNet
from ..edge_map import scribble_like, sobel_edges
from ..kandinsky3 import Kandinsky3
from ..schedule import cosine_alphas_cumprod
from ..word_tokenizer import make_index
from .captions import nano_vocab, training_caption
from .train_autoencoder import to_tensor
from .train_base import encode_latents, load_text_and_unet, tokenize_batch
from .training import (CHECKPOINTS, EMA, SEED_WEIGHTS, TrainingRun, autocast, device, latent_cache, load_checkpoint,
                       load_dataset, local_or_committed, optimizer_step, resume_state, save_checkpoint, training_arguments,
                       v_training_batch, warm_up_lr)

EMPTY_CAPTION_PROBABILITY = 0.5
SCRIBBLE_PROBABILITY = 0.5


def frozen_base(path: Path, dev) -> tuple:
    """→ (Kandinsky3 with the base U-Net and text encoder, frozen; the base run's state)."""
    state = load_checkpoint(path)
    if state is None:
        raise SystemExit(f"{path} is missing")
    models = Kandinsky3(NANO, ("base",))
    load_text_and_unet(models, {k: v.float() for k, v in state.get("ema", state["model"]).items()})
    return models.to(dev).eval().requires_grad_(False), state


def controlnet_captions(rng: np.random.Generator, data: dict, idx: np.ndarray) -> list:
    out = []
    for i in idx:
        label, tags, style = (str(data[k][data[c][i]]) for k, c in (("labels", "concept"), ("tags", "concept"), ("styles", "style")))
        out.append("" if rng.random() < EMPTY_CAPTION_PROBABILITY else training_caption(rng, label, tags, style))
    return out


def training_hints(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    edges = sobel_edges(images)
    scribble = torch.rand(len(images), generator=generator) < SCRIBBLE_PROBABILITY
    return torch.where(scribble.to(images.device)[:, None, None, None], scribble_like(edges, generator), edges)


def main(argv=None) -> int:
    parser = training_arguments(__doc__, minutes=40.0, batch=32, lr=2e-4, checkpoint=str(CHECKPOINTS / "nano-controlnet.pt"))
    parser.add_argument("--base", default=None, help="base U-Net + text encoder (default: model/checkpoints/nano-base.pt, "
                        "else the committed weights, as the pack export does)")
    parser.add_argument("--movq", default=None, help="default: model/checkpoints/nano-movq.pt, else the committed weights")
    args = parser.parse_args(argv)

    dev = device()
    data = load_dataset(args.dataset)
    train = np.flatnonzero(data["heldout"] == 0)
    vocab = nano_vocab(data["labels"], data["tags"], data["styles"])
    base_path = local_or_committed(args.base, "nano-base")
    models, base_state = frozen_base(base_path, dev)
    movq_path = local_or_committed(args.movq, "nano-movq")
    shift, scale = base_state["latent"]["shift"], base_state["latent"]["scale"]
    latents = torch.from_numpy((encode_latents(movq_path, data["images"], dev, latent_cache(args.dataset)) - shift) * scale).to(dev)

    torch.manual_seed(0)
    unet = models.unets["base"]
    controlnet = Kandinsky3ControlNet.from_unet(unet, NANO.movq.scale_factor).to(dev)
    ema = EMA(controlnet, decay=0.999)
    opt = torch.optim.AdamW(controlnet.parameters(), lr=args.lr, weight_decay=0.01)
    ckpt_path = Path(args.checkpoint)
    # Go on from the local checkpoint, else from the committed weights (a fresh optimizer), else start.
    state = resume_state(ckpt_path, str(SEED_WEIGHTS / f"{ckpt_path.stem}.fp16.pt"))
    step, fresh = 0, True
    if state is not None:
        as_float = lambda sd: {k: v.float() for k, v in sd.items()}  # noqa: E731
        controlnet.load_state_dict(as_float(state["model"]))
        ema.shadow.load_state_dict(as_float(state.get("ema", state["model"])))
        if "optimizer" in state:  # weights-only seeds restart the optimizer
            opt.load_state_dict(state["optimizer"])
        step, fresh = state["step"], "optimizer" not in state
        print(f"continuing at step {step}")

    def checkpoint(step):
        save_checkpoint(ckpt_path, {"model": controlnet.state_dict(), "ema": ema.shadow.state_dict(), "optimizer": opt.state_dict(),
                                    "step": step, "base": str(base_path), "hint": "sobel", "attaches_to": "base"})

    text = models.text_conditioning()
    index = make_index(vocab)
    alphas = cosine_alphas_cumprod().float().to(dev)
    rng = np.random.default_rng(step)
    generator = torch.Generator().manual_seed(step)
    run = TrainingRun(args.minutes, args.max_steps, args.save_minutes, step, checkpoint)
    warmup_from = step if fresh else 0
    controlnet.train()
    while run.running():
        idx = train[rng.integers(0, len(train), args.batch)]
        ids, mask = (t.to(dev) for t in tokenize_batch(controlnet_captions(rng, data, idx), vocab, NANO.max_text_length, index))
        hint = training_hints(to_tensor(data["images"][idx], dev) * 0.5 + 0.5, generator)
        x0 = latents[torch.from_numpy(idx).to(dev)]
        xt, t, target = v_training_batch(x0, alphas)
        warm_up_lr(opt, args.lr, run.step - warmup_from, 300)
        with autocast(dev):
            with torch.no_grad():
                context = text(ids, mask)[0]
            control = controlnet(xt, t.float(), context, mask, hint)
            pred = unet(xt, t.float(), context, mask, project_context=False, control=control)
        optimizer_step(opt, F.mse_loss(pred.float(), target), controlnet.parameters(), ema, controlnet, run)
    run.finish(ckpt_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
