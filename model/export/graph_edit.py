"""Edits shared by the export's graph rewrites: drop what no output needs, and restore node order."""
from __future__ import annotations

import onnx


def remove_unused(model: onnx.ModelProto) -> None:
    """Removes the nodes, initializers and value infos that no graph output depends on."""
    graph = model.graph
    needed = {o.name for o in graph.output}
    kept = []
    for node in reversed(list(graph.node)):
        if any(o in needed for o in node.output):
            kept.append(node)
            needed.update(i for i in node.input if i)
    kept.reverse()
    del graph.node[:]
    graph.node.extend(kept)
    initializers = [i for i in graph.initializer if i.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    infos = [vi for vi in graph.value_info if vi.name in needed]
    del graph.value_info[:]
    graph.value_info.extend(infos)


def topological_sort(graph: onnx.GraphProto) -> None:
    """Puts every node after what it reads (rewrites append or insert nodes out of order)."""
    available = {i.name for i in graph.input} | {i.name for i in graph.initializer} | {""}
    pending = list(graph.node)
    ordered = []
    while pending:
        rest = []
        for node in pending:
            if all(i in available for i in node.input):
                ordered.append(node)
                available.update(node.output)
            else:
                rest.append(node)
        if len(rest) == len(pending):
            missing = sorted({i for n in rest for i in n.input if i not in available})[:5]
            raise ValueError(f"the graph has a cycle or reads a value nothing writes: {missing}")
        pending = rest
    del graph.node[:]
    graph.node.extend(ordered)
