"""What every nano training script shares: device and precision, the data file, EMA, and checkpoints
that are written atomically every few minutes so a run can stop at any moment and resume.

The same code runs on this CPU (torch 1.13, OpenBLAS, 2 threads) and on CUDA (torch 2.x, bf16 autocast).
"""
from __future__ import annotations

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
# Committed fp16 weights to start from when no local checkpoint exists (trained on a lent H100 for
# 2.3 min (autoencoder) and 5.2 min (base U-Net + text encoder)); small enough for git.
SEED_WEIGHTS = REPO / "model" / "nano" / "weights"


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


def load_dataset(path: Path = DATASET) -> dict:
    if not path.exists():
        raise SystemExit(f"{path} is missing: build it with `model/run-python -m model.nano.dataset`")
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


class EMA:
    """Exponential moving average of a module's weights; the shipped weights are the average."""

    def __init__(self, module: torch.nn.Module, decay: float) -> None:
        self.decay = decay
        self.shadow = copy.deepcopy(module).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, module: torch.nn.Module, step: int) -> None:
        decay = min(self.decay, (1 + step) / (10 + step))  # warm start: early averages follow closely
        for s, p in zip(self.shadow.parameters(), module.parameters()):
            s.mul_(decay).add_(p.detach(), alpha=1 - decay)
        for s, b in zip(self.shadow.buffers(), module.buffers()):
            s.copy_(b)


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
