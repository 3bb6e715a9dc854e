"""What every nano training script shares: device and precision, the data file, EMA, and checkpoints
that are written atomically every few minutes so a run can stop at any moment and resume.

The same code runs on this CPU (torch 1.13, OpenBLAS, 2 threads) and on CUDA (torch 2.x, bf16 autocast).
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import os
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[2]
DATASET = REPO / "model" / "data" / "nano-64.npz"
CHECKPOINTS = REPO / "model" / "checkpoints"  # local, not committed: full state every few minutes
# Committed fp16 EMA weights to start from when no local checkpoint exists, small enough for git: the
# autoencoder (2.3 lent-H100 minutes) and the base U-Net + text encoder at step 3,169 (5.2 H100 minutes
# at batch 256, 1,200 CPU steps at batch 32, then 4 H100 minutes at batch 1024).
SEED_WEIGHTS = REPO / "model" / "nano" / "weights"
# Normalised nano latents have unit variance (|z|: 99.9th percentile 2.53, largest 3.16 over 800
# images), so the samplers' x̂₀ clip and dynamic-threshold floor are ±3 rather than Kandinsky 3's ±1,
# which would squash every latent to a third. Written into the manifest as latent.clipRange.
LATENT_CLIP_RANGE = 3.0


def device() -> torch.device:
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        return torch.device("cuda")
    torch.set_num_threads(int(os.environ.get("TRAIN_THREADS", "2")))
    return torch.device("cpu")


def autocast(dev: torch.device):
    """bf16 on CUDA (no loss scaling needed); plain fp32 on CPU, where bf16 is slower."""
    if dev.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def training_arguments(description: str, *, minutes: float, batch: int, lr: float, checkpoint: str | None,
                       checkpoint_help: str | None = None) -> argparse.ArgumentParser:
    """The options every nano training script shares: the time and step budget, batch size, learning
    rate, checkpoint cadence and path, and the data set. Scripts add their own on top."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=minutes, help="stop after this much training time")
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--batch", type=int, default=batch)
    parser.add_argument("--lr", type=float, default=lr)
    parser.add_argument("--save-minutes", type=float, default=3.0, help="checkpoint this often")
    parser.add_argument("--checkpoint", default=checkpoint, help=checkpoint_help)
    parser.add_argument("--dataset", default=None, help=f"default: {DATASET.relative_to(REPO)}")
    return parser


def load_dataset(path: str | Path | None = None) -> dict:
    path = Path(path) if path else DATASET
    if not path.exists():
        raise SystemExit(f"{path} is missing: build it with `model/run-python -m model.nano.dataset`")
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def latent_cache(dataset: str | Path | None) -> Path:
    """Where the autoencoder latents of a data set are cached: beside it (model/data/latents/)."""
    return (Path(dataset) if dataset else DATASET).parent / "latents"


class EMA:
    """Exponential moving average of a module's weights; the shipped weights are the average."""

    def __init__(self, module: torch.nn.Module, decay: float) -> None:
        self.decay = decay
        self.shadow = copy.deepcopy(module).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, module: torch.nn.Module, step: int) -> None:
        decay = min(self.decay, (1 + step) / (10 + step))  # warm start: early averages follow closely
        pairs = [(s, p) for s, p in zip(self.shadow.parameters(), module.parameters()) if p.requires_grad]
        # One fused kernel per list instead of two per tensor: on CUDA a per-tensor loop made this tiny
        # model launch-bound.
        shadow, live = [s for s, _ in pairs], [p.detach() for _, p in pairs]
        torch._foreach_mul_(shadow, decay)
        torch._foreach_add_(shadow, live, alpha=1 - decay)
        for s, b in zip(self.shadow.buffers(), module.buffers()):
            s.copy_(b)


def local_or_committed(path: str | None, name: str) -> Path:
    """`path` if given, else model/checkpoints/<name>.pt if trained here, else the committed fp16 seed
    weights <name>.fp16.pt (as the pack export picks the base and autoencoder)."""
    if path:
        return Path(path)
    local = CHECKPOINTS / f"{name}.pt"
    return local if local.exists() else SEED_WEIGHTS / f"{name}.fp16.pt"


def v_training_batch(x0: torch.Tensor, alphas: torch.Tensor) -> tuple:
    """Clean latents → (x_t, t, v target): one uniform timestep per sample on the cosine schedule, and
    the v-prediction target every nano U-Net trains on (kandinsky3-architecture §6.1; nano's manifest says v)."""
    t = torch.randint(0, len(alphas), (len(x0),), device=x0.device)
    a = alphas[t].view(-1, 1, 1, 1)
    noise = torch.randn_like(x0)
    return a.sqrt() * x0 + (1 - a).sqrt() * noise, t, a.sqrt() * noise - (1 - a).sqrt() * x0


def warm_up_lr(opt: torch.optim.Optimizer, lr: float, steps: int, warmup: int) -> None:
    """Linear warm-up over `warmup` steps: a fresh Adam moves every weight by about lr at first."""
    for group in opt.param_groups:
        group["lr"] = lr * min(1.0, (steps + 1) / warmup)


def optimizer_step(opt: torch.optim.Optimizer, loss: torch.Tensor, params, ema: "EMA", module: torch.nn.Module,
                   run: "TrainingRun") -> None:
    """Backward, clip to norm 1, step, update the EMA of `module`, log the loss."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    ema.update(module, run.step)
    run.end_step(loss=loss.item())


def save_checkpoint(path: Path, state: dict) -> None:
    """Write to a temporary file, then rename: a run killed mid-write leaves the last checkpoint intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: Path) -> dict | None:
    return torch.load(path, map_location="cpu") if path.exists() else None


def resume_state(checkpoint: Path, init: str | None) -> dict | None:
    """The local checkpoint if there is one, else the --init weights (a fresh optimizer), else None."""
    state = load_checkpoint(checkpoint)
    if state is None and init:
        state = load_checkpoint(Path(init))
        if state is not None:
            print(f"starting from {init} (step {state.get('step', 0)})")
    return state


class TrainingRun:
    """The outer loop every nano script shares: go on until the time or step budget is spent, print
    the mean of each logged value every `log_every` steps, call `save(step)` every `save_minutes` and
    once at the end, so that stopping at any moment loses at most a few minutes."""

    def __init__(self, minutes: float, max_steps: int | None, save_minutes: float, step: int, save, log_every: int = 200):
        self.budget = minutes * 60
        self.max_steps = max_steps
        self.step = step
        self.save = save
        self.log_every = log_every
        self.save_due = Every(save_minutes)
        self.started = time.monotonic()
        self.logged: dict = {}

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def running(self) -> bool:
        return self.elapsed() < self.budget and (self.max_steps is None or self.step < self.max_steps)

    def progress(self) -> float:
        """0 → 1 over the run's budget (steps when capped, else time): for schedules that end annealed."""
        return min(self.step / self.max_steps if self.max_steps else self.elapsed() / self.budget, 1.0)

    def end_step(self, **values: float) -> None:
        self.step += 1
        for name, value in values.items():
            self.logged.setdefault(name, []).append(value)
        if self.step % self.log_every == 0:
            parts = " ".join(f"{name} {np.mean(v):.4f}" for name, v in self.logged.items())
            print(f"step {self.step} {parts} ({self.elapsed():.0f} s)", flush=True)
            self.logged.clear()
        if self.save_due():
            self.save(self.step)

    def finish(self, path) -> None:
        self.save(self.step)
        print(f"saved {path} at step {self.step}")


class Every:
    """True once per `minutes` of wall time (checkpoint cadence)."""

    def __init__(self, minutes: float) -> None:
        self.seconds = minutes * 60
        self.last = time.monotonic()

    def __call__(self) -> bool:
        if time.monotonic() - self.last >= self.seconds:
            self.last = time.monotonic()
            return True
        return False
