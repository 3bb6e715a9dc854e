"""Convert a released Kandinsky 3 / 3.1 checkpoint into browser packs, one per U-Net variant.

    model/run-python -m model.convert --source <weights folder> --out <folder> --variants flash

The source is a diffusers folder (kandinsky-community/kandinsky-3: unet/, text_encoder/, movq/,
tokenizer/) or an ai-forever weights folder (kandinsky3.pt, kandinsky3_flash.pt,
kandinsky3_inpainting.pt, movq.pt, flan_ul2_encoder/). Keys are renamed by the tables in
model/convert/name_rules.py and loaded with strict=True; a missing, unexpected or misshapen key
stops the conversion with its name. The unconditional branch follows the source (kandinsky3-architecture §5.4):
null_embedding for ai-forever files, zero context for diffusers.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from ..config import PRESETS
from ..export.graph_parts import DEFAULT_PART_BYTES
from ..export.pack import PackOptions, export_pack
from .checkpoints import ORIGINAL_UNET_FILES, CheckpointError, read_checkpoint, read_controlnet, read_ip_adapter

# The released variants (nano's Flash inpainting U-Net has no released counterpart).
RELEASED_KINDS = tuple(ORIGINAL_UNET_FILES)
from .load_modules import models_from_checkpoint


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model.convert", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, required=True, help="checkpoint folder (either layout)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write one pack per variant into")
    parser.add_argument("--variants", default="base", help=f"comma-separated, from {','.join(RELEASED_KINDS)}")
    parser.add_argument("--config", choices=sorted(PRESETS), default="kandinsky3", help="architecture preset")
    parser.add_argument("--fp16-variant", action="store_true", help="read the diffusers fp16 files")
    parser.add_argument("--tokenizer", type=Path, help="tokenizer.json (default: the one in the checkpoint)")
    parser.add_argument("--name", default="kandinsky3", help="pack name prefix: <name>-<variant>")
    parser.add_argument("--formats", default="fp32,int4w",
                        help="weight formats to export and measure; fp32 is required as the reference")
    parser.add_argument("--ship", help="formats to keep in the pack (default: all but fp32, which is 48 GB at full size)")
    parser.add_argument("--part-mb", type=float, default=DEFAULT_PART_BYTES / 1e6,
                        help="fp32 weight megabytes per ONNX file; the text encoder and U-Net are split into parts")
    parser.add_argument("--controlnet", type=Path, help="the 3.1 HED ControlNet's weights (file or folder), added to the base pack")
    parser.add_argument("--ip-adapter", type=Path,
                        help="the 3.1 IP-Adapter folder (unet/ and image_encoder/): the base pack gets image fusion")
    parser.add_argument("--default-size", type=int, default=1024)
    parser.add_argument("--max-size", type=int, default=2048)
    args = parser.parse_args(argv)

    kinds = [k.strip() for k in args.variants.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in RELEASED_KINDS]
    if unknown:
        parser.error(f"unknown variants {unknown}; expected some of {RELEASED_KINDS}")
    config = PRESETS[args.config]
    try:
        checkpoint = read_checkpoint(args.source, kinds, "fp16" if args.fp16_variant else None)
        if args.controlnet:
            checkpoint.controlnet = read_controlnet(args.controlnet)
        if args.ip_adapter:
            checkpoint.ip_adapter = read_ip_adapter(args.ip_adapter)
        tokenizer_path = args.tokenizer or checkpoint.tokenizer_json
        if tokenizer_path is None:
            raise CheckpointError("no tokenizer.json in the checkpoint: pass --tokenizer (a T5 tokenizer.json)")
        for kind in kinds:
            models, notes = models_from_checkpoint(checkpoint, config, kind)
            for note in notes:
                print(f"note: {note}")
            null = checkpoint.null_embeddings.get(kind)
            if checkpoint.unconditional == "null-embedding" and null is None:
                raise CheckpointError(f"{kind}: the ai-forever file has no null_embedding for the unconditional branch")
            name = f"{args.name}-{kind}"
            formats = [f.strip() for f in args.formats.split(",") if f.strip()]
            ship = [f.strip() for f in args.ship.split(",")] if args.ship else ([f for f in formats if f != "fp32"] or formats)
            options = PackOptions(
                name=name,
                title=f"Kandinsky 3 {kind} (converted from the {checkpoint.layout} layout)",
                weights="converted",
                formats=formats,
                ship_formats=ship,
                part_bytes=int(args.part_mb * 1e6),
                prediction_type="epsilon",
                default_size=args.default_size,
                max_size=args.max_size,
                unconditional=checkpoint.unconditional,
                text_padding=checkpoint.text_padding,
                null_embedding=None if null is None else null.numpy().astype(np.float32),
                license="Apache-2.0",
                credits=[{"name": "Kandinsky 3 by ai-forever", "license": "Apache-2.0", "url": "https://github.com/ai-forever/Kandinsky-3"}],
            )
            manifest = export_pack(models, args.out / name, Path(tokenizer_path).read_text(), options)
            total = sum(f["bytes"] for f in manifest["files"])
            print(f"wrote {args.out / name}/manifest.json: {len(manifest['files'])} files, {total:,} bytes")
    except CheckpointError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    unused = {m.name: [r.original for r in m.unused()] for m in checkpoint.name_maps if m.unused() and m.used}
    if unused:
        print(f"note: name rules that matched nothing: {json.dumps(unused)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
