"""Fold the shape arithmetic of an exported graph, keeping its dynamic axes.

The TorchScript exporter writes every `x.reshape(b, n, heads, d)` or `chunk(2)` as a chain of
Shape → Gather → Unsqueeze → Concat (or Div, Slice) nodes: in the nano U-Net, about 1,600 of its
4,604 nodes. ORT pays for each node when it creates a session (kernel lookup, shape inference,
memory planning), and the browser waits for that at start-up.

Values computed only from tensor shapes are evaluated at several probe shapes, with every
dynamic axis different in each, and then:
- one that is the same at every probe becomes a constant;
- a Reshape target keeps its dynamic entries as 0 (copy the input's dim) or -1 (the one left over),
  or becomes the Shape of a tensor whose dims it always equals;
- a Resize to computed sizes whose ratio to the input is fixed becomes a Resize by constant scales.
The chains that fed them are then unused and removed. A few exact rewrites follow: Mul by ones
and Add of zeros that do not broadcast (GroupNorm without affine exports both), Identity, nested
Unsqueezes, and repeated identical nodes (every block applies SiLU to the same time embedding).

What changes is checked the way every export is: against PyTorch at shapes unlike the probes'
(model/export/pack.py), and by the parity tests.
"""
from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .graph_constants import constant_values
from .graph_edit import remove_unused, topological_sort
from .ort_runner import run_dims

# Operators whose result on shape values is itself a (small) shape value.
_SHAPE_ARITHMETIC = {
    "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Add", "Sub", "Mul", "Div", "Cast",
    "Identity", "Floor", "Ceil", "Neg", "Max", "Min", "Equal", "Where", "Range", "ConstantOfShape", "Reshape",
    "Sqrt",
}
_MAX_SHAPE_VALUE_ELEMENTS = 64
_NUMPY_TYPES = {TensorProto.INT64: np.int64, TensorProto.INT32: np.int32, TensorProto.FLOAT: np.float32,
                TensorProto.DOUBLE: np.float64, TensorProto.BOOL: np.bool_}


def _attr(node: onnx.NodeProto, name: str, default=None):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def _evaluate(node: onnx.NodeProto, args: List[Optional[np.ndarray]], dims: Dict[str, tuple]) -> np.ndarray:
    op = node.op_type
    if op == "Shape":
        full = dims[node.input[0]]
        start, end = _attr(node, "start", 0), _attr(node, "end", None)
        return np.array(full[start:end], dtype=np.int64)
    a = args[0]
    if op == "Gather":
        return np.take(a, args[1], axis=_attr(node, "axis", 0))
    if op == "Unsqueeze":
        out = a
        rank = a.ndim + len(args[1])
        for axis in sorted(int(x) % rank for x in args[1]):
            out = np.expand_dims(out, axis)
        return out
    if op == "Squeeze":
        return np.squeeze(a, axis=tuple(int(x) for x in args[1])) if len(args) > 1 and args[1] is not None else np.squeeze(a)
    if op == "Concat":
        return np.concatenate(args, axis=_attr(node, "axis"))
    if op == "Slice":
        starts, ends = args[1], args[2]
        axes = args[3] if len(args) > 3 and args[3] is not None else np.arange(len(starts))
        steps = args[4] if len(args) > 4 and args[4] is not None else np.ones(len(starts), dtype=np.int64)
        index = [slice(None)] * a.ndim
        for s, e, ax, st in zip(starts, ends, axes, steps):
            index[int(ax)] = slice(int(s), int(e), int(st))
        return a[tuple(index)]
    if op == "Div" and np.issubdtype(a.dtype, np.integer):
        return (np.trunc(a / args[1])).astype(a.dtype)  # ONNX integer division truncates
    binary = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide, "Max": np.maximum,
              "Min": np.minimum, "Equal": np.equal}
    if op in binary:
        out = args[0]
        for b in args[1:]:
            out = binary[op](out, b)
        return np.asarray(out).astype(np.result_type(args[0])) if op != "Equal" else np.asarray(out)
    if op == "Cast":
        return a.astype(_NUMPY_TYPES[_attr(node, "to")])
    if op == "Identity":
        return a
    if op in ("Floor", "Ceil", "Neg", "Sqrt"):
        return {"Floor": np.floor, "Ceil": np.ceil, "Neg": np.negative, "Sqrt": np.sqrt}[op](a).astype(a.dtype)
    if op == "Where":
        return np.where(args[0], args[1], args[2])
    if op == "Range":
        return np.arange(a, args[1], args[2]).astype(a.dtype)
    if op == "ConstantOfShape":
        value = _attr(node, "value")
        fill = numpy_helper.to_array(value) if value is not None else np.zeros(1, np.float32)
        return np.full(tuple(int(x) for x in a), fill.reshape(-1)[0], dtype=fill.dtype)
    if op == "Reshape":
        shape = [d if d != 0 else a.shape[i] for i, d in enumerate(args[1])]
        return a.reshape(shape)
    raise ValueError(f"no shape evaluation for {op}")


def _shape_values(graph: onnx.GraphProto, constants: Dict[str, np.ndarray]) -> List[onnx.NodeProto]:
    """The nodes, in graph order, whose outputs are computed from shapes (and constants) alone."""
    shaped: Set[str] = set()
    nodes = []
    for node in graph.node:
        if node.op_type not in _SHAPE_ARITHMETIC:
            continue
        if node.op_type == "Shape" or (
            all(not i or i in shaped or i in constants for i in node.input) and any(i in shaped for i in node.input)
        ):
            shaped.update(node.output)
            nodes.append(node)
    return nodes


def _dims_at_probes(model: onnx.ModelProto, names: Sequence[str], probes: Sequence[Dict[str, np.ndarray]]) -> List[Dict[str, tuple]]:
    """The dims of the named values at each probe, by running the graph with them exposed as outputs."""
    inferred = onnx.shape_inference.infer_shapes(model)
    types = {vi.name: vi.type.tensor_type.elem_type for vi in
             list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output)}
    exposed = onnx.ModelProto()
    exposed.CopyFrom(model)
    known_outputs = {o.name for o in exposed.graph.output}
    names = [n for n in names if n in types and types[n]]
    for name in names:
        if name not in known_outputs:
            exposed.graph.output.append(helper.make_tensor_value_info(name, types[name], None))
    with tempfile.TemporaryDirectory(prefix="fold-shapes-") as tmp:
        path = Path(tmp) / "exposed.onnx"
        onnx.save(exposed, str(path))
        return run_dims([(path, feeds, names) for feeds in probes])


def _reshape_target(per_probe: List[np.ndarray], data_dims: List[tuple]) -> Optional[np.ndarray]:
    """A Reshape target whose dynamic entries become 0 (the input's dim there) or a single -1."""
    if any(len(t) != len(per_probe[0]) for t in per_probe):
        return None
    target, unknown = [], 0
    for i in range(len(per_probe[0])):
        column = [int(t[i]) for t in per_probe]
        if all(c == column[0] for c in column) and column[0] > 0:
            target.append(column[0])
        elif all(i < len(d) and d[i] == c for d, c in zip(data_dims, column)):
            target.append(0)
        else:
            target.append(-1)
            unknown += 1
    return np.array(target, dtype=np.int64) if unknown <= 1 else None


class _Rewriter:
    def __init__(self, model: onnx.ModelProto) -> None:
        self.model = model
        self.graph = model.graph
        self.count = 0

    def constant(self, value: np.ndarray) -> str:
        name = f"folded_shape_{self.count}"
        self.count += 1
        self.graph.initializer.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name


def fold_shapes(model: onnx.ModelProto, probes: Sequence[Dict[str, np.ndarray]]) -> onnx.ModelProto:
    """Returns the graph with its shape arithmetic folded; `probes` are feeds at ≥ 3 different shapes."""
    if len(probes) < 3:
        raise ValueError("folding needs at least three probe shapes, every dynamic axis different in each")
    model = _with_known_shapes(model, probes)
    model = _without_identity_arithmetic(model, probes)
    _merge_nested_unsqueezes(model)
    _merge_repeated_nodes(model)
    _slices_to_split(model, probes)
    _fused_silu(model)
    remove_unused(model)
    return model


def _with_known_shapes(model: onnx.ModelProto, probes) -> onnx.ModelProto:
    graph = model.graph
    constants = constant_values(graph)
    shape_nodes = _shape_values(graph, constants)
    if not shape_nodes:
        return model
    shaped_outputs = {o for n in shape_nodes for o in n.output}
    in_chain = {id(n) for n in shape_nodes}
    consumers = defaultdict(list)
    for node in graph.node:
        for slot, name in enumerate(node.input):
            consumers[name].append((node, slot))
    measured = {n.input[0] for n in shape_nodes if n.op_type == "Shape"}
    for node in graph.node:
        if node.op_type == "Reshape" and node.input[1] in shaped_outputs:
            measured.add(node.input[0])
        if node.op_type == "Resize" and len(node.input) > 3 and node.input[3] in shaped_outputs:
            measured.add(node.input[0])
    dims = _dims_at_probes(model, sorted(measured), probes)
    values: List[Dict[str, np.ndarray]] = []
    for probe_dims in dims:
        table = dict(constants)
        for node in shape_nodes:
            if node.op_type == "Shape":
                ready = node.input[0] in probe_dims  # else its type was not inferred: leave the chain alone
            else:
                ready = all(not i or i in table for i in node.input)
            if not ready:
                continue
            out = np.asarray(_evaluate(node, [table.get(i) if i else None for i in node.input], probe_dims))
            if out.size <= _MAX_SHAPE_VALUE_ELEMENTS:
                table[node.output[0]] = out
        values.append(table)

    rewriter = _Rewriter(model)
    # Where each value is written (graph inputs first), so that a Reshape target only becomes the
    # Shape of a value written before the Reshape.
    position = {i.name: -1 for i in graph.input}
    for index, node in enumerate(graph.node):
        for o in node.output:
            position[o] = index
    shape_of: Dict[tuple, str] = {}  # dims at every probe → the earliest value that has them
    for name in sorted(measured, key=lambda n: position.get(n, len(graph.node))):
        if all(name in d for d in dims):
            shape_of.setdefault(tuple(tuple(d[name]) for d in dims), name)
    node_position = {id(n): i for i, n in enumerate(graph.node)}
    for name in sorted(shaped_outputs):
        if not all(name in table for table in values):
            continue
        per_probe = [table[name] for table in values]
        outside = [(n, s) for n, s in consumers[name] if id(n) not in in_chain]
        if not outside:
            continue
        fixed = all(p.shape == per_probe[0].shape and np.array_equal(p, per_probe[0]) for p in per_probe)
        for node, slot in outside:
            if fixed:
                node.input[slot] = rewriter.constant(per_probe[0])
            elif node.op_type == "Reshape" and slot == 1:
                data_dims = [d.get(node.input[0], ()) for d in dims]
                target = _reshape_target(per_probe, data_dims)
                if target is not None:
                    node.input[slot] = rewriter.constant(target)
                    continue
                key = tuple(tuple(int(x) for x in p) for p in per_probe)
                if key in shape_of and position.get(shape_of[key], len(graph.node)) < node_position[id(node)]:
                    out = f"{shape_of[key]}_shape"
                    if not any(out in n.output for n in graph.node):
                        graph.node.append(helper.make_node("Shape", [shape_of[key]], [out], name=out))
                    node.input[slot] = out
            elif node.op_type == "Resize" and slot == 3:
                data_dims = [np.array(d[node.input[0]], dtype=np.float64) for d in dims]
                ratios = [p.astype(np.float64) / d for p, d in zip(per_probe, data_dims)]
                if all(np.array_equal(r, ratios[0]) for r in ratios):
                    node.input[2] = rewriter.constant(ratios[0].astype(np.float32))
                    del node.input[3]
    topological_sort(graph)
    remove_unused(model)
    return model


def _without_identity_arithmetic(model: onnx.ModelProto, probes) -> onnx.ModelProto:
    """Drops Identity nodes, Mul by ones and Add of zeros that leave their other input's shape as it is."""
    graph = model.graph
    constants = constant_values(graph)  # the exporter writes GroupNorm's ones and zeros as Constant nodes
    candidates = []
    for node in graph.node:
        if node.op_type in ("Mul", "Add") and len(node.input) == 2:
            neutral = 1.0 if node.op_type == "Mul" else 0.0
            for slot in (0, 1):
                c = constants.get(node.input[slot])
                if c is not None and c.size and np.issubdtype(c.dtype, np.floating) and np.all(c == neutral):
                    candidates.append((node, node.input[1 - slot], c.shape))
                    break
    dims = _dims_at_probes(model, sorted({other for _, other, _ in candidates}), probes) if candidates else []
    rename: Dict[str, str] = {}
    dropped = set()
    for node, other, const_shape in candidates:
        keeps_shape = all(
            other in d and len(const_shape) <= len(d[other])
            and all(c in (1, x) for c, x in zip(const_shape[::-1], d[other][::-1]))
            for d in dims
        )
        if keeps_shape and node.output[0] not in {o.name for o in graph.output}:
            rename[node.output[0]] = other
            dropped.add(id(node))
    for node in graph.node:
        if node.op_type == "Identity" and node.output[0] not in {o.name for o in graph.output}:
            rename[node.output[0]] = node.input[0]
            dropped.add(id(node))
    _rewire(graph, rename, dropped)
    return model


def _resolve(rename: Dict[str, str], name: str) -> str:
    while name in rename:
        name = rename[name]
    return name


def _rewire(graph: onnx.GraphProto, rename: Dict[str, str], dropped: Set[int]) -> None:
    kept = [n for n in graph.node if id(n) not in dropped]
    for node in kept:
        for i, name in enumerate(node.input):
            node.input[i] = _resolve(rename, name)
    del graph.node[:]
    graph.node.extend(kept)


def _producers_and_readers(graph: onnx.GraphProto) -> Tuple[Dict[str, onnx.NodeProto], Dict[str, int]]:
    """The node writing each value, and how many node inputs read it: a rewrite may only absorb a
    node whose output nothing else reads."""
    producer = {o: n for n in graph.node for o in n.output}
    readers: Dict[str, int] = defaultdict(int)
    for node in graph.node:
        for name in node.input:
            readers[name] += 1
    return producer, readers


def _merge_nested_unsqueezes(model: onnx.ModelProto) -> None:
    """Unsqueeze(Unsqueeze(x, a), b) → Unsqueeze(x, a ∪ b), when the inner one has no other reader."""
    graph = model.graph
    constants = constant_values(graph)
    producer, readers = _producers_and_readers(graph)
    dropped = set()
    for node in graph.node:
        if node.op_type != "Unsqueeze":
            continue
        inner = producer.get(node.input[0])
        if inner is None or inner.op_type != "Unsqueeze" or readers[inner.output[0]] != 1:
            continue
        a, b = constants.get(inner.input[1]), constants.get(node.input[1])
        if a is None or b is None or any(int(x) < 0 for x in np.concatenate([a, b])):
            continue
        # Non-negative axes index the output: insert a's, then b's, into a rank-free list of markers.
        markers: List[Optional[int]] = list(range(64))
        for axes in (a, b):
            for axis in sorted(int(x) for x in axes):
                markers.insert(axis, None)
        merged = np.array([i for i, m in enumerate(markers[: 64 + len(a) + len(b)]) if m is None], dtype=np.int64)
        if len(merged) != len(a) + len(b) or merged.max() >= 64:
            continue
        name = f"{node.output[0]}_axes"
        graph.initializer.append(numpy_helper.from_array(merged, name))
        node.input[0], node.input[1] = inner.input[0], name
        dropped.add(id(inner))
    _rewire(graph, {}, dropped)


def _slices_to_split(model: onnx.ModelProto, probes) -> None:
    """Slices of one value along one axis that cut it into consecutive pieces (`chunk` exports them)
    become one Split."""
    graph = model.graph
    constants = constant_values(graph)
    groups: Dict[tuple, List[tuple]] = defaultdict(list)
    for node in graph.node:
        if node.op_type != "Slice" or len(node.input) < 4:
            continue
        args = [constants.get(i) for i in node.input[1:]]
        if any(a is None or a.size != 1 for a in args):
            continue
        if len(args) > 3 and int(args[3]) != 1:
            continue
        groups[(node.input[0], int(args[2]))].append((int(args[0]), int(args[1]), node))
    if not groups:
        return
    dims = _dims_at_probes(model, sorted({value for value, _ in groups}), probes)
    dropped = set()
    for (value, axis), slices in groups.items():
        sizes = {d[value][axis] for d in dims if value in d}
        if len(sizes) != 1 or len(slices) < 2 or not all(value in d for d in dims):
            continue
        size = sizes.pop()
        slices.sort(key=lambda s: s[0])
        bounds = [(max(0, start), min(end, size)) for start, end, _ in slices]
        if bounds[0][0] != 0 or bounds[-1][1] != size or any(a[1] != b[0] for a, b in zip(bounds, bounds[1:])):
            continue
        name = f"{slices[0][2].output[0]}_split"
        graph.initializer.append(numpy_helper.from_array(np.array([e - s for s, e in bounds], dtype=np.int64), name))
        split = helper.make_node("Split", [value, name], [node.output[0] for _, _, node in slices], name=name, axis=axis)
        first = slices[0][2]
        first.CopyFrom(split)  # in the first slice's place, before every reader
        dropped.update(id(node) for _, _, node in slices[1:])
    _rewire(graph, {}, dropped)


def _fused_silu(model: onnx.ModelProto) -> None:
    """x · sigmoid(x) (SiLU, two nodes) → ORT's QuickGelu with alpha 1 (one node), which onnxruntime-web
    runs on wasm and WebGPU alike."""
    graph = model.graph
    producer, readers = _producers_and_readers(graph)
    dropped = set()
    for node in graph.node:
        if node.op_type != "Mul" or len(node.input) != 2:
            continue
        for slot in (0, 1):
            sigmoid = producer.get(node.input[slot])
            if sigmoid is not None and sigmoid.op_type == "Sigmoid" and sigmoid.input[0] == node.input[1 - slot] \
                    and readers[sigmoid.output[0]] == 1:
                x, y = sigmoid.input[0], node.output[0]
                node.CopyFrom(helper.make_node("QuickGelu", [x], [y], name=f"{y}_silu", domain="com.microsoft", alpha=1.0))
                dropped.add(id(sigmoid))
                break
    if dropped:
        _rewire(graph, {}, dropped)
        if not any(o.domain == "com.microsoft" for o in model.opset_import):
            model.opset_import.append(helper.make_opsetid("com.microsoft", 1))


def _merge_repeated_nodes(model: onnx.ModelProto) -> None:
    """Nodes with the same operator, attributes and inputs compute the same thing: keep the first."""
    graph = model.graph
    outputs = {o.name for o in graph.output}
    seen: Dict[tuple, onnx.NodeProto] = {}
    rename: Dict[str, str] = {}
    dropped = set()
    for node in graph.node:
        inputs = tuple(_resolve(rename, i) for i in node.input)
        key = (node.domain, node.op_type, inputs, tuple(a.SerializeToString() for a in node.attribute), len(node.output))
        first = seen.get(key)
        if first is None or node.op_type == "Constant" or any(o in outputs for o in node.output):
            seen.setdefault(key, node)
            continue
        for mine, theirs in zip(node.output, first.output):
            rename[mine] = theirs
        dropped.add(id(node))
    _rewire(graph, rename, dropped)
