"""Distil the nano base U-Net into the 4-step Flash U-Net, the Kandinsky 3.1 way (kandinsky3-architecture §7).

The student starts as a copy of the base U-Net (with its own copy of the text projection, as the
released Flash has) and learns to give a clean x̂₀ in one call at each of the Flash timesteps
979, 729, 479, 229, with no guidance. Training signal:

- adversarial (the seed's method): a discriminator made of the base U-Net's frozen down path with a
  trainable head per level (model/nano/discriminator.py) compares real latents and student x̂₀, both
  re-noised to a random discriminator time s; hinge loss;
- optionally a distillation term (--distill-weight, as in ADD): the base U-Net with guidance,
  applied to the student's x̂₀ re-noised to a random time, gives a target the student's x̂₀ is pulled
  towards, weighted by ᾱ. The released 3.1 Flash dropped this term; at nano size we report both
  (model/README.md, "Flash ablation");
- a regression term (--regression-weight): the student's x̂₀ against the real latent it was noised
  from, weighted by ᾱ_t, so it counts at the late Flash steps (where x₀ is nearly determined) and not at
  t = 979 (where the answer is a blurry mean). Neither other term sees latent-cell noise: the
  discriminator judges x̂₀ re-noised, which hides it, and the teacher returns the noise it is given.
  Without it the student's last x̂₀ keeps a faint per-cell roughness that the decoder paints as the
  4-pixel blotch texture (RESULTS.md, "Where the Flash texture comes from").

The text encoder and the teacher stay frozen (the pack shares the text encoder).

With --unet inpainting_flash the same recipe distils the inpainting U-Net: every network (student,
teacher, discriminator trunk) sees the keep-mask and masked-image latent beside the noisy latent, with
random masks as in inpainting training (model/nano/masks.py), so Flash inpainting gets 4 sharp steps
instead of running the undistilled inpainting U-Net on the Flash schedule.

    model/run-python -m model.nano.train_flash --minutes 60                       # CPU, resumes
    python3 -m model.nano.train_flash --minutes 2 --batch 512                       # CUDA
    model/run-python -m model.nano.train_flash --distill-weight 0 \\
        --checkpoint model/checkpoints/nano-flash-adversarial-only.pt              # the ablation
    model/run-python -m model.nano.train_flash --unet inpainting_flash --minutes 30  # from nano-inpainting.pt

Writes model/checkpoints/nano-flash.pt (nano-inpainting_flash.pt) (student, its EMA, discriminator heads,
both optimizers, step) every --save-minutes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..config import NANO
from ..kandinsky3 import FLASH_TEACHERS, INPAINTING_KINDS, Kandinsky3
from ..movq import VQModel
from ..schedule import cosine_alphas_cumprod
from ..word_tokenizer import make_index
from .captions import nano_vocab
from .discriminator import DownPathDiscriminator
from .train_base import caption_batch, encode_latents, inpainting_extras, load_text_and_unet
from .training import (CHECKPOINTS, EMA, SEED_WEIGHTS, TrainingRun, autocast, device, latent_cache, load_checkpoint, load_dataset,
                       local_or_committed, resume_state, save_checkpoint, training_arguments)

FLASH_TIMESTEPS = (979, 729, 479, 229)  # kandinsky3-architecture §7.1; the app's flash-sampler.ts uses the same


def flash_from_base(weights: dict, student: str = "flash") -> dict:
    """Teacher run weights → text encoder + teacher + student (a copy of the teacher U-Net)."""
    teacher = f"unets.{FLASH_TEACHERS[student]}."
    out = {k: v for k, v in weights.items() if k.startswith(("text_encoder.", teacher))}
    out.update({f"unets.{student}." + k[len(teacher):]: v for k, v in weights.items() if k.startswith(teacher)})
    return out


def hinge_discriminator_loss(real: list, fake: list) -> torch.Tensor:
    return sum(F.relu(1 - r.float()).mean() + F.relu(1 + f.float()).mean() for r, f in zip(real, fake)) / len(real)


def generator_adversarial_loss(fake: list) -> torch.Tensor:
    return -sum(f.float().mean() for f in fake) / len(fake)


def main(argv=None) -> int:
    parser = training_arguments(__doc__, minutes=60.0, batch=32, lr=2e-5, checkpoint=None,
                                checkpoint_help="default: model/checkpoints/nano-<unet>.pt")
    parser.add_argument("--unet", choices=sorted(FLASH_TEACHERS), default="flash", help="the student to train")
    parser.add_argument("--d-lr", type=float, default=1e-4, help="discriminator-head learning rate")
    parser.add_argument("--distill-weight", type=float, default=2.5, help="0 = adversarial only")
    parser.add_argument("--adversarial-weight", type=float, default=1.0, help="0 = distillation only")
    parser.add_argument("--regression-weight", type=float, default=1.0, help="0 = no pull towards the real latent")
    parser.add_argument("--teacher-guidance", type=float, default=3.0, help="(w+1)·cond − w·uncond, as the app")
    parser.add_argument("--max-disc-time", type=int, default=750, help="discriminator times s ~ U[0, this)")
    parser.add_argument("--base", default=None, help="the teacher's checkpoint; default: model/checkpoints/nano-<teacher>.pt")
    parser.add_argument("--init", default=None, help="the student to go on from without a checkpoint: default its committed "
                        "weights (model/nano/weights/) if any; '' starts from a copy of the teacher")
    parser.add_argument("--movq", default=None, help="default: model/checkpoints/nano-movq.pt, else the committed weights")
    args = parser.parse_args(argv)
    kind, teacher_kind = args.unet, FLASH_TEACHERS[args.unet]
    args.checkpoint = args.checkpoint or str(CHECKPOINTS / f"nano-{kind}.pt")

    dev = device()
    data = load_dataset(args.dataset)
    train = np.flatnonzero(data["heldout"] == 0)
    base_path = Path(args.base or CHECKPOINTS / f"nano-{teacher_kind}.pt")
    if not base_path.exists() and teacher_kind == "base":
        base_path = SEED_WEIGHTS / "nano-base.fp16.pt"
    base = load_checkpoint(base_path)
    if base is None:
        raise SystemExit(f"{base_path} is missing: train the {teacher_kind} U-Net first (model.nano.train_base --unet {teacher_kind})")
    vocab = nano_vocab(data["labels"], data["tags"], data["styles"])
    if base.get("vocab", vocab) != vocab:
        raise SystemExit(f"{base_path} was trained on another vocabulary than {args.dataset or 'the data set'}")
    shift, scale = base["latent"]["shift"], base["latent"]["scale"]
    movq_path = local_or_committed(args.movq, "nano-movq")
    latents = torch.from_numpy((encode_latents(movq_path, data["images"], dev, latent_cache(args.dataset)) - shift) * scale).to(dev)

    movq = None
    if kind in INPAINTING_KINDS:  # masked pictures are encoded on the fly, as in inpainting training
        movq = VQModel(NANO.movq).to(dev).eval().requires_grad_(False)
        movq_state = load_checkpoint(movq_path)
        movq.load_state_dict(movq_state.get("ema", movq_state["model"]))

    torch.manual_seed(0)
    models = Kandinsky3(NANO, (teacher_kind, kind)).to(dev)
    load_text_and_unet(models, {k: v.float() for k, v in flash_from_base(base.get("ema", base["model"]), kind).items()})
    models.requires_grad_(False)
    student, teacher = models.unets[kind], models.unets[teacher_kind]
    student.requires_grad_(True)
    teacher.eval()
    disc = DownPathDiscriminator(teacher).to(dev)
    ema = EMA(student, decay=0.995)
    opt_g = torch.optim.Adam(student.parameters(), lr=args.lr, betas=(0.0, 0.99))  # ADD's betas
    heads = [p for p in disc.parameters() if p.requires_grad]
    opt_d = torch.optim.Adam(heads, lr=args.d_lr, betas=(0.0, 0.99))
    step = 0
    if args.init is None:
        args.init = str(SEED_WEIGHTS / f"nano-{kind}.fp16.pt")
    state = resume_state(Path(args.checkpoint), args.init)
    if state is not None:
        # A weights-only file (EMA and heads in fp16: a committed seed, or what a GPU run brings back)
        # restarts the optimizers.
        as_float = lambda sd: {k: v.float() for k, v in sd.items()}  # noqa: E731
        student.load_state_dict(as_float(state.get("student", state.get("ema", state.get("model")))))
        ema.shadow.load_state_dict(as_float(state.get("ema", state.get("model"))))
        disc.heads.load_state_dict(as_float(state["heads"]))
        if "opt_g" in state:
            opt_g.load_state_dict(state["opt_g"])
            opt_d.load_state_dict(state["opt_d"])
        step = state["step"]
        print(f"continuing at step {step}")

    def checkpoint(step):
        save_checkpoint(Path(args.checkpoint), {
            "student": student.state_dict(), "ema": ema.shadow.state_dict(), "heads": disc.heads.state_dict(),
            "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(), "step": step, "base": str(base_path), "unet": kind,
            "latent": {"shift": shift, "scale": scale}, "vocab": vocab, "prediction_type": "v_prediction",
            "losses": {"distill_weight": args.distill_weight, "adversarial_weight": args.adversarial_weight,
                       "regression_weight": args.regression_weight},
        })

    alphas = cosine_alphas_cumprod().float().to(dev)
    flash_t = torch.tensor(FLASH_TIMESTEPS, device=dev)
    index = make_index(vocab)
    rng = np.random.default_rng(step)
    run = TrainingRun(args.minutes, args.max_steps, args.save_minutes, step, checkpoint, log_every=50)
    student.train()
    disc.train()
    noised = lambda x, t, noise: alphas[t].sqrt().view(-1, 1, 1, 1) * x + (1 - alphas[t]).sqrt().view(-1, 1, 1, 1) * noise  # noqa: E731

    while run.running():
        idx = train[rng.integers(0, len(train), args.batch)]
        ids, mask = caption_batch(rng, data, idx, vocab, index, dev)
        logged = {}
        x0 = latents[torch.from_numpy(idx).to(dev)]
        n = len(idx)
        # The inpainting networks' extra input channels (keep-mask, masked-image latent); none for Flash.
        extras = inpainting_extras(rng, data["images"][idx], movq, x0.shape[-2:], shift, scale, dev) if movq is not None else None
        with_extras = (lambda x: torch.cat([x, extras], dim=1)) if extras is not None else (lambda x: x)  # noqa: E731
        with torch.no_grad(), autocast(dev):
            hidden = models.text_encoder(ids, mask)
            keep = mask[:, :, None].to(hidden.dtype)
            teacher_context = teacher.encoder_hid_proj(hidden) * keep
        with autocast(dev):
            student_context = student.encoder_hid_proj(hidden) * keep
            t = flash_t[torch.randint(0, len(FLASH_TIMESTEPS), (n,), device=dev)]
            xt = noised(x0, t, torch.randn_like(x0))
            v = student(with_extras(xt), t.float(), student_context, mask, project_context=False).float()
            a = alphas[t].view(-1, 1, 1, 1)
            x0_hat = a.sqrt() * xt - (1 - a).sqrt() * v

        s = torch.randint(0, args.max_disc_time, (n,), device=dev)
        noise_s = torch.randn_like(x0)
        if args.adversarial_weight > 0:
            with autocast(dev):
                d_real = disc(with_extras(noised(x0, s, noise_s)), s.float(), teacher_context, mask)
                d_fake = disc(with_extras(noised(x0_hat.detach(), s, noise_s)), s.float(), teacher_context, mask)
                loss_d = hinge_discriminator_loss(d_real, d_fake)
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()
            logged["d"] = loss_d.item()

        loss_g = torch.zeros((), device=dev)
        if args.adversarial_weight > 0:
            with autocast(dev):
                adv = generator_adversarial_loss(disc(with_extras(noised(x0_hat, s, noise_s)), s.float(), teacher_context, mask))
            loss_g = loss_g + args.adversarial_weight * adv
            logged["adv"] = adv.item()
        if args.distill_weight > 0:
            r = torch.randint(0, 1000, (n,), device=dev)
            with torch.no_grad(), autocast(dev):
                xr = noised(x0_hat.detach(), r, torch.randn_like(x0))
                empty_mask = torch.zeros_like(mask)
                empty_mask[:, 0] = 1  # the empty prompt is one EOS token; its context row is the projection of it
                empty_ids = torch.zeros_like(ids)
                empty_ids[:, 0] = 2
                empty = teacher.encoder_hid_proj(models.text_encoder(empty_ids, empty_mask)) * empty_mask[:, :, None].to(hidden.dtype)
                both = teacher(torch.cat([with_extras(xr)] * 2), torch.cat([r, r]).float(), torch.cat([teacher_context, empty]),
                               torch.cat([mask, empty_mask]), project_context=False).float()
                w = args.teacher_guidance
                v_teacher = (w + 1) * both[:n] - w * both[n:]
                ar = alphas[r].view(-1, 1, 1, 1)
                target = ar.sqrt() * xr - (1 - ar).sqrt() * v_teacher
            distill = (ar * (x0_hat - target) ** 2).mean()  # ADD's c(t) = ᾱ_t: trust the teacher where little noise was added
            loss_g = loss_g + args.distill_weight * distill
            logged["distill"] = distill.item()
        if args.regression_weight > 0:
            regression = (a * (x0_hat - x0) ** 2).mean()
            loss_g = loss_g + args.regression_weight * regression
            logged["regression"] = regression.item()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
        opt_g.step()
        ema.update(student, run.step)
        run.end_step(**logged)
    run.finish(args.checkpoint)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
