"""Turn the nano training checkpoints into a pack the app loads.

Collects the EMA weights of the autoencoder and of each trained U-Net (with the text encoder of the
base run, which all U-Nets share) into one `Kandinsky3` state dict, writes the vocabulary as
tokenizer.json, and runs the standard export with the nano conventions the manifest must carry:
v-prediction, the latent shift and scale used in training, the ×4 autoencoder, 64 px images,
"empty-prompt" guidance, and the image-set credits.

    model/run-python -m model.nano.export_pack --out public/models/kandinsky3-nano      # int8w only, as shipped
    model/run-python -m model.nano.export_pack --out /tmp/nano-full --formats fp32,int8w  # for timing fp32
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..config import NANO
from ..export.pack import PackOptions, export_pack
from ..kandinsky3 import FLASH_TEACHERS, Kandinsky3
from ..word_tokenizer import tokenizer_json
from .classifier import load_classifier
from .dataset import CREDITS, SIZE
from .training import LATENT_CLIP_RANGE, load_checkpoint, local_or_committed

# Command-line option (as an attribute) → checkpoint name of every part a pack is built from.
PARTS = {"movq": "nano-movq", "base": "nano-base", "flash": "nano-flash", "inpainting": "nano-inpainting",
         "inpainting_flash": "nano-inpainting_flash", "controlnet": "nano-controlnet", "ip_adapter": "nano-ip-adapter",
         "image_encoder": "nano-image-encoder", "upscaler": "nano-upscaler"}


def assemble(movq_path: Path, unet_paths: dict, controlnet_path: Path | None = None,
             image_adapter: tuple[Path, Path] | None = None) -> tuple:
    """→ (models, metadata of the base run). unet_paths: kind → checkpoint; 'base' is required. With
    controlnet_path, the edge ControlNet (model/nano/train_controlnet.py) comes too; with image_adapter
    (adapter checkpoint, image encoder checkpoint), the IP-Adapter of model/nano/train_ip_adapter.py."""
    movq = load_checkpoint(movq_path)
    base = load_checkpoint(unet_paths["base"])
    if movq is None or base is None:
        raise SystemExit(f"need {movq_path} and {unet_paths['base']}")
    config, adapter, encoder = NANO, None, None
    if image_adapter is not None:
        adapter = load_checkpoint(image_adapter[0])
        if adapter is None or not image_adapter[1].exists():
            raise SystemExit(f"need {image_adapter[0]} and {image_adapter[1]}")
        encoder = load_classifier(image_adapter[1], "cpu")
        if encoder.widths[-1] != adapter["image_embedding_dim"]:
            raise SystemExit(f"{image_adapter[0]} was trained on a {adapter['image_embedding_dim']}-wide image "
                             f"encoder, not {image_adapter[1]} ({encoder.widths[-1]} wide)")
        encoder.image_size = SIZE
        config = NANO.with_unet(image_embedding_dim=adapter["image_embedding_dim"])
    models = Kandinsky3(config, tuple(unet_paths), controlnet=controlnet_path is not None).eval()
    state = {f"movq.{k}": v for k, v in movq.get("ema", movq["model"]).items()}
    if adapter is not None:
        # Trained on the base U-Net; Flash is distilled from it and keeps its attention layout, so the
        # same adapter steers it too (as IP-Adapters carry over to fine-tunes of their base).
        for kind in ("base", "flash"):
            if kind in unet_paths:
                state.update({f"unets.{kind}.{k}": v for k, v in adapter.get("ema", adapter["model"]).items()})
    if controlnet_path is not None:
        run = load_checkpoint(controlnet_path)
        if run is None:
            raise SystemExit(f"{controlnet_path} is missing")
        state.update({f"controlnet.{k}": v for k, v in run.get("ema", run["model"]).items()})
    for kind, path in unet_paths.items():
        run = base if kind == "base" else load_checkpoint(path)
        if run is None:
            raise SystemExit(f"{path} is missing")
        weights = run.get("ema", run.get("model"))
        if kind in FLASH_TEACHERS:  # a Flash run saves the student U-Net alone
            weights = {f"unets.{kind}.{k}": v for k, v in weights.items()}
        state.update({k: v for k, v in weights.items() if k.startswith(f"unets.{kind}.")})
        if kind == "base":
            state.update({k: v for k, v in weights.items() if k.startswith("text_encoder.")})
    models.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    models.image_encoder = encoder  # after the strict load: it comes with its own trained weights
    return models, base


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--movq", type=Path, default=None)
    parser.add_argument("--base", type=Path, default=None)
    parser.add_argument("--flash", type=Path, default=None)
    parser.add_argument("--inpainting", type=Path, default=None)
    parser.add_argument("--inpainting-flash", type=Path, default=None)
    parser.add_argument("--controlnet", type=Path, default=None)
    parser.add_argument("--ip-adapter", type=Path, default=None)
    parser.add_argument("--image-encoder", type=Path, default=None)
    parser.add_argument("--upscaler", type=Path, default=None)
    parser.add_argument("--formats", default="int8w",
                        help="formats shipped in the pack (fp32 is always exported to measure against, then left "
                             "out unless named); the bundled pack ships int8w alone to stay small")
    args = parser.parse_args(argv)
    # Each part: the named file, else the local checkpoint, else its committed seed, so a fresh clone
    # rebuilds the shipped pack from model/nano/weights/ alone.
    for option, name in PARTS.items():
        setattr(args, option, local_or_committed(getattr(args, option), name))

    unets = {"base": args.base}
    for kind in ("flash", "inpainting", "inpainting_flash"):
        path = getattr(args, kind)
        if path.exists():
            unets[kind] = path
        else:
            print(f"note: {path} is missing, so the pack has no {kind} U-Net")
    shipped = [f.strip() for f in args.formats.split(",")]
    if not args.controlnet.exists():
        print(f"note: {args.controlnet} is missing, so the pack has no edge ControlNet")
    image_adapter = (args.ip_adapter, args.image_encoder)
    if not (args.ip_adapter.exists() and args.image_encoder.exists()):
        print(f"note: {args.ip_adapter} or {args.image_encoder} is missing, so the pack has no image fusion")
        image_adapter = None
    models, base = assemble(args.movq, unets, args.controlnet if args.controlnet.exists() else None, image_adapter)
    if args.upscaler.exists():
        from .evaluate_upscaler import load_upscaler  # only packs with an upscaler need it

        models.upscaler = load_upscaler(args.upscaler, "cpu")
    else:
        print(f"note: {args.upscaler} is missing, so the pack has no upscaler")
    options = PackOptions(
        name=args.out.name,
        title="Kandinsky 3 nano (emoji, 64 px)",
        description="A Kandinsky 3 architecture at 1/700 of the width, trained in this project on 64×64 emoji.",
        weights="trained",
        formats=["fp32", *[f for f in shipped if f != "fp32"]],
        ship_formats=shipped,
        default_variant=shipped[0],
        prediction_type=base["prediction_type"],
        latent_scale=base["latent"]["scale"],
        latent_shift=base["latent"]["shift"],
        clip_range=LATENT_CLIP_RANGE,
        default_size=64,
        max_size=256,
        unconditional="empty-prompt",
        credits=CREDITS,
    )
    manifest = export_pack(models, args.out, tokenizer_json(base["vocab"]), options)
    print(f"wrote {args.out}/manifest.json ({sum(f['bytes'] for f in manifest['files']):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
