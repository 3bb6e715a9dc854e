"""Write a pack: ONNX graphs in every weight format, the tokenizer, and a validated manifest.json.

Each graph is checked in onnxruntime-node before the pack is written: fp32 against PyTorch (must
stay within 1e-4) and every smaller format against fp32, at shapes other than the traced ones.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import onnx

from ..kandinsky3 import FLASH_TEACHERS, Kandinsky3, weights_digest
from ..pack_manifest import SCHEMA_VERSION, validate_manifest
from .compact_names import compact_names
from .fold_shapes import fold_shapes
from .fuse_attention import fuse_attention
from .merge_modulation import merge_modulation
from .pack_files import file_entry
from .memory_plan import add_memory_plan
from ..steps import unique_parameters
from .graph_parts import DEFAULT_PART_BYTES, Part, check_parts, split_into_parts
from .preview_map import add_preview_map
from .graphs import (Graph, control_shapes, export_onnx, fold_probe_shape, graphs_for, image_encoder_normalisation, image_encoder_side,
                     probe_shape, trace_shape)
from .ort_runner import run_many
from .separate_weights import separate_int8_weights, weights_paths, write_weights
from .weight_formats import FORMATS, convert, format_for

# fp32 graphs against PyTorch: 1e-4 absolute on outputs within [-1, 1] (trained images, latents and
# contexts), and 1e-4 of the output's largest magnitude beyond. Random full-size weights give outputs
# near 20, where fp32 summation order alone moves the last digits by 2e-4 (the full-size MoVQ decoder).
FP32_TOLERANCE = 1e-4
ONNX_FILE_BYTES = 2**31 - 1  # one protobuf


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
    # Where the text encoder graph zeroes padded prompt rows: before the U-Net's projection (diffusers) or
    # after it (the original; model/text_conditioning.py). Manifest text.padding.
    text_padding: str = "zero-after-projection"
    # The original 3.x unconditional row (kandinsky3-architecture §5.4), in the projected context space; written as
    # raw little-endian float32 and named in the manifest when `unconditional` is "null-embedding".
    null_embedding: Optional[np.ndarray] = None
    license: str = "Apache-2.0"
    credits: List[dict] = field(default_factory=list)
    flash_timesteps: Sequence[int] = (979, 729, 479, 229)
    # Formats written into the pack; fp32 is always exported and measured, but a small shipped pack
    # (the bundled nano model) may leave it out. None: every format in `formats`.
    ship_formats: Optional[Sequence[str]] = None
    default_variant: Optional[str] = None  # manifest defaults.variant: the format the app should prefer
    # fp32 weight bytes per ONNX file: a larger U-Net or text encoder is cut into parts of at most this.
    part_bytes: int = DEFAULT_PART_BYTES


@dataclass
class ComponentReport:
    component: str
    fmt: str
    bytes: int
    max_abs_error: float  # fp32: against PyTorch; others: against fp32
    bound_ratio: float = 0.0  # the worst of error / max(1, |output|) over outputs and shapes

    def within_fp32_tolerance(self) -> bool:
        return self.bound_ratio <= FP32_TOLERANCE


def _check_shapes(models: Kandinsky3):
    """Shapes unlike the traced one: batch 1 and 2, other latent sides, short and long texts."""
    m = models.config.unet.downsample_factor
    return [(1, m, m, 1), (2, 3 * m, 2 * m, 7), (1, 2 * m, 2 * m, models.config.max_text_length)]


def _measure(graphs: List[Graph], files: Dict[str, Dict[str, List[Path]]], models: Kandinsky3) -> List[ComponentReport]:
    """Each component's outputs in every format, for the whole chain of its parts when it is split."""
    jobs, index = [], []
    for graph in graphs:
        rng = np.random.default_rng(1234)
        for shape in _check_shapes(models):
            feeds = graph.make_inputs(rng, *shape)
            reference = graph.reference(feeds)
            for fmt, paths in files[graph.component].items():
                jobs.append((paths if len(paths) > 1 else paths[0], feeds, [o.name for o in graph.outputs]))
                index.append((graph.component, fmt, reference))
    # Split components are the big ones: load each part for its run and let it go, as the worker
    # streams a text encoder, so a full-size check holds one part at a time.
    results = run_many(jobs, stream=any(len(p) > 1 for per in files.values() for p in per.values()))
    worst: Dict[tuple, tuple] = {}  # (component, fmt) → (max abs error, worst error / max(1, |output|))
    fp32_out: Dict[tuple, Dict] = {}
    for (component, fmt, reference), out in zip(index, results):
        key = (component, id(reference))
        against = reference if fmt == "fp32" else fp32_out[key]
        if fmt == "fp32":
            fp32_out[key] = out
        for k in reference:
            err = float(np.abs(out[k] - against[k]).max())
            scale = float(np.abs(reference[k]).max())
            before = worst.get((component, fmt), (0.0, 0.0))
            worst[(component, fmt)] = (max(before[0], err), max(before[1], err / max(1.0, scale)))
    return [
        ComponentReport(c, f, sum(_stored_bytes(p) for p in files[c][f]), *worst[(c, f)])
        for c in files for f in files[c]
    ]


def _stored_bytes(graph_path: Path) -> int:
    """A graph file's size, with its weights file's if one lies beside it."""
    weights = weights_paths(graph_path)[0]
    return graph_path.stat().st_size + (weights.stat().st_size if weights.exists() else 0)


def _parts_of(graph: Graph, models: Kandinsky3, budget: int) -> Optional[List[Part]]:
    """The graph's parts when its weights exceed the part budget; None when it stays one file."""
    size = fp32_bytes_of(graph.module)
    if graph.steps is None:  # MoVQ: 0.6 GB at full size, far from the limit
        if size > ONNX_FILE_BYTES:
            raise ValueError(
                f"the fp32 {graph.component} graph holds {size / 1e9:.1f} GB of weights, over the "
                f"{ONNX_FILE_BYTES / 1e9:.1f} GB of one ONNX file, and it has no steps to split it at"
            )
        return None
    if size <= budget:
        return None
    probe_a = graph.make_inputs(np.random.default_rng(0), *trace_shape(models))
    probe_b = graph.make_inputs(np.random.default_rng(1), *probe_shape(models))
    probe_c = graph.make_inputs(np.random.default_rng(2), *fold_probe_shape(models))
    parts = split_into_parts(graph.steps(), graph.inputs, graph.outputs, budget, probe_a, probe_b, [probe_c])
    # The wiring, checked in PyTorch before minutes of export: the parts must give the module's outputs.
    err = check_parts(parts, probe_b, graph.reference(probe_b))
    if err > FP32_TOLERANCE:
        raise RuntimeError(f"the {len(parts)} parts of {graph.component} differ from the whole by {err:.3g}")
    return parts


def fp32_bytes_of(module) -> int:
    return 4 * sum(p.numel() for p in unique_parameters([module]))


def _probes(graph: Graph, models: Kandinsky3) -> List[Dict[str, np.ndarray]]:
    """The graph's inputs at the three shapes its shape arithmetic is folded at."""
    shapes = [trace_shape(models), probe_shape(models), fold_probe_shape(models)]
    return [graph.make_inputs(np.random.default_rng(seed), *shape) for seed, shape in enumerate(shapes)]


def _export_formats(fp32_path: Path, role: str, formats: Sequence[str], probes: List[Dict[str, np.ndarray]],
                    whole: bool = True) -> Tuple[Dict[str, Path], List[str]]:
    """Folds the exported fp32 graph's shape arithmetic at the probes, compacts it in place and writes
    it in every other format beside it. Returns the paths and the graph's input names: the exporter
    drops inputs a graph never reads (a U-Net part without cross-attention takes no context), and the
    manifest lists what a file takes. A `whole` (unsplit) int8w graph small enough to be folded keeps
    its int8 weights in a file beside it (separate_weights.py)."""
    exported = onnx.load(str(fp32_path))
    used = {i.name for i in exported.graph.input}
    folded = fold_shapes(exported, [{k: v for k, v in p.items() if k in used} for p in probes])
    fp32 = compact_names(fuse_attention(merge_modulation(folded)))
    onnx.save(fp32, str(fp32_path))
    paths = {"fp32": fp32_path}
    for fmt in formats:
        if fmt != "fp32":
            path = fp32_path.with_name(fp32_path.name.replace(".fp32.onnx", f".{fmt}.onnx"))
            graph = convert(fp32, format_for(fmt, role))
            weights, location = weights_paths(path)
            separated = separate_int8_weights(graph, location) if whole and format_for(fmt, role) == "int8w" else None
            if separated:
                graph, tensors = separated
                write_weights(weights, tensors)
            elif weights.exists():
                weights.unlink()  # an earlier export's, which would now be staged beside the wrong graph
            onnx.save(graph, str(path))
            paths[fmt] = path
    return paths, [i.name for i in fp32.graph.input]


def export_pack(models: Kandinsky3, out_dir: Path, tokenizer_json: str, options: PackOptions) -> dict:
    models = models.eval()
    out_dir.mkdir(parents=True, exist_ok=True)
    for fmt in options.formats:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected some of {sorted(FORMATS)}")
    if "fp32" not in options.formats:
        raise ValueError("fp32 is required: it is the reference every other format is measured against")

    graphs = graphs_for(models, options.text_padding)
    files: Dict[str, Dict[str, List[Path]]] = {}
    parts_of: Dict[str, List[Part]] = {}
    for graph in graphs:
        parts = _parts_of(graph, models, options.part_bytes)
        if parts is None:
            fp32_path = out_dir / f"{graph.component}.fp32.onnx"
            export_onnx(graph, fp32_path, graph.make_inputs(np.random.default_rng(0), *trace_shape(models)))
            paths, _ = _export_formats(fp32_path, graph.role, options.formats, _probes(graph, models))
            files[graph.component] = {f: [p] for f, p in paths.items()}
            continue
        parts_of[graph.component] = parts
        files[graph.component] = {f: [] for f in options.formats}
        for part in parts:
            fp32_path = out_dir / f"{graph.component}.part{part.index}.fp32.onnx"
            export_onnx(Graph(graph.component, graph.role, part.module, part.inputs, part.outputs, None),
                        fp32_path, part.example)
            paths, used = _export_formats(fp32_path, graph.role, options.formats, part.probes, whole=False)
            part.inputs = [s for s in part.inputs if s.name in used]
            for fmt, path in paths.items():
                files[graph.component][fmt].append(path)
            part.module = None  # the traced steps hold no weights of their own; drop the reference
            part.example, part.probes = {}, []

    reports = _measure(graphs, files, models)
    print_report(reports)
    bad = [r for r in reports if r.fmt == "fp32" and not r.within_fp32_tolerance()]
    if bad:
        raise RuntimeError(f"fp32 graphs differ from PyTorch by more than {FP32_TOLERANCE} × max(1, |output|): {bad}")

    shipped = set(options.ship_formats or options.formats)
    if not shipped <= set(options.formats):
        raise ValueError(f"ship_formats {sorted(shipped)} must be among formats {list(options.formats)}")
    if options.default_variant and options.default_variant not in shipped:
        raise ValueError(f"default variant {options.default_variant} is not shipped")
    for per in files.values():
        for fmt in [f for f in per if f not in shipped]:
            for path in per.pop(fmt):
                path.unlink()
                weights_paths(path)[0].unlink(missing_ok=True)

    tokenizer_path = out_dir / "tokenizer.json"
    tokenizer_path.write_text(tokenizer_json)
    manifest = build_manifest(models, graphs, files, parts_of, reports, tokenizer_path, options)
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


def upscaler_entry(factor: int, max_size: int) -> dict:
    """The manifest's account of an upscaler: its factor, and the picture sides it takes and makes. It is
    fully convolutional; the sides it takes are those the pack makes, up to half its largest, so the
    largest output stays at 2× the pack's largest picture (a 128 px nano picture becomes 512 px)."""
    largest = max(16, max_size // 2)
    return {"factor": factor, "input": {"min": 16, "max": largest, "multipleOf": 8},
            "output": {"min": 16 * factor, "max": largest * factor}}


def _weights_entry(paths: List[Path]) -> dict:
    """The manifest's `weights` of a one-file variant whose int8 weights lie beside its graph."""
    if len(paths) != 1 or not weights_paths(paths[0])[0].exists():
        return {}
    weights, location = weights_paths(paths[0])
    return {"weights": {"file": weights.name, "location": location}}


def build_manifest(models, graphs, files, parts_of, reports, tokenizer_path, options: PackOptions) -> dict:
    cfg = models.config
    errors = {(r.component, r.fmt): r.max_abs_error for r in reports}
    components = {}
    for graph in graphs:
        parts = parts_of.get(graph.component)
        entry = {
            "role": graph.role,
            "variants": {
                fmt: {
                    **({"parts": [p.name for p in paths]} if parts else {"file": paths[0].name}),
                    **_weights_entry(paths),
                    **FORMATS[format_for(fmt, graph.role)],
                    "maxAbsErrorVsFp32": float(f"{errors[(graph.component, fmt)]:.3g}") if fmt != "fp32" else 0.0,
                }
                for fmt, paths in files[graph.component].items()
            },
            "inputs": [s.to_manifest() for s in graph.inputs],
            "outputs": [s.to_manifest() for s in graph.outputs],
        }
        if parts:
            entry["parts"] = [
                {"inputs": [s.to_manifest() for s in p.inputs], "outputs": [s.to_manifest() for s in p.outputs]}
                for p in parts
            ]
            # A text encoder runs once per new prompt: the worker loads its parts one at a time and lets
            # each go, so it never holds Flan-UL2 whole. A U-Net runs every step and stays loaded.
            entry["residency"] = "streamed" if graph.role == "text-encoder" else "resident"
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
            if kind in FLASH_TEACHERS:  # a distilled U-Net: the 4 Flash steps
                entry["unet"]["flashTimesteps"] = list(options.flash_timesteps)
            if unet_cfg.image_embedding_dim:  # IP-Adapter inputs (kandinsky3-architecture §9.1)
                entry["unet"]["imageAdapter"] = {"component": "image_encoder", "output": "image_embeds",
                                                 "tokens": unet_cfg.image_tokens}
        if graph.role == "image-encoder":
            # The unconditional row of image guidance is the embedding of an all-zero encoder input (kandinsky3-architecture §9.1).
            entry["imageEncoder"] = {"side": image_encoder_side(models), **image_encoder_normalisation(models),
                                     "unconditional": "zero-image"}
        if graph.role == "upscaler":
            entry["upscaler"] = upscaler_entry(models.upscaler.config.factor, options.max_size)
        if graph.role == "controlnet":
            entry["controlnet"] = {
                "hint": "sobel-edges",
                "hintRange": [0, 1],
                "controls": [f"unet_{kind}" for kind in models.controlled_kinds()],
                "context": {"component": "text_encoder", "output": "context_base"},
                "residuals": [{"name": name, "channels": c, "downscale": down}
                              for name, (c, down) in zip(models.controlnet.output_names(), control_shapes(models))],
            }
        components[graph.component] = entry

    graph_files = [p for per in files.values() for paths in per.values() for p in paths]
    beside = [weights_paths(p)[0] for p in graph_files if weights_paths(p)[0].exists()]
    all_files = graph_files + beside + [tokenizer_path]
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
        # Flash: 4 steps, no guidance (kandinsky3-architecture §7.1); base: the diffusers defaults (§6.5).
        "defaults": {
            "unet": default_unet,
            **({"upscaler": "upscaler"} if models.upscaler is not None else {}),
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
            "padding": options.text_padding,
        },
        "license": options.license,
        "credits": options.credits,
    }
    if options.random_seed is not None:
        manifest["randomSeed"] = options.random_seed
    return manifest


def print_report(reports: List[ComponentReport]) -> None:
    print(f"{'component':<18} {'format':<7} {'bytes':>14} {'max abs error':>14} {'relative':>9}  "
          "(fp32: vs PyTorch; others: vs fp32; relative: error / max(1, |output|))")
    for r in reports:
        print(f"{r.component:<18} {r.fmt:<7} {r.bytes:>14,} {r.max_abs_error:>14.3g} {r.bound_ratio:>9.3g}")
