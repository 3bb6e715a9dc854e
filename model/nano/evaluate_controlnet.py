"""Evaluate the nano edge ControlNet on held-out (concept, style) pairs: does the picture follow the edges?

Each held-out pair's caption is the prompt; the hint is the Sobel edge map (model/edge_map.py, what the
browser computes) of *another* held-out image, or a scribble made from it (scribble_like, what a drawing
looks like). Most emoji share a centred round layout, so a hint taken from the prompt's own image would be
followed by chance; another image's edges must be followed on purpose. The generated image's own edge
map is compared with the hint:

- edge F1: edges are pixels above 0.25 (a quarter of a full black/white step); a generated edge counts
  as right when a hint edge lies within 1 pixel, and a hint edge as found when a generated edge does
  (the usual tolerance of edge-detection benchmarks). F1 of that precision and recall;
- edge correlation: Pearson's r between the two edge maps;
- concept and style accuracy of the judge classifier (model/nano/classifier.py), to show what following
  the edges costs the prompt.

The first row is the floor: the same prompts and seeds without a hint, scored against the hints. The
rows then add the ControlNet on the Flash U-Net (what the app runs by default) and on the base U-Net it
was trained with. Writes the "Edge guidance" section of model/nano/RESULTS.md.

    model/run-python -m model.nano.evaluate_controlnet            # 85 pairs × 2 images
    model/run-python -m model.nano.evaluate_controlnet --tiny --out /tmp/edges.md
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..edge_map import scribble_like, sobel_edges
from .captions import caption
from .classifier import load_classifier
from .evaluate import RESULTS, adherence, evaluation_arguments, judge, resolve_weights, write_section
from .export_pack import assemble
from .sampling import decode, sample_latents
from .training import CHECKPOINTS, device, load_dataset

EDGE_THRESHOLD = 0.25
SECTION = "## Edge guidance (ControlNet)"
ROWS = (  # name, U-Net, sampler, steps, guidance, hint kind (None: no hint), strength, with the prompt
    ("no hint (floor), Flash 4 steps", "flash", "flash", 4, 0.0, None, 0.0, True),
    ("edge map, Flash 4 steps", "flash", "flash", 4, 0.0, "edges", 1.0, True),
    ("edge map, Flash 4 steps, strength 0.5", "flash", "flash", 4, 0.0, "edges", 0.5, True),
    ("edge map, Flash 4 steps, strength 2", "flash", "flash", 4, 0.0, "edges", 2.0, True),
    ("edge map, Flash 4 steps, empty prompt", "flash", "flash", 4, 0.0, "edges", 1.0, False),
    ("scribble, Flash 4 steps", "flash", "flash", 4, 0.0, "scribble", 1.0, True),
    ("no hint (floor), base 25 steps, guidance 3", "base", "ancestral", 25, 3.0, None, 0.0, True),
    ("edge map, base 25 steps, guidance 3", "base", "ancestral", 25, 3.0, "edges", 1.0, True),
)


def to_unit(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0


def edge_scores(generated: np.ndarray, hints: torch.Tensor) -> dict:
    """Mean edge F1 (1-pixel tolerance) and Pearson r of the generated images' edges against the hints."""
    got = sobel_edges(to_unit(generated))[:, :1]
    want = hints[:, :1]
    got_bin, want_bin = (got > EDGE_THRESHOLD).float(), (want > EDGE_THRESHOLD).float()
    near_want = F.max_pool2d(want_bin, 3, stride=1, padding=1)
    near_got = F.max_pool2d(got_bin, 3, stride=1, padding=1)
    precision = (got_bin * near_want).sum((1, 2, 3)) / got_bin.sum((1, 2, 3)).clamp(min=1)
    recall = (want_bin * near_got).sum((1, 2, 3)) / want_bin.sum((1, 2, 3)).clamp(min=1)
    f1 = 2 * precision * recall / (precision + recall).clamp(min=1e-8)
    a = got.flatten(1) - got.flatten(1).mean(1, keepdim=True)
    b = want.flatten(1) - want.flatten(1).mean(1, keepdim=True)
    r = (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1)).clamp(min=1e-8)
    return {"edge_f1": float(f1.mean()), "edge_precision": float(precision.mean()), "edge_recall": float(recall.mean()),
            "edge_r": float(r.mean())}


def write_edge_section(path: Path, results: list, pairs: int, samples: int) -> None:
    lines = [
        "",
        f"Written by `model/run-python -m model.nano.evaluate_controlnet`: {pairs} held-out pairs × {samples} images, each "
        "prompt with the hint of another held-out image. Edge F1: edges above 0.25 of a full step, 1-pixel tolerance; r: Pearson "
        "correlation of the edge maps; the no-hint row is the floor (the same prompts and seeds scored against the hints).",
        "",
        "| row | edge F1 | precision | recall | edge r | concept top-5 | style top-1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(f"| {r['row']} | {100 * r['edge_f1']:.1f} % | {100 * r['edge_precision']:.1f} % | {100 * r['edge_recall']:.1f} % | "
                     f"{r['edge_r']:.3f} | {100 * r['concept_top5']:.1f} % | {100 * r['style_top1']:.1f} % |")
    write_section(path, SECTION, lines)


def main(argv=None) -> int:
    parser = evaluation_arguments(__doc__)
    parser.add_argument("--controlnet", type=Path, default=CHECKPOINTS / "nano-controlnet.pt")
    parser.add_argument("--samples", type=int, default=2, help="images per held-out pair")
    parser.add_argument("--tiny", action="store_true", help="4 pairs, 1 sample, 5 base steps: a smoke test")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    resolve_weights(args, (args.classifier, args.flash, args.controlnet))

    dev = device()
    data = load_dataset(args.dataset)
    held = np.flatnonzero(data["heldout"] == 1)
    rows = ROWS
    if args.tiny:
        held, args.samples = held[:4], 1
        rows = [(n.replace("25", "5"), k, s, 5 if st == 25 else st, *rest) for n, k, s, st, *rest in ROWS]
    classifier = load_classifier(args.classifier, dev)
    models, base = assemble(args.movq, {"base": args.base, "flash": args.flash}, args.controlnet)
    models = models.to(dev).eval()
    vocab, shift, scale = base["vocab"], base["latent"]["shift"], base["latent"]["scale"]

    index = np.repeat(held, args.samples)
    prompts = [caption(str(data["labels"][data["concept"][i]]), str(data["styles"][data["style"][i]])) for i in index]
    # The next held-out pair's image (a different concept and usually a different layout).
    edges = sobel_edges(to_unit(data["images"][np.roll(index, args.samples)]))
    scribbles = scribble_like(edges, torch.Generator().manual_seed(0))
    results = []
    for name, kind, sampler, steps, guidance, hint_kind, strength, with_prompt in rows:
        hints = {"edges": edges, "scribble": scribbles, None: None}[hint_kind]
        images = []
        for i in range(0, len(prompts), 64):
            batch = prompts[i : i + 64] if with_prompt else [""] * len(prompts[i : i + 64])
            latents = sample_latents(models, kind, batch, vocab, seed=i, sampler=sampler, steps=steps,
                                     guidance=guidance, hints=None if hints is None else hints[i : i + 64], strength=strength)
            images.append(decode(models.movq, latents, shift, scale))
        images = np.concatenate(images)
        scored_against = scribbles if hint_kind == "scribble" else edges
        _, c_logits, s_logits = judge(classifier, images, dev)
        results.append({"row": name, **edge_scores(images, scored_against),
                        **adherence(c_logits, s_logits, data["concept"][index], data["style"][index])})
        print(json.dumps(results[-1]), flush=True)
    write_edge_section(args.out, results, len(held), args.samples)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
