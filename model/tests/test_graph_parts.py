"""Cutting graphs into parts: balanced groups under the budget, a step too big named, and parts that
run (by ONNX name, as the runtime runs them) to the whole module's outputs."""
import numpy as np
import pytest

from model.config import TINY
from model.export.graph_parts import check_parts, fp32_bytes, group_steps, split_into_parts
from model.export.graphs import graphs_for, probe_shape, trace_shape
from model.kandinsky3 import Kandinsky3, randomize_


@pytest.fixture(scope="module")
def models():
    return randomize_(Kandinsky3(TINY, ["base"]), seed=5).eval()


def test_groups_stay_under_the_budget_as_few_and_as_even_as_it_allows(models):
    steps = models.unets["base"].steps()
    budget = 300_000
    groups = group_steps(steps, budget)
    sizes = [fp32_bytes(g) for g in groups]
    assert [s for g in groups for s in g] == steps  # in order, each step once
    assert max(sizes) <= budget
    assert len(groups) == -(-fp32_bytes(steps) // budget)  # the fewest: whole steps happen to pack well here
    assert min(sizes) > 0.6 * max(sizes)  # no sliver left at the end, as plain greedy filling leaves
    with pytest.raises(ValueError, match=r"step down_blocks\.2\.attentions\.1 alone holds .* raise the part size"):
        group_steps(steps, 60_000)


@pytest.mark.parametrize("component, budget", [("text_encoder", 70_000), ("unet_base", 100_000)])
def test_parts_wired_by_name_give_the_whole_graphs_outputs(models, component, budget):
    graph = next(g for g in graphs_for(models) if g.component == component)
    probe_a = graph.make_inputs(np.random.default_rng(0), *trace_shape(models))
    probe_b = graph.make_inputs(np.random.default_rng(1), *probe_shape(models))
    parts = split_into_parts(graph.steps(), graph.inputs, graph.outputs, budget, probe_a, probe_b)
    assert len(parts) >= 2
    assert check_parts(parts, probe_b, graph.reference(probe_b)) < 1e-5
    # The graph's own tensors keep their names and axes; inner ones are named per part.
    assert parts[0].inputs[: len(graph.inputs)] == graph.inputs[: len(parts[0].inputs)]
    assert parts[-1].outputs == graph.outputs
    inner = [s for p in parts[:-1] for s in p.outputs]
    assert all("." in s.name and s.shape[0] in ("batch", 1) for s in inner)
