"""Train the nano MoVQ autoencoder (64×64×3 → 16×16×4) on the training split.

It is trained as a continuous autoencoder: Kandinsky 3 diffuses in the pre-quantisation latent and
decodes without the codebook, so the codebook is never used at inference; a small penalty on the
latent's magnitude keeps it well scaled for diffusion. Loss: L1 + MSE on pixels.

    model/run-python -m model.nano.train_autoencoder --minutes 120          # CPU, resumes if a checkpoint exists
    python3 -m model.nano.train_autoencoder --minutes 3 --batch 256         # CUDA
    model/run-python -m model.nano.train_autoencoder --decoder-only --latent-noise 0.3 --minutes 30

--decoder-only fine-tunes the decoder side (post-quant conv and decoder) with the encoder frozen, so the
latent space every U-Net was trained in stays exactly as it is. With --latent-noise, each latent gets
Gaussian noise of a random strength up to that fraction of the latents' spread before decoding, and the
decoder learns to give the clean picture back: a decoder trained on clean latents alone paints every
small off-manifold error (what a few-step sampler leaves) as coloured specks and 4-pixel blotches, one
per latent cell (RESULTS.md, "Where the Flash texture comes from").

Checkpoint: model/checkpoints/nano-movq.pt (weights, EMA, optimizer, step), every --save-minutes; without
one, training starts from the committed model/nano/weights/nano-movq.fp16.pt (--init '' starts fresh).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..config import NANO
from ..movq import VQModel
from .training import CHECKPOINTS, EMA, SEED_WEIGHTS, TrainingRun, autocast, device, load_dataset, resume_state, save_checkpoint, training_arguments

LATENT_PENALTY = 1e-4


def to_tensor(images: np.ndarray, dev) -> torch.Tensor:
    return torch.from_numpy(images).to(dev).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def main(argv=None) -> int:
    parser = training_arguments(__doc__, minutes=60.0, batch=32, lr=1e-3, checkpoint=str(CHECKPOINTS / "nano-movq.pt"))
    parser.add_argument("--init", default=str(SEED_WEIGHTS / "nano-movq.fp16.pt"), help="weights to start from without a checkpoint ('' for none)")
    parser.add_argument("--decoder-only", action="store_true", help="freeze the encoder: the latent space stays as it is")
    parser.add_argument("--latent-noise", type=float, default=0.0, help="largest noise added to latents, as a fraction of their std")
    args = parser.parse_args(argv)

    dev = device()
    data = load_dataset(args.dataset)
    train = data["images"][data["heldout"] == 0]
    torch.manual_seed(0)
    model = VQModel(NANO.movq).to(dev)
    if args.decoder_only:
        model.encoder.requires_grad_(False)
        model.quant_conv.requires_grad_(False)
    ema = EMA(model, decay=0.999)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=args.lr)
    step = 0
    ckpt_path = Path(args.checkpoint)
    if (state := resume_state(ckpt_path, args.init)) is not None:
        model.load_state_dict(state["model"])
        ema.shadow.load_state_dict(state.get("ema", state["model"]))
        if "optimizer" in state and state.get("decoder_only", False) == args.decoder_only:
            opt.load_state_dict(state["optimizer"])  # weights-only checkpoints (a GPU run's) restart it
        step = state["step"]
        print(f"continuing at step {step}")

    def checkpoint(step):
        save_checkpoint(ckpt_path, {"model": model.state_dict(), "ema": ema.shadow.state_dict(), "optimizer": opt.state_dict(),
                                    "step": step, "config": NANO.movq.__dict__, "decoder_only": args.decoder_only,
                                    "latent_noise": args.latent_noise})

    rng = np.random.default_rng(step)
    run = TrainingRun(args.minutes, args.max_steps, args.save_minutes, step, checkpoint, log_every=100)
    model.train()
    while run.running():
        batch = to_tensor(train[rng.integers(0, len(train), args.batch)], dev)
        warmup = min(1.0, (run.step + 1) / 200)
        for group in opt.param_groups:
            group["lr"] = args.lr * warmup
        with autocast(dev):
            with torch.set_grad_enabled(not args.decoder_only):
                latent = model.encode(batch)
            if args.latent_noise > 0:
                strength = torch.rand(len(latent), 1, 1, 1, device=dev) * args.latent_noise * latent.detach().std()
                latent = latent + strength * torch.randn_like(latent)
            recon = model.decode(latent)
        recon = recon.float()
        loss = F.l1_loss(recon, batch) + F.mse_loss(recon, batch) + LATENT_PENALTY * latent.float().pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        ema.update(model, run.step)
        psnr = 10 * torch.log10(4.0 / F.mse_loss(recon.detach(), batch))  # images span [−1, 1]: peak² = 4
        run.end_step(loss=loss.item(), psnr_db=psnr.item())
    run.finish(ckpt_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
