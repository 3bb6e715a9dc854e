"""Evaluate the nano model on the held-out (concept, style) pairs it never saw in training.

For each row (base 50 steps with guidance, base 25 steps, Flash 4 steps, quantized Flash 4 steps)
it generates `--samples` images per held-out pair from the pair's caption and measures:

- KID ×1000 (unbiased MMD², cubic polynomial kernel) and FID between the generated and the real
  held-out images, in the pooled features of the judge classifier (model/nano/classifier.py), trained
  here on the training split because no pretrained Inception network exists offline; each with its
  spread over random halves of the pairs, so differences smaller than the metric's noise show as such;
- prompt adherence: the judge's top-1 / top-5 concept accuracy and top-1 style accuracy on the
  generated images, overall and per held-out style;
- seed diversity (the judge-feature distance between the images of one prompt, beside the real
  pictures' distance between the styles of one concept) and background specks (model/nano/metrics.py);
- time per image: the pack's ONNX graphs in onnxruntime-node (the browser runtime's native sibling,
  basic optimisation, 1 thread), one image, median of 3 after a warm-up: text encoder + U-Net calls
  (batch 2 per guided step) + MoVQ decoder. `--pack` names the pack; without one, no times.

The quantized Flash row quantizes the Flash U-Net's weights exactly as the int8w export does
(per output channel, symmetric, int8) and runs it in PyTorch; its time comes from the int8w graph.
Reference rows bound the numbers: the judge on the real held-out images (its ceiling), real training
images of other pairs against the held-out ones (the KID of "real but different"), and the held-out
images through the autoencoder (what any decoded image can reach). With --extra-movq the base-50 and
Flash latents are also decoded by another autoencoder's decoder: the texture ablation.

    model/run-python -m model.nano.evaluate --pack public/models/kandinsky3-nano   # → model/nano/RESULTS.md
    model/run-python -m model.nano.evaluate --tiny --out /tmp/results.md           # CI: 4 pairs, 2 samples
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import subprocess
import time
from pathlib import Path

import numpy as np
import torch

from ..config import NANO
from ..movq import VQModel
from .captions import caption
from .classifier import load_classifier, to_input
from .dataset import HELDOUT_STYLES
from .export_pack import assemble
from .metrics import background_specks, fid, group_distance, kid, seed_distance, spread
from .sampling import FLASH_TIMESTEPS, ancestral_grid, decode, refiner_base_grid, refiner_flash_timesteps, sample_latents
from .train_autoencoder import to_tensor
from .training import CHECKPOINTS, REPO, SEED_WEIGHTS, device, load_checkpoint, load_dataset

RESULTS = Path(__file__).with_name("RESULTS.md")
ROWS = (  # name, U-Net, sampler, steps, guidance, quantized, graph format for timing
    ("base, 50 steps, guidance 3", "base", "ancestral", 50, 3.0, False, "fp32"),
    ("base, 25 steps, guidance 3", "base", "ancestral", 25, 3.0, False, "fp32"),
    ("Flash, 4 steps", "flash", "flash", 4, 0.0, False, "fp32"),
    ("Flash int8w, 4 steps", "flash", "flash", 4, 0.0, True, "int8w"),
    # Ablation: what distillation buys. The base U-Net run with the Flash sampler, undistilled.
    ("undistilled: base U-Net, Flash sampler, 4 steps", "base", "flash", 4, 0.0, False, None),
    # Flash as a refiner: the base U-Net's guided steps down to t = 479, then Flash's 479 and 229.
    ("Flash refiner: base 12 steps, guidance 3, then Flash 2 steps", "base", "refiner", 12, 3.0, False, "int8w"),
)
# The rows whose latents are also decoded by each --extra-movq decoder (the texture ablation).
DECODER_ABLATION_ROWS = (ROWS[0][0], ROWS[2][0])
RECONSTRUCTION = "autoencoder: the real held-out images encoded and decoded"
NOISE_LEVELS = (0.1, 0.2)


@torch.no_grad()
def judge(classifier, images: np.ndarray, dev, batch: int = 256):
    feats, concepts, styles = [], [], []
    for i in range(0, len(images), batch):
        x = to_input(images[i : i + batch], dev)
        f = classifier.features(x)
        feats.append(f.float().cpu().numpy())
        concepts.append(classifier.concept(f).float().cpu())
        styles.append(classifier.style(f).float().cpu())
    return np.concatenate(feats).astype(np.float64), torch.cat(concepts), torch.cat(styles)


def adherence(concept_logits, style_logits, concept, style) -> dict:
    top5 = concept_logits.topk(min(5, concept_logits.shape[1]), dim=1).indices
    concept = torch.as_tensor(concept, dtype=torch.long)
    return {
        "concept_top1": float((top5[:, 0] == concept).float().mean()),
        "concept_top5": float((top5 == concept[:, None]).any(dim=1).float().mean()),
        "style_top1": float((style_logits.argmax(1) == torch.as_tensor(style, dtype=torch.long)).float().mean()),
    }


def quantize_int8_(module: torch.nn.Module) -> torch.nn.Module:
    """Round weights the way model/export/weight_formats.py does for int8w: symmetric int8 with one
    scale per output channel, for conv, transposed conv (axis 1), linear and embedding weights."""
    for m in module.modules():
        w = getattr(m, "weight", None)
        if w is None or w.dim() < 2 or w.numel() < 16:
            continue
        axis = 1 if isinstance(m, torch.nn.ConvTranspose2d) else 0
        reduce = tuple(i for i in range(w.dim()) if i != axis)
        scale = w.abs().amax(dim=reduce, keepdim=True) / 127
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        w.data = (w / scale).round().clamp(-127, 127) * scale
    return module


def time_pack(pack: Path, kind: str, fmt: str, unet_calls: int, unet_batch: int) -> dict | None:
    """Median milliseconds per image: ms_per_image, and its parts text_ms, unet_ms, decoder_ms."""
    if not (pack / "manifest.json").exists():
        return None
    script = Path(__file__).with_name("time_pack.ts")
    proc = subprocess.run(["npx", "tsx", str(script), str(pack), kind, fmt, str(unet_calls), str(unet_batch)],
                          cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"timing {kind}/{fmt} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def time_refiner(pack: Path, fmt: str, steps: int) -> dict | None:
    """The refiner's time: the base part as its own image (text, guided U-Net steps, decoder), plus the
    Flash U-Net's unguided calls."""
    base = time_pack(pack, "base", fmt, steps, 2)
    flash = time_pack(pack, "flash", fmt, len(refiner_flash_timesteps()), 1)
    if base is None or flash is None:
        return None
    return {"ms_per_image": base["ms_per_image"] + flash["unet_ms"], "unet_ms": base["unet_ms"] + flash["unet_ms"]}


def load_models(args, dev) -> tuple:
    unets = {"base": args.base, "flash": args.flash}
    models, base = assemble(args.movq, unets)
    return models.to(dev).eval(), base


def evaluation_arguments(doc: str) -> argparse.ArgumentParser:
    """The options every nano evaluation shares: the data, the judge, and the autoencoder, base and Flash."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default=None)
    parser.add_argument("--classifier", type=Path, default=CHECKPOINTS / "nano-classifier.pt")
    parser.add_argument("--movq", type=Path, default=CHECKPOINTS / "nano-movq.pt")
    parser.add_argument("--base", type=Path, default=None, help="default: model/checkpoints/nano-base.pt, else the committed weights")
    parser.add_argument("--flash", type=Path, default=CHECKPOINTS / "nano-flash.pt")
    return parser


def write_section(path: Path, title: str, lines: list) -> None:
    """Writes `title` and `lines` as one "## " section of `path`, in place of the one there (up to the next
    "## " heading or the end), keeping whatever else the file holds."""
    section = "\n".join([title, *lines]) + "\n"
    text = path.read_text() if path.exists() else ""
    pattern = re.compile(re.escape(title) + r".*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: section, text) if title in text else (text.rstrip("\n") + "\n\n" + section if text else section)
    path.write_text(text)


def load_decoder(path: Path, dev) -> VQModel:
    state = load_checkpoint(path)
    if state is None:
        raise SystemExit(f"{path} is missing")
    movq = VQModel(NANO.movq).to(dev).eval()
    movq.load_state_dict({k: v.float() for k, v in state.get("ema", state["model"]).items()})
    return movq


def scored(name: str, images: np.ndarray, classifier, dev, real_feats: np.ndarray, concept, style, samples: int,
           styles: np.ndarray, **extra) -> dict:
    """One results row: the judge's adherence overall and per held-out style, KID and FID against the real
    held-out images with their spread over random halves of the pairs, seed diversity, background specks."""
    feats, c_logits, s_logits = judge(classifier, images, dev)
    per_style = {}
    for s in np.unique(style):
        rows = style == s
        per_style[str(styles[s])] = adherence(c_logits[rows], s_logits[rows], concept[rows], style[rows])
    return {
        "row": name, **adherence(c_logits, s_logits, concept, style),
        "kid": kid(feats, real_feats), "kid_spread": spread(kid, feats, real_feats, samples),
        "fid": fid(feats, real_feats), "fid_spread": spread(fid, feats, real_feats, samples),
        "seed_distance": seed_distance(feats, samples), "specks": float(background_specks(images).mean()),
        "per_style": per_style, "ms": None, **extra,
    }


def main(argv=None) -> int:
    parser = evaluation_arguments(__doc__)
    parser.add_argument("--extra-flash", action="append", default=[], metavar="NAME=PATH",
                        help="another Flash checkpoint to score as its own row (the loss ablation)")
    parser.add_argument("--extra-movq", action="append", default=[], metavar="NAME=PATH",
                        help="another autoencoder whose decoder also decodes the base-50 and Flash rows (the texture ablation)")
    parser.add_argument("--pack", type=Path, default=None, help="pack whose ONNX graphs are timed")
    parser.add_argument("--samples", type=int, default=4, help="images per held-out pair")
    parser.add_argument("--tiny", action="store_true", help="4 pairs, 2 samples, 10/5 steps: a smoke test for CI")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="score only the rows whose name contains TEXT (e.g. the base rows of a training curve)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    resolve_weights(args, (args.classifier, args.flash))

    dev = device()
    data = load_dataset(args.dataset)
    held = np.flatnonzero(data["heldout"] == 1)
    rows = ROWS
    if args.tiny:
        held, args.samples = held[:4], 2
        rows = [(name.replace("50", "10").replace("25", "5"), kind, sampler, {50: 10, 25: 5}.get(steps, steps), g, q, f)
                for name, kind, sampler, steps, g, q, f in ROWS]
    ablated = {row[0] for row, original in zip(rows, ROWS) if original[0] in DECODER_ABLATION_ROWS}
    classifier = load_classifier(args.classifier, dev)
    models, base = load_models(args, dev)
    vocab, shift, scale = base["vocab"], base["latent"]["shift"], base["latent"]["scale"]
    quantized = quantize_int8_(copy.deepcopy(models))
    decoders = {name: load_decoder(Path(path), dev) for name, path in (e.split("=", 1) for e in args.extra_movq)}

    real = data["images"][held]
    real_feats, real_c, real_s = judge(classifier, real, dev)
    pair_concept = np.repeat(data["concept"][held], args.samples)
    pair_style = np.repeat(data["style"][held], args.samples)
    prompts = [caption(str(data["labels"][c]), str(data["styles"][s])) for c, s in zip(pair_concept, pair_style)]
    score = lambda name, images, **extra: scored(name, images, classifier, dev, real_feats, pair_concept, pair_style,  # noqa: E731
                                                 args.samples, data["styles"], **extra)

    rows = [row for row in rows if not args.only or any(text in row[0] for text in args.only)]
    variants = {}
    for extra in args.extra_flash:
        name, path = extra.split("=", 1)
        variants[f"Flash ({name}), 4 steps"] = assemble(args.movq, {"base": args.base, "flash": Path(path)})[0].to(dev).eval()
        rows.append((f"Flash ({name}), 4 steps", "flash", "flash", 4, 0.0, False, None))
        ablated.add(f"Flash ({name}), 4 steps")

    # Reference rows: the judge on the real held-out images (its ceiling) against real images of other
    # pairs (the KID of "real but different"), and the autoencoder alone, for each decoder.
    others = np.flatnonzero(data["heldout"] == 0)
    others = np.random.default_rng(0).choice(others, size=min(len(prompts), len(others)), replace=False)
    other_feats = judge(classifier, data["images"][others], dev)[0]
    held_style = data["style"][held]
    results = [{
        "row": "reference: real images (accuracy: the held-out images; KID, FID: other pairs)",
        **adherence(real_c, real_s, data["concept"][held], held_style),
        "per_style": {str(data["styles"][s]): adherence(real_c[held_style == s], real_s[held_style == s], data["concept"][held][held_style == s],
                                                         held_style[held_style == s]) for s in np.unique(held_style)},
        "kid": kid(other_feats, real_feats), "kid_spread": spread(kid, other_feats, real_feats, args.samples),
        "fid": fid(other_feats, real_feats), "fid_spread": spread(fid, other_feats, real_feats, args.samples),
        "specks": float(background_specks(real).mean()), "seed_distance": float("nan"), "ms": None,
    }]
    with torch.no_grad():
        real_latents = (torch.cat([models.movq.encode(to_tensor(real[i : i + 64], dev)) for i in range(0, len(real), 64)]) - shift) * scale
    # The decoder's response to latents slightly off the autoencoder's manifold (what a few-step sampler
    # leaves): the same latents with Gaussian noise of 0.1 and 0.2 of their (unit) spread.
    noise = torch.randn(real_latents.shape, generator=torch.Generator().manual_seed(0)).to(dev)
    for name, movq in {"": models.movq, **decoders}.items():
        for sigma in (0.0, *NOISE_LEVELS):
            label = RECONSTRUCTION + (f", latents + noise {sigma}" if sigma else "") + (f" (decoder: {name})" if name else "")
            results.append(scored(label, decode(movq, real_latents + sigma * noise, shift, scale),
                                  classifier, dev, real_feats, data["concept"][held], held_style, 1, data["styles"]))

    for name, kind, sampler, steps, guidance, is_quantized, fmt in rows:
        net = variants.get(name, quantized if is_quantized else models)
        started = time.monotonic()
        latents = torch.cat([
            sample_latents(net, kind, prompts[i : i + 64], vocab, seed=i, sampler=sampler, steps=steps, guidance=guidance)
            for i in range(0, len(prompts), 64)
        ])
        if sampler == "refiner":
            ms = time_refiner(args.pack, fmt, steps) if args.pack and fmt else None
        else:
            calls = len(unet_calls(sampler, steps))
            ms = time_pack(args.pack, kind, fmt, calls, 2 if guidance > 0 else 1) if args.pack and fmt else None
        results.append(score(name, decode(net.movq, latents, shift, scale), ms=ms and ms["ms_per_image"],
                             unet_ms=ms and ms["unet_ms"], torch_s=time.monotonic() - started))
        print(json.dumps({k: v for k, v in results[-1].items() if k != "per_style"}), flush=True)
        if name in ablated:
            for decoder, movq in decoders.items():
                results.append(score(f"{name} (decoder: {decoder})", decode(movq, latents, shift, scale)))

    images, groups = concept_images(data, held)
    write_results(args.out, results, len(held), args.samples, args.tiny, group_distance(judge(classifier, images, dev)[0], groups))
    print(f"wrote {args.out}")
    return 0


def concept_images(data: dict, held: np.ndarray) -> tuple:
    """Every picture (all styles) of the held-out pairs' concepts, and its concept: the real images'
    spread within one concept, beside which the seeds' spread is read."""
    rows = np.flatnonzero(np.isin(data["concept"], data["concept"][held]))
    return data["images"][rows], data["concept"][rows]


def resolve_weights(args, required) -> None:
    """The base and autoencoder fall back to the committed weights, as the pack export does; every other
    checkpoint in `required` must have been trained."""
    if args.base is None:
        args.base = CHECKPOINTS / "nano-base.pt" if (CHECKPOINTS / "nano-base.pt").exists() else SEED_WEIGHTS / "nano-base.fp16.pt"
    if not args.movq.exists():
        args.movq = SEED_WEIGHTS / "nano-movq.fp16.pt"
    for path in (*required, args.base):
        if not path.exists():
            raise SystemExit(f"{path} is missing: train it first (see the kandinsky3-nano section of model/README.md)")


def unet_calls(sampler: str, steps: int) -> list:
    if sampler == "refiner":
        return [t for t, _ in refiner_base_grid(steps, refiner_flash_timesteps()[0])] + list(refiner_flash_timesteps())
    return list(FLASH_TIMESTEPS) if sampler == "flash" else ancestral_grid(steps, "original" if sampler == "ancestral" else "diffusers")


def write_results(path: Path, results: list, pairs: int, samples: int, tiny: bool, real_style_distance: float) -> None:
    number = lambda v, f="{:.2f}": "–" if v is None or v != v else f.format(v)  # noqa: E731  (v != v: NaN)
    lines = [
        "# kandinsky3-nano: evaluation on the held-out pairs",
        "",
        f"Written by `model/run-python -m model.nano.evaluate`{' --tiny' if tiny else ''}: {pairs} held-out (concept, style) pairs "
        f"× {samples} images. KID ×1000 and FID in the judge's features (lower is better), each ± its standard deviation over "
        "20 random halves of the pairs (an upper bound on the metric's own noise: rows closer than that are not told apart); "
        "accuracies are the judge's on the generated images; seed distance is the mean cosine distance of the judge's features "
        "between the images of one prompt; specks ‰ is the share of isolated off-white pixels in white background "
        "(model/nano/metrics.py); time is one 64×64 image through the pack's ONNX graphs in onnxruntime-node on this "
        "machine's CPU.",
        "",
        "| row | KID ×1000 | FID | concept top-1 | concept top-5 | style top-1 | seed distance | specks ‰ | ms / image | of which U-Net |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['row']} | {1000 * r['kid']:.2f} ± {1000 * r['kid_spread']:.2f} | {r['fid']:.1f} ± {r['fid_spread']:.1f} | "
            f"{100 * r['concept_top1']:.1f} % | {100 * r['concept_top5']:.1f} % | {100 * r['style_top1']:.1f} % | "
            f"{number(r.get('seed_distance'), '{:.3f}')} | {1000 * r['specks']:.2f} | {number(r.get('ms'), '{:.0f}')} | "
            f"{number(r.get('unet_ms'), '{:.0f}')} |")
    lines += ["", f"Seed diversity reference: the real pictures of one held-out concept, across its styles, are "
              f"{real_style_distance:.3f} apart (mean cosine distance in the judge's features).", ""]
    styles = [s for s in HELDOUT_STYLES if any(s in r["per_style"] for r in results)]
    lines += ["Per held-out style (concept top-5 / style top-1):", "",
              "| row | " + " | ".join(styles) + " |", "| --- |" + " ---: |" * len(styles)]
    for r in results:
        cells = [f"{100 * r['per_style'][s]['concept_top5']:.1f} % / {100 * r['per_style'][s]['style_top1']:.1f} %"
                 if s in r["per_style"] else "–" for s in styles]
        lines.append(f"| {r['row']} | " + " | ".join(cells) + " |")
    by_name = {r["row"]: r for r in results}
    base, flash = by_name.get(ROWS[0][0]), by_name.get(ROWS[3][0])
    if base and flash and not tiny:
        lines += ["", "Goal (the app's default, Flash int8w, 4 steps, against base 50 steps):", ""]
        lines.append(f"- KID: Flash int8w {1000 * flash['kid']:.2f} vs base {1000 * base['kid']:.2f} "
                     f"({'met' if flash['kid'] <= 1.1 * base['kid'] else 'not met'}: at most 1.1×)")
        lines.append(f"- concept top-5: {100 * flash['concept_top5']:.1f} % ({'met' if flash['concept_top5'] >= 0.6 else 'not met'}: at least 60 %)")
        lines.append(f"- style top-1: {100 * flash['style_top1']:.1f} % ({'met' if flash['style_top1'] >= 0.88 else 'not met'}: at least 88 %)")
        if base["ms"] and flash["ms"]:
            lines.append(f"- speed per image: {base['ms'] / flash['ms']:.1f}× faster than base 50 steps; "
                         f"U-Net time alone: {base['unet_ms'] / flash['unet_ms']:.1f}×")
    # Sections other scripts write (## headings, e.g. evaluate_controlnet's) stay.
    old = path.read_text() if path.exists() else ""
    section = re.search(r"^## ", old, re.M)
    kept = "\n" + old[section.start() :] if section else ""
    path.write_text("\n".join(lines) + "\n" + kept)


if __name__ == "__main__":
    raise SystemExit(main())
