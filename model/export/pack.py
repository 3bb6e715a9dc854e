"""Write a pack: ONNX graphs in every weight format, the tokenizer, and a validated manifest.json.

Each graph is checked in onnxruntime-node before the pack is written: fp32 against PyTorch (must
stay within 1e-4) and every smaller format against fp32, at shapes other than the traced ones.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import onnx

from ..kandinsky3 import Kandinsky3, weights_digest
from ..pack_manifest import SCHEMA_VERSION, validate_manifest
from .compact_names import compact_names
from .pack_files import file_entry
from .memory_plan import add_memory_plan
from .pack_size import component_bytes
from .preview_map import add_preview_map
from .graphs import Graph, export_onnx, graphs_for, trace_shape
from .ort_runner import run_many
from .weight_formats import FORMATS, convert, format_for

FP32_TOLERANCE = 1e-4
MAX_GRAPH_BYTES = 2 * 10**9  # protobuf's 2 GiB, less room for the graph itself


@dataclass
class PackOptions:
    name: str
    title: str
    weights: str  # "random" | "trained" | "converted"
    formats: Sequence[str] = ("fp32", "fp16w", "int8w")
    description: str = ""
    random_seed: Optional[int] = None
    prediction_type: str = "epsilon"
    latent_scale: float = 1.0
    latent_shift: float = 0.0
    clip_range: Optional[float] = None  # manifest latent.clipRange; None: Kandinsky 3's 1
    default_size: int = 1024
    max_size: int = 2048
    unconditional: str = "empty-prompt"
    # The original 3.x unconditional row (reference §5.4), in the projected context space; written as
    # raw little-endian float32 and named in the manifest when `unconditional` is "null-embedding".
    null_embedding: Optional[np.ndarray] = None
    license: str = "Apache-2.0"
    credits: List[dict] = field(default_factory=list)
    flash_timesteps: Sequence[int] = (979, 729, 479, 229)
    # Formats written into the pack; fp32 is always exported and measured, but a small shipped pack
    # (the bundled nano model) may leave it out. None: every format in `formats`.
    ship_formats: Optional[Sequence[str]] = None
    default_variant: Optional[str] = None  # manifest defaults.variant: the format the app should prefer


@dataclass
class ComponentReport:
    component: str
    fmt: str
    bytes: int
    max_abs_error: float  # fp32: against PyTorch; others: against fp32


def _check_shapes(models: Kandinsky3):
    """Shapes unlike the traced one: batch 1 and 2, other latent sides, short and long texts."""
    m = models.config.unet.downsample_factor
    return [(1, m, m, 1), (2, 3 * m, 2 * m, 7), (1, 2 * m, 2 * m, models.config.max_text_length)]


def _measure(graphs: List[Graph], files: Dict[str, Dict[str, Path]], models: Kandinsky3) -> List[ComponentReport]:
    jobs, index = [], []
    for graph in graphs:
        rng = np.random.default_rng(1234)
        for shape in _check_shapes(models):
            feeds = graph.make_inputs(rng, *shape)
            reference = graph.reference(feeds)
            for fmt, path in files[graph.component].items():
                jobs.append((path, feeds, [o.name for o in graph.outputs]))
                index.append((graph.component, fmt, reference))
    results = run_many(jobs)
    worst: Dict[tuple, float] = {}
    fp32_out: Dict[tuple, Dict] = {}
    for (component, fmt, reference), out in zip(index, results):
        key = (component, id(reference))
        if fmt == "fp32":
            fp32_out[key] = out
            err = max(float(np.abs(out[k] - reference[k]).max()) for k in reference)
        else:
            err = max(float(np.abs(out[k] - fp32_out[key][k]).max()) for k in reference)
        worst[(component, fmt)] = max(worst.get((component, fmt), 0.0), err)
    return [
        ComponentReport(c, f, files[c][f].stat().st_size, worst[(c, f)])
        for c in files for f in files[c]
    ]


def export_pack(models: Kandinsky3, out_dir: Path, tokenizer_json: str, options: PackOptions) -> dict:
    models = models.eval()
    out_dir.mkdir(parents=True, exist_ok=True)
    for fmt in options.formats:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected some of {sorted(FORMATS)}")
    if "fp32" not in options.formats:
        raise ValueError("fp32 is required: it is the reference every other format is measured against")

    # ONNX files are single protobufs (2 GB at most) and fp32 is always exported as the reference:
    # refuse, by name and before minutes of tracing, what needs the split graphs a full-size model will.
    for kind in models.unets:
        for component, size in component_bytes(models.config, "fp32", kind).items():
            if size > MAX_GRAPH_BYTES:
                raise ValueError(
                    f"the fp32 {component} graph would be {size / 1e9:.1f} GB, over ONNX's 2 GB per file: "
                    "a full-size export needs the U-Net split into sessions and the text encoder into layer "
                    "groups (not built yet; see README, 'Converting the released weights')"
                )
    graphs = graphs_for(models)
    files: Dict[str, Dict[str, Path]] = {}
    for graph in graphs:
        fp32_path = out_dir / f"{graph.component}.fp32.onnx"
        export_onnx(graph, fp32_path, graph.make_inputs(np.random.default_rng(0), *trace_shape(models)))
        fp32 = compact_names(onnx.load(str(fp32_path)))
        onnx.save(fp32, str(fp32_path))
        files[graph.component] = {"fp32": fp32_path}
        for fmt in options.formats:
            if fmt != "fp32":
                path = out_dir / f"{graph.component}.{fmt}.onnx"
                onnx.save(convert(fp32, format_for(fmt, graph.role)), str(path))
                files[graph.component][fmt] = path

    reports = _measure(graphs, files, models)
    print_report(reports)
    bad = [r for r in reports if r.fmt == "fp32" and r.max_abs_error > FP32_TOLERANCE]
    if bad:
        raise RuntimeError(f"fp32 graphs differ from PyTorch by more than {FP32_TOLERANCE}: {bad}")

    shipped = set(options.ship_formats or options.formats)
    if not shipped <= set(options.formats):
        raise ValueError(f"ship_formats {sorted(shipped)} must be among formats {list(options.formats)}")
    if options.default_variant and options.default_variant not in shipped:
        raise ValueError(f"default variant {options.default_variant} is not shipped")
    for per in files.values():
        for fmt in [f for f in per if f not in shipped]:
            per.pop(fmt).unlink()

    tokenizer_path = out_dir / "tokenizer.json"
    tokenizer_path.write_text(tokenizer_json)
    manifest = build_manifest(models, graphs, files, reports, tokenizer_path, options)
    if options.unconditional == "null-embedding":
        width = models.config.unet.cross_attention_dim
        if options.null_embedding is None or options.null_embedding.size != width:
            raise ValueError(f"the null-embedding convention needs a null embedding of {width} values")
        null_path = out_dir / "null_embedding.f32"
        null_path.write_bytes(np.asarray(options.null_embedding, dtype="<f4").tobytes())
        manifest["files"].append(file_entry(null_path, null_path.name))
        manifest["text"]["nullEmbedding"] = null_path.name
    validate_manifest(manifest)
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    add_preview_map(out_dir)  # fitted on the written encoder graph
    return add_memory_plan(out_dir)


def build_manifest(models, graphs, files, reports, tokenizer_path, options: PackOptions) -> dict:
    cfg = models.config
    errors = {(r.component, r.fmt): r.max_abs_error for r in reports}
    components = {}
    for graph in graphs:
        entry = {
            "role": graph.role,
            "variants": {
                fmt: {
                    "file": path.name,
                    **FORMATS[format_for(fmt, graph.role)],
                    "maxAbsErrorVsFp32": float(f"{errors[(graph.component, fmt)]:.3g}") if fmt != "fp32" else 0.0,
                }
                for fmt, path in files[graph.component].items()
            },
            "inputs": [s.to_manifest() for s in graph.inputs],
            "outputs": [s.to_manifest() for s in graph.outputs],
        }
        if graph.role == "unet":
            kind = graph.component[len("unet_"):]
            unet_cfg = models.unets[kind].config
            entry["unet"] = {
                "kind": kind,
                "inChannels": unet_cfg.in_channels,
                "outChannels": unet_cfg.out_channels,
                "predictionType": options.prediction_type,
                "context": {"component": "text_encoder", "output": f"context_{kind}"},
            }
            if kind == "flash":
                entry["unet"]["flashTimesteps"] = list(options.flash_timesteps)
        components[graph.component] = entry

    all_files = [p for per in files.values() for p in per.values()] + [tokenizer_path]
    kinds = list(models.unets.keys())
    flash = "flash" in kinds
    default_unet = "unet_flash" if flash else f"unet_{'base' if 'base' in kinds else kinds[0]}"
    multiple = cfg.movq.scale_factor * cfg.unet.downsample_factor
    manifest = {
        "schemaVersion": SCHEMA_VERSION,
        "name": options.name,
        "title": options.title,
        "description": options.description,
        "weights": options.weights,
        "weightsDigest": weights_digest(models),
        "architecture": {"family": "kandinsky3", "config": cfg.to_dict()},
        "components": components,
        "files": [file_entry(p, p.name) for p in all_files],
        "latent": {
            "channels": cfg.movq.latent_channels,
            "scaleFactor": cfg.movq.scale_factor,
            "scale": options.latent_scale,
            "shift": options.latent_shift,
            **({"clipRange": options.clip_range} if options.clip_range else {}),
        },
        "schedule": {"type": "cosine", "numTrainTimesteps": 1000},
        # Flash: 4 steps, no guidance (reference §7.1); base: the diffusers defaults (§6.5).
        "defaults": {
            "unet": default_unet,
            "sampler": "flash" if flash else "ddpm",
            "steps": 4 if flash else 25,
            "guidance": 0.0 if flash else 3.0,
            "width": options.default_size,
            "height": options.default_size,
            **({"variant": options.default_variant} if options.default_variant else {}),
        },
        "resolution": {"multipleOf": multiple, "min": multiple, "max": options.max_size},
        "text": {
            "tokenizer": tokenizer_path.name,
            "maxLength": cfg.max_text_length,
            "padId": 0,
            "unconditional": options.unconditional,
        },
        "license": options.license,
        "credits": options.credits,
    }
    if options.random_seed is not None:
        manifest["randomSeed"] = options.random_seed
    return manifest


def print_report(reports: List[ComponentReport]) -> None:
    print(f"{'component':<18} {'format':<7} {'bytes':>11} {'max abs error':>14}  (fp32: vs PyTorch; others: vs fp32)")
    for r in reports:
        print(f"{r.component:<18} {r.fmt:<7} {r.bytes:>11,} {r.max_abs_error:>14.3g}")
