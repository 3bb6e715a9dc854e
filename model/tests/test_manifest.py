"""The committed random pack's manifest is valid and matches its files; broken manifests are refused
with messages that say what is wrong."""
import copy
import hashlib
import json

import pytest

from model.pack_manifest import ManifestError, manifest_problems, validate_manifest

from model.tests.paths import RANDOM_PACK


@pytest.fixture(scope="module")
def manifest():
    return json.loads((RANDOM_PACK / "manifest.json").read_text())


def test_random_pack_manifest_is_valid(manifest):
    validate_manifest(manifest)
    assert manifest["weights"] == "random" and isinstance(manifest["randomSeed"], int)
    assert {c["role"] for c in manifest["components"].values()} == {"text-encoder", "unet", "controlnet", "image-encoder", "movq-encoder", "movq-decoder", "upscaler"}
    kinds = {c["unet"]["kind"] for c in manifest["components"].values() if c["role"] == "unet"}
    assert kinds == {"base", "flash", "inpainting"}
    assert manifest["components"]["unet_inpainting"]["unet"]["inChannels"] == 9
    assert manifest["components"]["unet_inpainting"]["unet"]["outChannels"] == 4
    assert manifest["latent"]["scaleFactor"] == 4  # the nano autoencoder's ×4, read from here by the app
    assert manifest["defaults"]["sampler"] == "flash" and manifest["defaults"]["steps"] == 4
    assert manifest["defaults"]["upscaler"] == "upscaler" and manifest["components"]["upscaler"]["upscaler"]["factor"] == 4


def test_files_match_their_sizes_and_hashes(manifest):
    for entry in manifest["files"]:
        data = (RANDOM_PACK / entry["path"]).read_bytes()
        assert len(data) == entry["bytes"], entry["path"]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
        size = entry["chunks"]["bytes"]
        pieces = [data[i : i + size] for i in range(0, max(len(data), 1), size)]
        assert [hashlib.sha256(p).hexdigest() for p in pieces] == entry["chunks"]["sha256"], entry["path"]
    listed = {f["path"] for f in manifest["files"]} | {"manifest.json"}
    assert {p.name for p in RANDOM_PACK.iterdir()} == listed


def test_every_variant_computes_in_fp32_without_shader_f16(manifest):
    for component in manifest["components"].values():
        assert {"fp32", "fp16w", "int8w"} <= set(component["variants"])
        assert all(v["compute"] == "float32" for v in component["variants"].values())


def test_a_pack_from_before_text_padding_and_tiles_still_validates(manifest):
    old = copy.deepcopy(manifest)
    del old["text"]["padding"]
    del old["memoryPlan"]["tiles"]
    for size in old["memoryPlan"]["sizes"]:
        del size["stageLargestTensorBytes"]
    validate_manifest(old)


@pytest.mark.parametrize(
    "break_it, expected",
    [
        (lambda m: m.pop("latent"), "'latent' is a required property"),
        (lambda m: m.update(schemaVersion=2), "schemaVersion: 1 was expected"),
        (lambda m: m["files"][0].update(sha256="xyz"), "does not match"),
        (lambda m: m["files"][0]["chunks"]["sha256"].append("0" * 64), "chunk hashes, but"),
        (lambda m: m["files"][0]["chunks"].update(bytes=1 << 30), "is greater than the maximum"),
        (lambda m: m["files"][0].update(path="../../etc/passwd"), "does not match"),
        (lambda m: m["files"].pop(0), "is not listed in files"),
        (lambda m: m["components"].pop("upscaler"),
         "defaults/upscaler: the pack declares the upscaler upscaler, but has no upscaler component of that name"),
        (lambda m: m["components"]["upscaler"]["upscaler"]["output"].update(max=500),
         "components/upscaler/upscaler: output: 64–500 is not 4 × the input's 16–128"),
        (lambda m: m["components"]["upscaler"].pop("upscaler"), "'upscaler' is a required property"),
        (lambda m: m["components"]["movq_decoder"]["variants"]["int8w"]["weights"].update(file="gone.safetensors"),
         "components/movq_decoder/variants/int8w: file gone.safetensors is not listed in files"),
        (lambda m: m["components"]["unet_base"]["variants"]["int8w"].update(weights={"file": "a", "location": "b"}),
         "'file' is a dependency of 'weights'"),
        (lambda m: m["defaults"].update(unet="movq_decoder"), "defaults/unet: movq_decoder is not a unet component"),
        (lambda m: m["components"]["unet_base"].pop("unet"), "'unet' is a required property"),
        (lambda m: m["components"]["unet_base"]["unet"]["context"].update(output="context_nope"), "has no output context_nope"),
        (lambda m: m["components"].pop("movq_decoder"), "a pack needs a movq-decoder component"),
        (lambda m: m["text"].update(unconditional="null-embedding"), "text/nullEmbedding"),
        (lambda m: m["text"].update(unconditional="null-embedding", nullEmbedding=m["text"]["tokenizer"], padding="zero-before-projection"),
         "text/padding: the null-embedding convention needs zero-after-projection"),
        (lambda m: m["memoryPlan"]["tiles"].update(latentOverlap=64), "memoryPlan/tiles: an overlap of 64 cells needs windows wider than 64"),
        (lambda m: m["components"]["unet_base"]["variants"]["int8w"]["parts"].pop(),
         "components/unet_base/variants/int8w: needs one file per part (10)"),
        (lambda m: m["components"]["unet_base"]["parts"][3]["inputs"][0].update(name="x.9"),
         "components/unet_base/parts: part 3 reads x.9, which no input or earlier part provides"),
        (lambda m: m["components"]["text_encoder"]["parts"][-1]["outputs"].pop(),
         "components/text_encoder/parts: no part writes the output context_inpainting"),
        (lambda m: m["components"]["text_encoder"].pop("parts"), "needs one file per part (no parts, so one file)"),
        (lambda m: m["components"]["unet_flash"].update(inputs=[i for i in m["components"]["unet_flash"]["inputs"] if i["name"] != "control_1"]),
         "components/controlnet/controlnet: unet_flash has no input control_1 for its residual"),
        (lambda m: m["components"]["unet_flash"].update(inputs=[i for i in m["components"]["unet_flash"]["inputs"] if i["name"] != "image_weight"]),
         "components/unet_flash/unet/imageAdapter: the U-Net has no input image_weight"),
        (lambda m: m["components"]["unet_base"]["unet"]["imageAdapter"].update(component="unet_flash"),
         "components/unet_base/unet/imageAdapter: unet_flash is not an image-encoder component"),
        (lambda m: m["components"]["image_encoder"]["imageEncoder"].pop("std"), "'std' is a required property"),
        (lambda m: m["components"]["controlnet"]["controlnet"]["controls"].append("movq_decoder"),
         "components/controlnet/controlnet: controls movq_decoder, which is not a unet component"),
        (lambda m: m["components"]["controlnet"]["controlnet"]["context"].update(output="context_nope"),
         "components/controlnet/controlnet: context: text_encoder has no output context_nope"),
        (lambda m: m["components"]["controlnet"].pop("controlnet"), "'controlnet' is a required property"),
    ],
)
def test_broken_manifests_are_refused_with_a_reason(manifest, break_it, expected):
    broken = copy.deepcopy(manifest)
    break_it(broken)
    problems = manifest_problems(broken)
    assert any(expected in p for p in problems), problems
    with pytest.raises(ManifestError):
        validate_manifest(broken)


def test_chunk_size_grows_with_the_file_but_stays_storable():
    from model.export.pack_files import MAX_CHUNK, MIN_CHUNK, chunk_bytes_for

    assert chunk_bytes_for(0) == MIN_CHUNK
    assert chunk_bytes_for(5_000_000) == MIN_CHUNK
    assert chunk_bytes_for(4 << 30) == 16 << 20  # a 4 GiB U-Net: 256 chunks
    assert chunk_bytes_for(100 << 30) == MAX_CHUNK


def test_file_entry_of_an_empty_and_an_exact_multiple_file(tmp_path):
    from model.export.pack_files import file_entry

    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert file_entry(empty, "empty")["chunks"]["sha256"] == [hashlib.sha256(b"").hexdigest()]
    exact = tmp_path / "exact"
    exact.write_bytes(b"x" * (2 << 20))
    entry = file_entry(exact, "exact")
    assert len(entry["chunks"]["sha256"]) == 2 and entry["sha256"] == hashlib.sha256(b"x" * (2 << 20)).hexdigest()


def test_preview_map_recovers_a_known_linear_map():
    import numpy as np

    from model.export.preview_map import fit_preview_map, synthetic_images

    images = synthetic_images(8, 16)
    assert images.shape == (8, 3, 16, 16) and images.min() >= -1 and images.max() <= 1
    # Latents that are exactly a linear function of the cell averages: the fit must invert it.
    target = images.reshape(8, 3, 4, 4, 4, 4).mean(axis=(3, 5))
    mix = np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 0.5], [0.5, 0.0, 1.0], [0.2, 0.2, 0.2]])
    latents = np.einsum("cj,njhw->nchw", mix, target) + 0.1
    fitted = fit_preview_map(latents, images, factor=4)
    w, b = np.array(fitted["weights"]), np.array(fitted["bias"])
    predicted = np.einsum("jc,nchw->njhw", w, latents) + b[None, :, None, None]
    assert np.abs(predicted - target).max() < 1e-4


def test_committed_packs_carry_a_preview_map_for_their_latent_channels():
    for pack in (RANDOM_PACK, RANDOM_PACK.parent / "kandinsky3-nano"):
        manifest = json.loads((pack / "manifest.json").read_text())
        preview = manifest["latent"]["preview"]
        assert len(preview["weights"]) == 3 and all(len(row) == manifest["latent"]["channels"] for row in preview["weights"])
