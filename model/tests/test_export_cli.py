"""The documented export command writes a complete, valid pack whose graphs match PyTorch."""
import hashlib
import json

import onnx
import pytest
from onnx import numpy_helper

from model.config import TINY
from model.convert.safetensors_io import read_safetensors
from model.export.__main__ import main
from model.kandinsky3 import Kandinsky3, randomize_, weights_digest
from model.pack_manifest import validate_manifest


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("pack") / "tiny-test"
    # One U-Net keeps this under two minutes on 2 cores; the committed pack covers all three kinds.
    assert main(["--config", "tiny", "--unets", "base", "--random-seed", "3",
                 "--formats", "fp32,int8w", "--default-size", "64", "--out", str(out)]) == 0
    return out


def test_writes_a_valid_manifest_that_lists_every_file(pack):
    manifest = validate_manifest(json.loads((pack / "manifest.json").read_text()))
    assert manifest["name"] == "tiny-test" and manifest["weights"] == "random" and manifest["randomSeed"] == 3
    for entry in manifest["files"]:
        data = (pack / entry["path"]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["bytes"], entry["sha256"])
        assert entry["chunks"]["sha256"][0] == hashlib.sha256(data[: entry["chunks"]["bytes"]]).hexdigest()
    assert sorted(p.name for p in pack.iterdir()) == sorted([f["path"] for f in manifest["files"]] + ["manifest.json"])
    assert set(manifest["components"]) == {"text_encoder", "unet_base", "movq_encoder", "movq_decoder"}
    assert manifest["components"]["unet_base"]["unet"]["inChannels"] == 4
    assert manifest["defaults"] == {"unet": "unet_base", "sampler": "ddpm", "steps": 25, "guidance": 3.0, "width": 64, "height": 64}


def test_int8_weights_take_a_quarter_of_the_bytes(pack):
    """Weights only: in a graph this small the operator list itself is a third of the file."""
    manifest = json.loads((pack / "manifest.json").read_text())
    unet = manifest["components"]["unet_base"]["variants"]

    def weight_bytes(variant):
        model = onnx.load(str(pack / unet[variant]["file"]), load_external_data=False)
        inside = sum(numpy_helper.to_array(i).nbytes for i in model.graph.initializer if not i.external_data)
        # int8 values and their scales, kept beside the graph (model/export/separate_weights.py)
        beside = unet[variant].get("weights")
        return inside + (sum(t.numel() * t.element_size() for t in read_safetensors(pack / beside["file"]).values()) if beside else 0)

    assert weight_bytes("int8w") < 0.3 * weight_bytes("fp32")
    assert 0 < unet["int8w"]["maxAbsErrorVsFp32"] < 0.5


def test_seed_determines_the_weights(pack):
    manifest = json.loads((pack / "manifest.json").read_text())
    again = randomize_(Kandinsky3(TINY, ("base",)), 3)
    other = randomize_(Kandinsky3(TINY, ("base",)), 4)
    assert weights_digest(again) == manifest["weightsDigest"]
    assert weights_digest(other) != manifest["weightsDigest"]


def test_refuses_a_tokenizer_larger_than_the_embedding(tmp_path, capsys):
    vocab = {f"w{i}": i for i in range(TINY.text.vocab_size + 1)}
    (tmp_path / "tokenizer.json").write_text(json.dumps({"model": {"vocab": vocab}}))
    with pytest.raises(SystemExit):
        main(["--config", "tiny", "--random-seed", "0", "--tokenizer", str(tmp_path / "tokenizer.json"), "--out", str(tmp_path / "p")])
    assert "the tokenizer has" in capsys.readouterr().err
