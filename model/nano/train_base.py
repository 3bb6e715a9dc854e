"""Train the nano base U-Net and its T5 text encoder together, on latents of the nano autoencoder;
with --unet inpainting, fine-tune the 9-channel inpainting U-Net from the base one.

Cosine schedule (as Kandinsky 3), v-prediction (recorded in the pack manifest): at t ≈ T the cosine
schedule has ᾱ ≈ 0, where ε-prediction cannot tell x₀ and few-step distillation becomes ill-posed.
Captions are dropped 10 % of the time (empty prompt) for classifier-free guidance.

    model/run-python -m model.nano.train_base --minutes 240                 # CPU, resumes automatically
    python3 -m model.nano.train_base --minutes 6 --batch 256 --lr 1e-3      # CUDA

    model/run-python -m model.nano.train_base --unet inpainting --minutes 120   # from nano-base.pt

Inpainting input (kandinsky3-architecture §8.1): noisy latent, keep-mask (1 = keep) resized to the latent with
nearest, and the latent of the image with the generated pixels set to 0; masks are brush strokes,
boxes, outpainting borders, or everything (model/nano/masks.py).

Uses model/checkpoints/nano-movq.pt (else the committed autoencoder weights). Writes
model/checkpoints/nano-base.pt (weights, EMA, optimizer, step, latent scale/shift, vocabulary) every
--save-minutes; without one, starts from the committed model/nano/weights/nano-base.fp16.pt.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..config import NANO
from ..kandinsky3 import Kandinsky3
from ..movq import VQModel
from ..schedule import cosine_alphas_cumprod
from ..word_tokenizer import encode, make_index
from .captions import nano_vocab, training_caption
from .masks import random_keep_mask
from .train_autoencoder import to_tensor
from .training import (CHECKPOINTS, EMA, SEED_WEIGHTS, TrainingRun, autocast, device, latent_cache, load_checkpoint,
                       load_dataset, local_or_committed, optimizer_step, resume_state, save_checkpoint, training_arguments,
                       v_training_batch, warm_up_lr)


@torch.no_grad()
def encode_latents(movq_checkpoint: Path, images: np.ndarray, dev, cache: Path | None = None, batch: int = 64) -> np.ndarray:
    """The autoencoder's latents of `images`; with `cache` (a folder: latent_cache(dataset)), kept there
    under a digest of the encoder's weights and the pictures: encoding 21k pictures takes about 10 CPU
    minutes, and every training script needs them. (Batches of 64 run twice as fast as 256 on the CPU.)"""
    if not Path(movq_checkpoint).exists():
        raise SystemExit(f"{movq_checkpoint} is missing: train the autoencoder first (model.nano.train_autoencoder)")
    state = load_checkpoint(movq_checkpoint)
    weights = state.get("ema", state["model"])
    if cache is not None:
        # Keyed by the encoder side only: a decoder fine-tune leaves the latents as they were.
        digest = hashlib.sha1()
        for name in sorted(k for k in weights if k.startswith(("encoder.", "quant_conv."))):
            digest.update(name.encode())
            digest.update(weights[name].float().numpy().tobytes())
        digest.update(np.ascontiguousarray(images).data)
        cache = cache / f"{digest.hexdigest()[:16]}.npy"
        if cache.exists():
            return np.load(cache)
    movq = VQModel(NANO.movq).to(dev).eval()
    movq.load_state_dict(weights)
    out = [movq.encode(to_tensor(images[i : i + batch], dev)).float().cpu().numpy() for i in range(0, len(images), batch)]
    latents = np.concatenate(out)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, latents)
    return latents


def text_and_unet_state(models: Kandinsky3) -> dict:
    """What this stage trains: the text encoder and the U-Net(s). The MoVQ has its own checkpoint."""
    return {k: v for k, v in models.state_dict().items() if not k.startswith("movq.")}


def load_text_and_unet(models: Kandinsky3, state: dict) -> None:
    result = models.load_state_dict(state, strict=False)
    missing = [k for k in result.missing_keys if not k.startswith("movq.")]
    if missing or result.unexpected_keys:
        raise RuntimeError(f"checkpoint does not match the model: missing {missing}, unexpected {result.unexpected_keys}")


def carry_vocabulary(weights: dict, old: list, new: list, seed: int = 0) -> dict:
    """Text-encoder weights trained on vocabulary `old` → the same weights for vocabulary `new`: each
    word keeps its learned embedding row wherever the new vocabulary puts it, and words the old one
    lacked (a new style word, a new label) start from random rows of the embeddings' own spread, so
    a grown data set continues from the trained model instead of starting over."""
    key = "text_encoder.shared.weight"
    table = weights[key]
    out = torch.randn(table.shape, generator=torch.Generator().manual_seed(seed)).to(table.dtype) * table[: len(old)].float().std()
    position = {word: i for i, word in enumerate(old)}
    for i, word in enumerate(new):
        if word in position:
            out[i] = table[position[word]]
    return {**weights, key: out}


def inpainting_from_base(state: dict) -> dict:
    """Base U-Net weights → inpainting U-Net: the same tensors under the inpainting name, with conv_in
    widened from 4 to 9 input channels; the new channels start at zero, so training starts from base."""
    out = {}
    for key, value in state.items():
        if key.startswith("unets.base."):
            key = "unets.inpainting." + key[len("unets.base."):]
            if key.endswith("conv_in.weight"):
                value = torch.cat([value, torch.zeros(value.shape[0], 5, *value.shape[2:], dtype=value.dtype)], dim=1)
        out[key] = value
    return out


@torch.no_grad()
def inpainting_extras(rng: np.random.Generator, images: np.ndarray, movq: VQModel, latent_size, shift: float, scale: float,
                      dev) -> torch.Tensor:
    """The inpainting U-Net's extra input for a batch of pictures (kandinsky3-architecture §8.1): a random keep-mask
    (model/nano/masks.py) resized to the latent with nearest, and the normalised latent of the picture
    with the pixels to generate set to 0 (mid-grey), as the app's inpaint pipeline builds it."""
    keep = torch.from_numpy(np.stack([random_keep_mask(rng) for _ in range(len(images))]))[:, None].to(dev)
    masked = movq.encode(to_tensor(images, dev) * keep)
    return torch.cat([F.interpolate(keep, size=tuple(latent_size), mode="nearest"), (masked - shift) * scale], dim=1)


def caption_batch(rng: np.random.Generator, data: dict, idx: np.ndarray, vocab, index, dev) -> tuple:
    """Training captions for the images `idx` (random keywords, sometimes empty) → (ids, mask) on dev."""
    captions = [
        training_caption(rng, str(data["labels"][data["concept"][i]]), str(data["tags"][data["concept"][i]]),
                         str(data["styles"][data["style"][i]]))
        for i in idx
    ]
    return tuple(t.to(dev) for t in tokenize_batch(captions, vocab, NANO.max_text_length, index))


def tokenize_batch(captions, vocab, max_length, index=None):
    index = index if index is not None else make_index(vocab)
    rows = [encode(c, vocab, max_length, index)[0] for c in captions]
    length = min(max(len(r) for r in rows) + 1, max_length)  # longest + 1, as at inference (kandinsky3-architecture §5.3)
    ids = torch.zeros(len(rows), length, dtype=torch.long)
    mask = torch.zeros(len(rows), length, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r[:length])
        mask[i, : len(r)] = 1
    return ids, mask


def main(argv=None) -> int:
    parser = training_arguments(__doc__, minutes=60.0, batch=32, lr=5e-4, checkpoint=None,
                                checkpoint_help="default: model/checkpoints/nano-<unet>.pt")
    parser.add_argument("--unet", choices=["base", "inpainting"], default="base")
    parser.add_argument("--movq", default=None, help="default: model/checkpoints/nano-movq.pt, else the committed weights")
    parser.add_argument("--init", default=None, help="weights to start from without a checkpoint ('' for none); default: this "
                        "U-Net's committed weights (model/nano/weights/), or for a first inpainting run the base's")
    args = parser.parse_args(argv)

    dev = device()
    data = load_dataset(args.dataset)
    train = np.flatnonzero(data["heldout"] == 0)
    vocab = nano_vocab(data["labels"], data["tags"], data["styles"])
    if len(vocab) > NANO.text.vocab_size:
        raise SystemExit(f"vocabulary of {len(vocab)} exceeds the text encoder's {NANO.text.vocab_size}")

    ckpt_path = Path(args.checkpoint or CHECKPOINTS / f"nano-{args.unet}.pt")
    if args.init is None:  # go on from this U-Net's committed weights; a new inpainting U-Net starts from the base
        own = SEED_WEIGHTS / f"nano-{args.unet}.fp16.pt"
        args.init = str(own if own.exists() else local_or_committed(None, "nano-base"))
    state = resume_state(ckpt_path, args.init)
    if state is not None and state.get("vocab", vocab) != vocab:
        kept = len(set(state["vocab"]) & set(vocab))
        print(f"the data set's vocabulary changed: {kept} of {len(vocab)} words keep their embeddings")
        weights = {name: carry_vocabulary(state[name], state["vocab"], vocab) for name in ("model", "ema") if name in state}
        state = {**{k: v for k, v in state.items() if k != "optimizer"}, **weights, "vocab": vocab}
    if state is not None and args.unet == "inpainting" and any(k.startswith("unets.base.") for k in state["model"]):
        state = {**state, "model": inpainting_from_base(state["model"]), "ema": inpainting_from_base(state.get("ema", state["model"])),
                 "step": 0}
        state.pop("optimizer", None)
    movq_path = local_or_committed(args.movq, "nano-movq")
    latents = encode_latents(movq_path, data["images"], dev, latent_cache(args.dataset))
    movq = None
    if args.unet == "inpainting":  # masked images are encoded on the fly
        movq = VQModel(NANO.movq).to(dev).eval().requires_grad_(False)
        movq_state = load_checkpoint(movq_path)
        movq.load_state_dict(movq_state.get("ema", movq_state["model"]))
    if state is not None:
        shift, scale = state["latent"]["shift"], state["latent"]["scale"]  # keep the normalisation a run started with
    else:
        shift, scale = float(latents[train].mean()), float(1.0 / latents[train].std())
    latents = torch.from_numpy((latents - shift) * scale).to(dev)

    torch.manual_seed(0)
    models = Kandinsky3(NANO, (args.unet,)).to(dev)
    models.movq.requires_grad_(False)  # trained separately; only its latents are used here
    if args.unet != "base":
        # Base, Flash and inpainting share one text-encoder file in the pack, so only the base run trains
        # it; the inpainting U-Net adapts through its own text projection.
        models.text_encoder.requires_grad_(False)
    ema = EMA(models, decay=0.999)
    trainable = [p for p in models.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.01)
    step = 0
    fresh_optimizer = True
    if state is not None:
        load_text_and_unet(models, state["model"])
        load_text_and_unet(ema.shadow, state.get("ema", state["model"]))
        if "optimizer" in state:  # weights-only checkpoints (e.g. from a GPU run) restart the optimizer
            opt.load_state_dict(state["optimizer"])
            fresh_optimizer = False
        step = state["step"]
        print(f"continuing at step {step}")
    text, unet = models.text_conditioning(), models.unets[args.unet]
    index = make_index(vocab)
    alphas = cosine_alphas_cumprod().float().to(dev)

    def checkpoint(step):
        save_checkpoint(ckpt_path, {
            "model": text_and_unet_state(models), "ema": text_and_unet_state(ema.shadow), "optimizer": opt.state_dict(), "step": step,
            "latent": {"shift": shift, "scale": scale}, "vocab": vocab, "prediction_type": "v_prediction",
        })

    # A fresh optimizer (new run, or weights-only checkpoint) warms up again: Adam's first steps
    # move every weight by about lr regardless of its gradient's size.
    warmup_from = step if fresh_optimizer else 0
    rng = np.random.default_rng(step)
    run = TrainingRun(args.minutes, args.max_steps, args.save_minutes, step, checkpoint)
    models.train()
    while run.running():
        idx = train[rng.integers(0, len(train), args.batch)]
        ids, mask = caption_batch(rng, data, idx, vocab, index, dev)
        x0 = latents[torch.from_numpy(idx).to(dev)]
        xt, t, target = v_training_batch(x0, alphas)
        if movq is not None:
            xt = torch.cat([xt, inpainting_extras(rng, data["images"][idx], movq, x0.shape[-2:], shift, scale, dev)], dim=1)
        warm_up_lr(opt, args.lr, run.step - warmup_from, 500)
        with autocast(dev):
            context = text(ids, mask)[0]
            pred = unet(xt, t.float(), context, mask, project_context=False)
        optimizer_step(opt, F.mse_loss(pred.float(), target), trainable, ema, models, run)
    run.finish(ckpt_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
