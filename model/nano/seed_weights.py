"""Copy the trained nano checkpoints into the committed seed weights (model/nano/weights/*.fp16.pt), so
the next run, on a GPU or a CPU, resumes from them instead of from an older model.

A local checkpoint (model/checkpoints/<name>.pt) holds the live weights, their EMA, optimizer state and
metadata: tens of MB. The seed keeps what a run needs to go on and what a pack is built from: the EMA
weights in fp16 under "model", the Flash discriminator heads, and the metadata (step, vocabulary,
latent normalisation, …). Optimizers restart, with a warm-up, from a seed.

    model/run-python -m model.nano.seed_weights            # every checkpoint there is
    model/run-python -m model.nano.seed_weights nano-flash  # one
"""
from __future__ import annotations

import sys


from .training import CHECKPOINTS, SEED_WEIGHTS, load_checkpoint, save_checkpoint

# Every part of the bundled model, by checkpoint name.
PARTS = ("nano-movq", "nano-base", "nano-inpainting", "nano-flash", "nano-inpainting_flash", "nano-controlnet",
         "nano-ip-adapter", "nano-image-encoder", "nano-classifier", "nano-upscaler")
# Live weights and optimizer states: not needed to resume from a seed (the EMA is what ships).
DROPPED = ("optimizer", "opt_g", "opt_d", "student")


def half(weights: dict) -> dict:
    return {k: v.half() if v.is_floating_point() else v for k, v in weights.items()}


def seed_of(state: dict) -> dict:
    """A checkpoint → its seed: the EMA (or the only) weights as fp16 "model", heads in fp16, metadata kept."""
    out = {k: v for k, v in state.items() if k not in DROPPED and k not in ("model", "ema", "heads")}
    # Not state.get("ema", state["model"]): the default is evaluated first, and Flash checkpoints have no "model".
    out["model"] = half(state["ema"] if "ema" in state else state["model"])
    if "heads" in state:
        out["heads"] = half(state["heads"])
    return out


def main(argv=None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or PARTS
    for name in names:
        state = load_checkpoint(CHECKPOINTS / f"{name}.pt")
        if state is None:
            print(f"{name}: no checkpoint, the committed seed stays")
            continue
        target = SEED_WEIGHTS / f"{name}.fp16.pt"
        save_checkpoint(target, seed_of(state))
        print(f"{name}: step {state.get('step')} → {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
