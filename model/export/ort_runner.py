"""Run exported graphs in ONNX Runtime from Python.

The default is onnxruntime-node, the native sibling of the browser's onnxruntime-web, driven through
`ort_run.mjs` (Debian's python has no onnxruntime). KW_ORT=python uses the onnxruntime Python
package instead, for machines that have it but no Node modules (the CUDA box).
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np

from .separate_weights import staged

REPO = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("ort_run.mjs")
_DTYPES = {np.dtype(np.float32): "float32", np.dtype(np.int64): "int64", np.dtype(np.int32): "int32"}


class OrtNodeUnavailable(RuntimeError):
    pass


def run_many(jobs: Sequence[tuple], stream: bool = False) -> List[Dict[str, np.ndarray]]:
    """jobs: (model_path, {input_name: ndarray}, [output_names]). Returns one {name: ndarray} per job.

    A list of paths is a split graph's parts, run in order on one table of named tensors. With
    `stream`, each session is let go after its run, so only one graph is held at a time.
    """
    if os.environ.get("KW_ORT") == "python":
        return _run_python(jobs, stream)
    with tempfile.TemporaryDirectory(prefix="ort-node-") as tmp:
        outputs = _run_node(jobs, Path(tmp), stream)
        return [{name: np.fromfile(path, dtype=np.float32).reshape(_written(path)["dims"]) for name, path in run.items()}
                for run in outputs]


def run_dims(jobs: Sequence[tuple]) -> List[Dict[str, tuple]]:
    """Like run_many, but only the outputs' dims, for values of any type (model/export/fold_shapes.py)."""
    if os.environ.get("KW_ORT") == "python":
        return [{k: tuple(v.shape) for k, v in out.items()} for out in _run_python(jobs)]
    with tempfile.TemporaryDirectory(prefix="ort-dims-") as tmp:
        return [{name: tuple(_written(path)["dims"]) for name, path in run.items()} for run in _run_node(jobs, Path(tmp))]


def _written(path: str) -> dict:
    return json.loads(Path(path + ".json").read_text())


def _run_node(jobs: Sequence[tuple], tmpdir: Path, stream: bool = False) -> List[Dict[str, str]]:
    """Runs the jobs in one onnxruntime-node process; returns, per job, each output's file."""
    if not (REPO / "node_modules" / "onnxruntime-node").is_dir():
        raise OrtNodeUnavailable("onnxruntime-node is not installed: run `npm ci` in the repository root")
    runs = []
    stage = _Stage(tmpdir)
    for j, (model, inputs, output_names) in enumerate(jobs):
        spec = {}
        for k, (name, array) in enumerate(inputs.items()):
            array = np.ascontiguousarray(array)
            path = tmpdir / f"{j}-in-{k}.bin"
            array.tofile(path)
            spec[name] = {"dtype": _DTYPES[array.dtype], "dims": list(array.shape), "file": str(path)}
        runs.append({
            "models": [stage(m) for m in model] if isinstance(model, (list, tuple)) else [stage(model)],
            "inputs": spec,
            "outputs": {name: str(tmpdir / f"{j}-out-{k}.bin") for k, name in enumerate(output_names)},
        })
    (tmpdir / "job.json").write_text(json.dumps({"runs": runs, "stream": stream}))
    proc = subprocess.run(["node", str(RUNNER), str(tmpdir / "job.json")], cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"onnxruntime-node failed:\n{proc.stderr[-4000:]}")
    return [run["outputs"] for run in runs]


class _Stage:
    """Each graph as ORT can open it by path: a graph whose int8 weights lie beside it is copied into
    the job's folder once, with its widened fp32 data (separate_weights.py)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: Dict[str, str] = {}

    def __call__(self, graph) -> str:
        key = str(graph)
        if key not in self.paths:
            self.paths[key] = str(staged(Path(graph), self.folder / f"graph-{len(self.paths)}"))
        return self.paths[key]


def _run_python(jobs, stream=False):
    with tempfile.TemporaryDirectory(prefix="ort-python-") as tmp:
        return _run_python_staged(jobs, _Stage(Path(tmp)), stream)


def _run_python_staged(jobs, stage, stream):
    import onnxruntime

    sessions = {}

    def session(path):
        if path not in sessions:
            options = onnxruntime.SessionOptions()
            # As in ort_run.mjs: no integer rewriting of DequantizeLinear, which browsers do not do.
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
            sessions[path] = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        return sessions.pop(path) if stream else sessions[path]

    results = []
    for model, inputs, output_names in jobs:
        table = {k: np.ascontiguousarray(v) for k, v in inputs.items()}
        for path in model if isinstance(model, (list, tuple)) else [model]:
            part = session(stage(path))
            names = [o.name for o in part.get_outputs()]
            table.update(zip(names, part.run(names, {i.name: table[i.name] for i in part.get_inputs()})))
        results.append({name: table[name] for name in output_names})
    return results
