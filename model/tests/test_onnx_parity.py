"""The committed random pack's graphs compute what the PyTorch modules compute, in ONNX Runtime
(onnxruntime-node, the browser runtime's native sibling), at every shape the app feeds them."""
import json

import numpy as np
import onnx
import pytest

from model.export.graphs import graphs_for
from model.export.ort_runner import run_many
from model.export.separate_weights import staged
from model.kandinsky3 import random_models_for, weights_digest
from model.pack_manifest import variant_files

from model.tests.paths import RANDOM_PACK

FP32_TOLERANCE = 1e-4
# Relative to the largest output value. fp16 rounds each weight by 2^-11, int8 by up to 1/254 of its
# channel's range; through a dozen layers of random weights that measured ≤0.3 % and ≤5 %.
# Max abs error against fp32, relative to the output's largest magnitude, on random weights.
# int4w is left out here: a deep net with random weights amplifies 4-bit rounding without bound (the
# random U-Net's error exceeds its output scale), so the figure says nothing about trained weights.
# test_int4_weights.py checks int4w where it is meaningful: ORT computes the stored 4-bit weights
# exactly, and three chained layers stay within the stated relative RMS error of 0.25.
RELATIVE_TOLERANCE = {"fp16w": 1e-2, "int8w": 1e-1}


@pytest.fixture(scope="module")
def manifest():
    return json.loads((RANDOM_PACK / "manifest.json").read_text())


@pytest.fixture(scope="module")
def models(manifest):
    return random_models_for(manifest).eval()


def shapes(models):
    """(batch, latent height, latent width, text length): batch 1 and 2, square and oblong latents from
    the smallest allowed to 96 px images, text lengths 1 to the 128-token maximum."""
    m = models.config.unet.downsample_factor
    longest = models.config.max_text_length
    return [(1, m, m, 1), (2, 2 * m, 3 * m, 2), (1, 4 * m, 4 * m, longest), (2, 4 * m, 4 * m, 77),
            (2, 3 * m, 2 * m, 16), (1, 6 * m, 6 * m, 5)]


@pytest.fixture(scope="module")
def runs(manifest, models):
    """Every graph × format × shape in one ONNX Runtime process; keyed for the tests below."""
    jobs, keys = [], []
    for graph in graphs_for(models):
        rng = np.random.default_rng(7)
        for shape in shapes(models):
            feeds = graph.make_inputs(rng, *shape)
            reference = graph.reference(feeds)
            for fmt, variant in manifest["components"][graph.component]["variants"].items():
                paths = [RANDOM_PACK / f for f in variant_files(variant)]  # a split graph runs part after part
                jobs.append((paths, feeds, [o.name for o in graph.outputs]))
                keys.append((graph.component, fmt, shape, reference))
    return list(zip(keys, run_many(jobs)))


def test_weights_regenerate_from_the_seed(manifest, models):
    assert weights_digest(models) == manifest["weightsDigest"]


def test_fp32_graphs_match_pytorch(runs):
    checked = set()
    for (component, fmt, shape, reference), out in runs:
        if fmt != "fp32":
            continue
        for name, expected in reference.items():
            assert out[name].shape == expected.shape, (component, shape, name)
            err = float(np.abs(out[name] - expected).max())
            assert err <= FP32_TOLERANCE, f"{component} {shape} {name}: max abs error {err}"
        checked.add(component)
    assert checked == {"text_encoder", "unet_base", "unet_flash", "unet_inpainting", "controlnet", "image_encoder", "movq_encoder", "movq_decoder", "upscaler"}


def test_smaller_formats_stay_close_to_fp32(runs):
    worst = {}
    for (component, fmt, shape, reference), out in runs:
        if fmt not in RELATIVE_TOLERANCE:
            continue
        for name, expected in reference.items():
            scale = float(np.abs(expected).max())
            err = float(np.abs(out[name] - expected).max())
            worst[fmt] = max(worst.get(fmt, 0.0), err / scale)
            assert err <= RELATIVE_TOLERANCE[fmt] * scale, f"{component} {fmt} {shape} {name}: {err} vs scale {scale}"
    print("worst relative error per format:", {k: round(v, 4) for k, v in worst.items()})


def test_the_pack_splits_its_text_encoder_and_unets_as_a_full_size_pack_does(manifest):
    """The committed pack is exported with a small part size, so every test above runs split graphs."""
    for cid, component in manifest["components"].items():
        split = component["role"] in ("text-encoder", "unet", "controlnet")
        assert ("parts" in component) == split, cid
        if split:
            assert component["residency"] == ("streamed" if component["role"] == "text-encoder" else "resident")


def test_graph_signatures_match_the_manifest(manifest):
    """Names, dtypes and dynamic axes in the files (each part of a split graph) are what the manifest
    promises the worker."""
    types = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.INT64: "int64"}
    for cid, component in manifest["components"].items():
        graphs = component.get("parts") or [component]
        for variant in component["variants"].values():
            for graph, path in zip(graphs, variant_files(variant), strict=True):
                model = onnx.load(str(RANDOM_PACK / path), load_external_data=False)
                # ORT's contrib domain, for QuickGelu (every graph with a SiLU), MultiHeadAttention and int4w's
                # MatMulNBits.
                uses_contrib = variant["storage"] == "int4" or any(n.domain == "com.microsoft" for n in model.graph.node)
                extra = [("com.microsoft", 1)] if uses_contrib else []
                assert [(o.domain, o.version) for o in model.opset_import] == [("", 17)] + extra
                for declared, actual in ((graph["inputs"], model.graph.input), (graph["outputs"], model.graph.output)):
                    assert [d["name"] for d in declared] == [a.name for a in actual], (cid, path)
                    for d, a in zip(declared, actual):
                        assert types[a.type.tensor_type.elem_type] == d["dtype"]
                        dims = [x.dim_param or x.dim_value for x in a.type.tensor_type.shape.dim]
                        assert dims == d["shape"], (cid, path, d["name"], dims)


def test_no_custom_operators(manifest, tmp_path):
    for component in manifest["components"].values():
        for variant in component["variants"].values():
            for path in variant_files(variant):
                # A graph whose int8 weights lie beside it is checked with them widened, as the worker hands them to ORT.
                model_path = staged(RANDOM_PACK / path, tmp_path / path)
                model = onnx.load(str(model_path), load_external_data=False)
                custom = {n.op_type for n in model.graph.node if n.domain not in ("", "ai.onnx")}
                # The exceptions, which onnxruntime-web runs on wasm and WebGPU: QuickGelu (SiLU in one node,
                # model/export/fold_shapes.py), MultiHeadAttention (model/export/fuse_attention.py) and
                # int4w's MatMulNBits (a part without linear layers has none).
                allowed = {"QuickGelu", "MultiHeadAttention"}
                assert custom <= (allowed | {"MatMulNBits"} if variant["storage"] == "int4" else allowed)
                onnx.checker.check_model(str(model_path))
