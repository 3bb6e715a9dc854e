"""Train the nano IP-Adapter (kandinsky3-architecture §9.1) on the frozen nano base U-Net, text encoder and image encoder.

The image encoder stands in for the 3.1 adapter's CLIP ViT-L/14 (no pretrained network exists offline):
a narrow copy of the judge's CNN, trained on its own (another seed and width) to name the concept and the
style of an emoji, so its pooled features carry what an emoji is and how it is drawn:

    model/run-python -m model.nano.classifier --widths 24,48,96,128,128 --seed 1 \\
        --checkpoint model/checkpoints/nano-image-encoder.pt --minutes 15
    model/run-python -m model.nano.train_ip_adapter --minutes 40

Only the adapter learns: `image_proj`, `image_norm` and every cross-attention's `processor`, from a zero
`to_out_ip`. Each image conditions its own denoising (the standard IP-Adapter objective), with the base's
loss (v-prediction MSE). Half the captions are empty, so the image alone can carry the picture (the
fork's image variations); a tenth of the images are replaced by the embedding of an all-zero pixel
tensor, the fork's unconditional image, so guidance has it to push away from.
Writes model/checkpoints/nano-ip-adapter.pt (adapter weights, EMA, optimizer, step).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..config import NANO
from ..kandinsky3 import Kandinsky3, is_image_adapter_key
from ..schedule import cosine_alphas_cumprod
from ..word_tokenizer import make_index
from .captions import nano_vocab, training_caption
from .classifier import load_classifier
from .train_autoencoder import to_tensor
from .train_base import encode_latents, tokenize_batch
from .training import (CHECKPOINTS, EMA, SEED_WEIGHTS, TrainingRun, autocast, device, latent_cache, load_checkpoint,
                       load_dataset, local_or_committed, optimizer_step, resume_state, save_checkpoint, training_arguments,
                       v_training_batch, warm_up_lr)

EMPTY_CAPTION_PROBABILITY = 0.5
NULL_IMAGE_PROBABILITY = 0.1


def adapter_state(unet) -> dict:
    return {k: v for k, v in unet.state_dict().items() if is_image_adapter_key(k)}


def base_with_adapter(base_path: Path, image_dim: int, dev) -> tuple:
    """The frozen base U-Net and text encoder, with fresh IP-Adapter layers (the only trainable part)."""
    state = load_checkpoint(base_path)
    if state is None:
        raise SystemExit(f"{base_path} is missing")
    models = Kandinsky3(NANO.with_unet(image_embedding_dim=image_dim), ("base",))
    weights = {k: v.float() for k, v in state.get("ema", state["model"]).items() if not k.startswith("movq.")}
    result = models.load_state_dict(weights, strict=False)
    missing = [k for k in result.missing_keys if not k.startswith("movq.") and not is_image_adapter_key(k.split("unets.base.", 1)[-1])]
    if missing or result.unexpected_keys:
        raise SystemExit(f"{base_path} does not fit: missing {missing[:5]}, unexpected {result.unexpected_keys[:5]}")
    models = models.to(dev).eval().requires_grad_(False)
    unet = models.unets["base"]
    for name, p in unet.named_parameters():
        p.requires_grad_(is_image_adapter_key(name))
    return models, state


@torch.no_grad()
def image_embeddings(encoder, images: np.ndarray, dev, batch: int = 256) -> torch.Tensor:
    """uint8 (N, 64, 64, 3) → (N, dim) pooled features, un-normalised as the 3.1 pipeline uses CLIP's."""
    return torch.cat([encoder.features(to_tensor(images[i : i + batch], dev)) for i in range(0, len(images), batch)])


def main(argv=None) -> int:
    parser = training_arguments(__doc__, minutes=40.0, batch=32, lr=5e-4, checkpoint=str(CHECKPOINTS / "nano-ip-adapter.pt"))
    parser.add_argument("--base", default=None, help="default: model/checkpoints/nano-base.pt, else the committed weights")
    parser.add_argument("--movq", default=None, help="default: model/checkpoints/nano-movq.pt, else the committed weights")
    parser.add_argument("--image-encoder", default=str(CHECKPOINTS / "nano-image-encoder.pt"))
    args = parser.parse_args(argv)

    dev = device()
    data = load_dataset(args.dataset)
    train = np.flatnonzero(data["heldout"] == 0)
    vocab = nano_vocab(data["labels"], data["tags"], data["styles"])
    encoder_path = Path(args.image_encoder)
    if not encoder_path.exists():
        raise SystemExit(f"{encoder_path} is missing: train the image encoder first (see the docstring)")
    encoder = load_classifier(encoder_path, dev).requires_grad_(False)
    embeds = image_embeddings(encoder, data["images"], dev)
    null_embed = encoder.features(torch.zeros(1, 3, 64, 64, device=dev))  # the fork's unconditional image
    base_path = local_or_committed(args.base, "nano-base")
    models, base_state = base_with_adapter(base_path, embeds.shape[1], dev)
    movq_path = local_or_committed(args.movq, "nano-movq")
    shift, scale = base_state["latent"]["shift"], base_state["latent"]["scale"]
    latents = torch.from_numpy((encode_latents(movq_path, data["images"], dev, latent_cache(args.dataset)) - shift) * scale).to(dev)

    unet = models.unets["base"]
    trainable = [p for p in unet.parameters() if p.requires_grad]
    torch.manual_seed(0)
    for m in unet.modules():  # fresh adapter layers: default init, then the fork's zero output
        if hasattr(m, "to_out_ip"):
            torch.nn.init.zeros_(m.to_out_ip.weight)
            torch.nn.init.zeros_(m.to_out_ip.bias)
    ema = EMA(unet, decay=0.999)
    opt = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.01)
    ckpt_path = Path(args.checkpoint)
    # Go on from the local checkpoint, else from the committed weights (a fresh optimizer), else start.
    state = resume_state(ckpt_path, str(SEED_WEIGHTS / f"{ckpt_path.stem}.fp16.pt"))
    step, fresh = 0, True
    if state is not None:
        as_float = lambda sd: {k: v.float() for k, v in sd.items()}  # noqa: E731
        unet.load_state_dict(as_float(state["model"]), strict=False)
        ema.shadow.load_state_dict(as_float(state.get("ema", state["model"])), strict=False)
        if "optimizer" in state:  # weights-only seeds restart the optimizer
            opt.load_state_dict(state["optimizer"])
        step, fresh = state["step"], "optimizer" not in state
        print(f"continuing at step {step}")

    def checkpoint(step):
        save_checkpoint(ckpt_path, {"model": adapter_state(unet), "ema": adapter_state(ema.shadow), "optimizer": opt.state_dict(),
                                    "step": step, "base": str(base_path), "image_encoder": str(encoder_path),
                                    "image_embedding_dim": int(embeds.shape[1])})

    text = models.text_conditioning()
    index = make_index(vocab)
    alphas = cosine_alphas_cumprod().float().to(dev)
    rng = np.random.default_rng(step)
    run = TrainingRun(args.minutes, args.max_steps, args.save_minutes, step, checkpoint)
    warmup_from = step if fresh else 0
    while run.running():
        idx = train[rng.integers(0, len(train), args.batch)]
        captions = []
        for i in idx:
            label, tags = str(data["labels"][data["concept"][i]]), str(data["tags"][data["concept"][i]])
            caption = training_caption(rng, label, tags, str(data["styles"][data["style"][i]]))
            captions.append("" if rng.random() < EMPTY_CAPTION_PROBABILITY else caption)
        ids, mask = (t.to(dev) for t in tokenize_batch(captions, vocab, NANO.max_text_length, index))
        image = embeds[torch.from_numpy(idx).to(dev)]
        null = torch.from_numpy(rng.random(len(idx)) < NULL_IMAGE_PROBABILITY).to(dev)
        image = torch.where(null[:, None], null_embed.expand_as(image), image)
        x0 = latents[torch.from_numpy(idx).to(dev)]
        xt, t, target = v_training_batch(x0, alphas)
        warm_up_lr(opt, args.lr, run.step - warmup_from, 300)
        with autocast(dev):
            with torch.no_grad():
                context = text(ids, mask)[0]
            pred = unet(xt, t.float(), context, mask, project_context=False, image_embeds=image,
                        image_weight=torch.ones(len(idx), device=dev))
        optimizer_step(opt, F.mse_loss(pred.float(), target), trainable, ema, unet, run)
    run.finish(ckpt_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
