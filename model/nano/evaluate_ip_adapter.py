"""Evaluate nano image fusion (the IP-Adapter) on held-out pictures: does the image take after them?

The references are held-out images (neither the adapter nor the base saw them). Each generated image is
scored by the judge classifier (model/nano/classifier.py, trained apart from the image encoder, on its
own seed and widths):

- concept top-5 and style top-1 against the reference's labels (the usual adherence, here to a picture);
- judge similarity: cosine of the judge's features of the image and of the reference (a CLIP-I-like
  score in a space the adapter was never trained on).

Rows:
- floor: the same seeds with no picture and an empty prompt, scored against the references;
- variations: the reference alone with an empty prompt (Flash, then base with guidance), and at image
  strength 0.5;
- restyle: the reference with the prompt "<another style> style", scored for the reference's concept
  and the asked style; its floor is that prompt without the picture;
- mix: references A and B at weight 0.5 each, B of another concept and style; scored for A's concept,
  B's concept and B's style, and for either concept.

Writes the "Image fusion (IP-Adapter)" section of model/nano/RESULTS.md.

    model/run-python -m model.nano.evaluate_ip_adapter            # 85 pictures × 2 images
    model/run-python -m model.nano.evaluate_ip_adapter --tiny --out /tmp/fusion.md
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from .classifier import load_classifier
from .dataset import STYLES
from .evaluate import RESULTS, adherence, evaluation_arguments, judge, resolve_weights, write_section
from .export_pack import assemble
from .sampling import decode, sample_latents
from .train_autoencoder import to_tensor
from .training import CHECKPOINTS, device, load_dataset

SECTION = "## Image fusion (IP-Adapter)"
# name, U-Net, sampler, steps, guidance, pictures (none, one or mix), image strength, prompt (none, restyle)
ROWS = (
    ("no picture (floor), empty prompt, Flash 4 steps", "flash", "flash", 4, 0.0, "none", 1.0, "none"),
    ("variation: picture, empty prompt, Flash 4 steps", "flash", "flash", 4, 0.0, "one", 1.0, "none"),
    ("variation, image strength 0.5, Flash 4 steps", "flash", "flash", 4, 0.0, "one", 0.5, "none"),
    ("variation, base 25 steps, guidance 3", "base", "ancestral", 25, 3.0, "one", 1.0, "none"),
    ("restyle floor: '<other> style', no picture, Flash", "flash", "flash", 4, 0.0, "none", 1.0, "restyle"),
    ("restyle: picture + '<other> style', Flash 4 steps", "flash", "flash", 4, 0.0, "one", 1.0, "restyle"),
    ("mix: A 0.5 + B 0.5, empty prompt, Flash 4 steps", "flash", "flash", 4, 0.0, "mix", 1.0, "none"),
)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.linalg.norm(a, axis=1, keepdims=True).clip(min=1e-8)
    b = b / np.linalg.norm(b, axis=1, keepdims=True).clip(min=1e-8)
    return float((a * b).sum(1).mean())


def write_fusion_section(path: Path, results: list, pictures: int, samples: int) -> None:
    lines = [
        "",
        f"Written by `model/run-python -m model.nano.evaluate_ip_adapter`: {pictures} held-out pictures × {samples} images. "
        "Concept top-5 and style top-1 are the judge's, against the reference picture (restyle: its concept, and the style "
        "the prompt asks for; mix: A's concept, and B's style); similarity is the cosine of the judge's features of image "
        "and reference (A for the mix). The image encoder is not the judge: it is its own smaller CNN, trained apart.",
        "",
        "| row | concept top-5 | style top-1 | judge similarity | B's concept top-5 (mix) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        other = f"{100 * r['b_concept_top5']:.1f} %" if "b_concept_top5" in r else ""
        lines.append(f"| {r['row']} | {100 * r['concept_top5']:.1f} % | {100 * r['style_top1']:.1f} % | {r['similarity']:.3f} | {other} |")
    write_section(path, SECTION, lines)


def main(argv=None) -> int:
    parser = evaluation_arguments(__doc__)
    parser.add_argument("--ip-adapter", type=Path, default=CHECKPOINTS / "nano-ip-adapter.pt")
    parser.add_argument("--image-encoder", type=Path, default=CHECKPOINTS / "nano-image-encoder.pt")
    parser.add_argument("--samples", type=int, default=2, help="images per held-out picture")
    parser.add_argument("--tiny", action="store_true", help="4 pictures, 1 sample, 5 base steps: a smoke test")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    resolve_weights(args, (args.classifier, args.flash, args.ip_adapter, args.image_encoder))

    dev = device()
    data = load_dataset(args.dataset)
    held = np.flatnonzero(data["heldout"] == 1)
    rows = ROWS
    if args.tiny:
        held, args.samples = held[:4], 1
        rows = [(n.replace("25", "5"), k, s, 5 if st == 25 else st, *rest) for n, k, s, st, *rest in ROWS]
    classifier = load_classifier(args.classifier, dev)
    models, base = assemble(args.movq, {"base": args.base, "flash": args.flash}, None, (args.ip_adapter, args.image_encoder))
    models = models.to(dev).eval()
    vocab, shift, scale = base["vocab"], base["latent"]["shift"], base["latent"]["scale"]

    index = np.repeat(held, args.samples)
    # B: the held-out picture half the list away (another concept, and here another style too).
    other = np.roll(index, (len(index) // 2) // args.samples * args.samples)
    with torch.no_grad():
        encode = lambda images: models.image_encoder.features(to_tensor(images, dev))  # noqa: E731
        embeds_a, embeds_b = encode(data["images"][index]), encode(data["images"][other])
        null = models.image_encoder.features(torch.zeros(1, 3, 64, 64, device=dev))
    ref_features, _, _ = judge(classifier, data["images"][index], dev)
    concept, style = data["concept"][index], data["style"][index]
    # Restyle: the next of the three styles.
    asked = (style + 1) % len(STYLES)
    restyle_prompts = [f"{STYLES[s]} style" for s in asked]
    results = []
    for name, kind, sampler, steps, guidance, pictures, strength, prompt in rows:
        embeds = {"none": None, "one": embeds_a, "mix": 0.5 * embeds_a + 0.5 * embeds_b}[pictures]
        prompts = restyle_prompts if prompt == "restyle" else [""] * len(index)
        images = []
        for i in range(0, len(index), 64):
            latents = sample_latents(models, kind, prompts[i : i + 64], vocab, seed=i, sampler=sampler, steps=steps,
                                     guidance=guidance, image_embeds=None if embeds is None else embeds[i : i + 64],
                                     null_image_embed=null, image_weight=strength)
            images.append(decode(models.movq, latents, shift, scale))
        images = np.concatenate(images)
        features, c_logits, s_logits = judge(classifier, images, dev)
        wanted_style = asked if prompt == "restyle" else (data["style"][other] if pictures == "mix" else style)
        row = {"row": name, **adherence(c_logits, s_logits, concept, wanted_style), "similarity": cosine(features, ref_features)}
        if pictures == "mix":
            row["b_concept_top5"] = adherence(c_logits, s_logits, data["concept"][other], wanted_style)["concept_top5"]
        results.append(row)
        print(json.dumps(results[-1]), flush=True)
    write_fusion_section(args.out, results, len(held), args.samples)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
