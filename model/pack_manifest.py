"""Validation of pack manifests against the one schema the export and the app share
(`model/pack-manifest.schema.json`), plus the cross-references JSON Schema cannot express.
The worker's `workers/pack/manifest.ts` applies the same rules.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List

import jsonschema

SCHEMA_PATH = Path(__file__).with_name("pack-manifest.schema.json")
SCHEMA_VERSION = 1


class ManifestError(ValueError):
    """A manifest that does not describe a loadable pack; the message lists every problem."""

    def __init__(self, problems: List[str]) -> None:
        super().__init__("invalid pack manifest:\n  - " + "\n  - ".join(problems))
        self.problems = problems


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def manifest_problems(manifest: dict) -> List[str]:
    validator = jsonschema.Draft7Validator(load_schema())
    problems = [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(manifest), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if problems:
        return problems
    files = {f["path"] for f in manifest["files"]}
    for f in manifest["files"]:
        expected = max(1, -(-f["bytes"] // f["chunks"]["bytes"]))
        if len(f["chunks"]["sha256"]) != expected:
            problems.append(
                f"files/{f['path']}/chunks: {len(f['chunks']['sha256'])} chunk hashes, but {f['bytes']} bytes "
                f"in chunks of {f['chunks']['bytes']} make {expected}"
            )
    components = manifest["components"]
    for cid, component in components.items():
        parts = component.get("parts")
        for fmt, variant in component["variants"].items():
            for path in variant_files(variant) + ([variant["weights"]["file"]] if "weights" in variant else []):
                if path not in files:
                    problems.append(f"components/{cid}/variants/{fmt}: file {path} is not listed in files")
            if bool(parts) != ("parts" in variant) or (parts and len(variant["parts"]) != len(parts)):
                problems.append(
                    f"components/{cid}/variants/{fmt}: needs one file per part "
                    f"({len(parts) if parts else 'no parts, so one file'})"
                )
        if parts:
            problems += [f"components/{cid}/parts: {p}" for p in part_wiring_problems(component)]
        unet = component.get("unet")
        if unet:
            source = components.get(unet["context"]["component"])
            if source is None or source["role"] != "text-encoder":
                problems.append(f"components/{cid}/unet/context: {unet['context']['component']} is not a text-encoder component")
            elif unet["context"]["output"] not in {o["name"] for o in source["outputs"]}:
                problems.append(f"components/{cid}/unet/context: {unet['context']['component']} has no output {unet['context']['output']}")
        control = component.get("controlnet")
        if control:
            problems += [f"components/{cid}/controlnet: {p}" for p in controlnet_problems(component, components)]
        if unet and unet.get("imageAdapter"):
            problems += [f"components/{cid}/unet/imageAdapter: {p}" for p in image_adapter_problems(component, components)]
        if component.get("upscaler"):
            problems += [f"components/{cid}/upscaler: {p}" for p in upscaler_problems(component["upscaler"])]
    upscaler = manifest["defaults"].get("upscaler")
    if upscaler is not None and components.get(upscaler, {}).get("role") != "upscaler":
        problems.append(f"defaults/upscaler: the pack declares the upscaler {upscaler}, but has no upscaler component of that name")
    tiles = manifest.get("memoryPlan", {}).get("tiles")
    if tiles and tiles["latentOverlap"] >= tiles["latentWindow"]:
        problems.append(f"memoryPlan/tiles: an overlap of {tiles['latentOverlap']} cells needs windows wider than {tiles['latentWindow']}")
    default_unet = components.get(manifest["defaults"]["unet"])
    if default_unet is None or default_unet["role"] != "unet":
        problems.append(f"defaults/unet: {manifest['defaults']['unet']} is not a unet component")
    if manifest["text"]["tokenizer"] not in files:
        problems.append(f"text/tokenizer: {manifest['text']['tokenizer']} is not listed in files")
    if manifest["text"]["unconditional"] == "null-embedding" and manifest["text"].get("nullEmbedding") not in files:
        problems.append("text/nullEmbedding: required, and listed in files, when unconditional is null-embedding")
    # Packs that do not say predate the choice, and all of them zeroed after the projection.
    if manifest["text"]["unconditional"] == "null-embedding" and manifest["text"].get("padding", "zero-after-projection") != "zero-after-projection":
        # The original's null embedding is a row of the projected space beside zero rows.
        problems.append("text/padding: the null-embedding convention needs zero-after-projection")
    for role in ("text-encoder", "unet", "movq-decoder"):
        if not any(c["role"] == role for c in components.values()):
            problems.append(f"components: a pack needs a {role} component")
    return problems


def image_adapter_problems(component: dict, components: dict) -> List[str]:
    """Its source is an image-encoder output, and the U-Net takes image_embeds and image_weight."""
    adapter = component["unet"]["imageAdapter"]
    problems = []
    source = components.get(adapter["component"])
    if source is None or source["role"] != "image-encoder":
        problems.append(f"{adapter['component']} is not an image-encoder component")
    elif adapter["output"] not in {o["name"] for o in source["outputs"]}:
        problems.append(f"{adapter['component']} has no output {adapter['output']}")
    inputs = {i["name"] for i in component["inputs"]}
    problems += [f"the U-Net has no input {n}" for n in ("image_embeds", "image_weight") if n not in inputs]
    return problems


def controlnet_problems(component: dict, components: dict) -> List[str]:
    """Its context is a text-encoder output; each residual is one of its outputs; and every U-Net it
    controls takes each residual as an input of the same name."""
    control = component["controlnet"]
    problems = []
    source = components.get(control["context"]["component"])
    if source is None or source["role"] != "text-encoder":
        problems.append(f"context: {control['context']['component']} is not a text-encoder component")
    elif control["context"]["output"] not in {o["name"] for o in source["outputs"]}:
        problems.append(f"context: {control['context']['component']} has no output {control['context']['output']}")
    outputs = {o["name"] for o in component["outputs"]}
    names = [r["name"] for r in control["residuals"]]
    problems += [f"residual {n} is not an output of the ControlNet" for n in names if n not in outputs]
    for target in control["controls"]:
        unet = components.get(target)
        if unet is None or unet["role"] != "unet":
            problems.append(f"controls {target}, which is not a unet component")
            continue
        inputs = {i["name"] for i in unet["inputs"]}
        problems += [f"{target} has no input {n} for its residual" for n in names if n not in inputs]
    return problems


def upscaler_problems(upscaler: dict) -> List[str]:
    """The sides it makes are `factor` times the sides it takes, and the smallest is not above the largest."""
    factor, taken, made = upscaler["factor"], upscaler["input"], upscaler["output"]
    problems = [] if taken["min"] <= taken["max"] else [f"input: min {taken['min']} is above max {taken['max']}"]
    if (made["min"], made["max"]) != (factor * taken["min"], factor * taken["max"]):
        problems.append(f"output: {made['min']}–{made['max']} is not {factor} × the input's {taken['min']}–{taken['max']}")
    return problems


def variant_files(variant: dict) -> List[str]:
    """A variant's graph files in running order: its parts, or its one file."""
    return list(variant.get("parts") or [variant["file"]])


def part_wiring_problems(component: dict) -> List[str]:
    """Each part reads only what the component's inputs or an earlier part provide, and the parts
    write every component output."""
    known = {t["name"] for t in component["inputs"]}
    problems = []
    for index, part in enumerate(component["parts"]):
        for t in part["inputs"]:
            if t["name"] not in known:
                problems.append(f"part {index} reads {t['name']}, which no input or earlier part provides")
        known |= {t["name"] for t in part["outputs"]}
    for t in component["outputs"]:
        if t["name"] not in known:
            problems.append(f"no part writes the output {t['name']}")
    return problems


def validate_manifest(manifest: dict) -> dict:
    problems = manifest_problems(manifest)
    if problems:
        raise ManifestError(problems)
    return manifest


def rewrite_manifest(pack_dir: Path, change) -> dict:
    """Applies `change(manifest)` (in place) to `pack_dir/manifest.json`, validates, and writes it back."""
    path = Path(pack_dir) / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    validate_manifest(manifest)
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
