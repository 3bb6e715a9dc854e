"""Export a Kandinsky 3 model family to a pack the browser loads.

    model/run-python -m model.export --config tiny --unets base,flash,inpainting \\
        --random-seed 0 --out public/models/kandinsky3-tiny-random

Weights come from --weights (a state dict of `model.kandinsky3.Kandinsky3`, saved with torch.save)
or, for test packs, from --random-seed. Run `--help` for every option.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from ..config import PRESETS
from ..kandinsky3 import UNET_KINDS, Kandinsky3, random_image_encoder, random_upscaler, randomize_family_
from ..text_conditioning import PADDINGS
from ..word_tokenizer import build_vocab, tokenizer_json
from .graph_parts import DEFAULT_PART_BYTES
from .pack import PackOptions, export_pack

# Vocabulary of the random test pack: enough words for realistic prompts in tests.
RANDOM_PACK_WORDS = """
a an the of and with in on at red orange yellow green blue purple pink brown black white grey gold silver
apple banana cherry grape lemon pizza cake cookie coffee tea heart star sun moon cloud rain snow fire water
cat dog fox bear panda rabbit mouse lion tiger horse cow pig frog monkey bird owl fish whale octopus
face smiling grinning laughing crying winking happy sad angry cool ghost robot alien skull
rocket car bus train plane ship bicycle house castle tree flower rose tulip leaf mountain rainbow flag
hand thumbs up down clapping waving man woman person baby light medium dark skin tone
3d noto twemoji openmoji style emoji icon flat
""".split()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model.export", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=sorted(PRESETS), required=True, help="architecture preset (model/config.py)")
    parser.add_argument("--unets", default="base", help=f"comma-separated U-Net kinds to include, from {','.join(UNET_KINDS)}")
    parser.add_argument("--controlnet", action="store_true", help="include an edge ControlNet (kandinsky3-architecture §9.2) driving the base and Flash U-Nets")
    parser.add_argument("--image-adapter", type=int, default=0, metavar="WIDTH",
                        help="random packs: include IP-Adapter layers (kandinsky3-architecture §9.1) on the base and Flash U-Nets, fed by "
                             "a random image encoder with WIDTH features")
    parser.add_argument("--upscaler", action="store_true",
                        help="random packs: include an upscaler (the role of KandiSuperRes; nano's architecture at its narrowest)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--weights", type=Path, help="state dict of model.kandinsky3.Kandinsky3 (torch.save)")
    source.add_argument("--random-seed", type=int, help="deterministic random weights, for test packs")
    parser.add_argument("--tokenizer", type=Path, help="tokenizer.json to ship (default for random packs: a built-in word list)")
    parser.add_argument("--out", type=Path, required=True, help="pack folder to write")
    parser.add_argument("--name", help="pack name (default: folder name)")
    parser.add_argument("--title", help="human-readable title")
    parser.add_argument("--description", default="")
    parser.add_argument("--formats", default="fp32,fp16w,int8w", help="weight formats (fp32 required)")
    parser.add_argument("--prediction-type", default="epsilon", choices=["epsilon", "v_prediction", "sample"])
    parser.add_argument("--latent-scale", type=float, default=1.0)
    parser.add_argument("--latent-shift", type=float, default=0.0)
    parser.add_argument("--default-size", type=int, help="default image side in pixels")
    parser.add_argument("--max-size", type=int, help="largest image side offered")
    parser.add_argument("--unconditional", default="empty-prompt", choices=["empty-prompt", "zero-context", "null-embedding"])
    parser.add_argument("--text-padding", default="zero-after-projection", choices=list(PADDINGS),
                        help="where padded prompt rows are zeroed: after the U-Net's text projection (original) or before (diffusers)")
    parser.add_argument("--license", default="Apache-2.0")
    parser.add_argument("--credits", type=Path, help="JSON list of {name, license, url?, note?}")
    parser.add_argument("--part-mb", type=float, default=DEFAULT_PART_BYTES / 1e6,
                        help="fp32 weight megabytes per ONNX file; a larger U-Net or text encoder is split into parts")
    args = parser.parse_args(argv)

    config = PRESETS[args.config]
    kinds = [k.strip() for k in args.unets.split(",") if k.strip()]
    if args.image_adapter and args.random_seed is None:
        parser.error("--image-adapter is for random packs; the nano pack's comes from model/nano/export_pack.py")
    if args.image_adapter:
        config = config.with_unet(image_embedding_dim=args.image_adapter)
    models = Kandinsky3(config, kinds, controlnet=args.controlnet)
    if args.image_adapter:
        models.image_encoder = random_image_encoder(args.image_adapter)
    if args.upscaler and args.random_seed is None:
        parser.error("--upscaler is for random packs; the nano pack's comes from model/nano/export_pack.py")
    if args.upscaler:
        models.upscaler = random_upscaler()
    if args.weights:
        models.load_state_dict(torch.load(args.weights, map_location="cpu"), strict=True)
        weights = "trained"
    else:
        randomize_family_(models, args.random_seed)
        weights = "random"

    if args.tokenizer:
        tokenizer = args.tokenizer.read_text()
        vocab_size = len(json.loads(tokenizer)["model"]["vocab"])
    else:
        vocab = build_vocab(RANDOM_PACK_WORDS)
        tokenizer, vocab_size = tokenizer_json(vocab), len(vocab)
    if vocab_size > config.text.vocab_size:
        parser.error(f"the tokenizer has {vocab_size} entries but the text encoder only {config.text.vocab_size}")

    f = config.movq.scale_factor
    options = PackOptions(
        name=args.name or args.out.name,
        title=args.title or args.out.name,
        description=args.description,
        weights=weights,
        formats=[x.strip() for x in args.formats.split(",")],
        random_seed=args.random_seed,
        prediction_type=args.prediction_type,
        latent_scale=args.latent_scale,
        latent_shift=args.latent_shift,
        default_size=args.default_size or 128 * f,
        max_size=args.max_size or 256 * f,
        unconditional=args.unconditional,
        text_padding=args.text_padding,
        license=args.license,
        credits=json.loads(args.credits.read_text()) if args.credits else [],
        part_bytes=int(args.part_mb * 1e6),
    )
    manifest = export_pack(models, args.out, tokenizer, options)
    total = sum(f["bytes"] for f in manifest["files"])
    print(f"wrote {args.out}/manifest.json: {len(manifest['files'])} files, {total:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
