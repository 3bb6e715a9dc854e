"""The pack's tokenizer.json gives the same ids in the browser's library as in the Python reference."""
import json
import subprocess

import pytest

from model.word_tokenizer import EOS, SPECIALS, build_vocab, encode, tokenizer_json

from model.tests.paths import REPO

PROMPTS = [
    "red apple, 3d style",
    "Grinning Face with big eyes",
    "café crème brûlée",  # accents are stripped, unknown words spelled out
    "flag: japan",
    "zzqx unknownword 42",
    "  many   spaces\tand\nnewlines ",
    "",
    "a " * 200,  # longer than any limit: the library does not truncate, the app does
]


@pytest.fixture(scope="module")
def vocab():
    return build_vocab(["red", "apple", "3d", "style", "grinning", "face", "flag", "japan", "with", "a", "cafe"])


def test_reference_encoding(vocab):
    ids, mask = encode("Red apple, 3D style", vocab, max_length=128)
    words = [vocab[i] for i in ids]
    assert words == ["red", "apple", ",", "3d", "style", EOS]
    assert mask == [1] * 6
    assert vocab[:3] == list(SPECIALS)  # [PAD]=0 as in T5, [EOS] appended
    unknown, _ = encode("qz", vocab, max_length=128)
    assert [vocab[i] for i in unknown] == ["q", "##z", EOS]
    long_ids, _ = encode("a " * 200, vocab, max_length=128)
    assert len(long_ids) == 128 and vocab[long_ids[-1]] == EOS


def test_browser_library_matches_reference(tmp_path, vocab):
    path = tmp_path / "tokenizer.json"
    path.write_text(tokenizer_json(vocab))
    proc = subprocess.run(
        ["node", str(REPO / "model" / "tests" / "tokenize.mjs"), str(path)],
        input=json.dumps(PROMPTS), capture_output=True, text=True, cwd=REPO, check=True,
    )
    js_ids = json.loads(proc.stdout)
    for prompt, ids in zip(PROMPTS, js_ids):
        expected, _ = encode(prompt, vocab, max_length=10_000)
        assert ids == expected, prompt
