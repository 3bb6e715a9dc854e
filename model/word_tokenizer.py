"""Word-level tokenizer stored as a WordPiece `tokenizer.json`, and its Python reference.

Why WordPiece: `@huggingface/tokenizers` 0.2 (the browser side) has no WordLevel model and silently
returns undefined ids for one. A WordPiece vocabulary of whole words plus single characters
(`a`, `##a`, …) behaves as word-level for known words and spells unknown words out instead of
collapsing them to [UNK]. Normalisation (NFKC → NFD → strip accents → lowercase) and the BERT
pre-tokenizer (split on whitespace and punctuation) match the JS library's.
"""
from __future__ import annotations

import json
import string
import unicodedata
from typing import Iterable, List, Sequence, Tuple

PAD, UNK, EOS = "[PAD]", "[UNK]", "[EOS]"
SPECIALS = (PAD, UNK, EOS)  # ids 0, 1, 2: pad 0 as in T5
_CHARS = string.ascii_lowercase + string.digits


def build_vocab(words: Iterable[str]) -> List[str]:
    # Punctuation is its own token after BERT pre-tokenisation ("flag: japan"), so it gets ids too.
    vocab = list(SPECIALS) + list(_CHARS) + ["##" + c for c in _CHARS] + list(string.punctuation)
    seen = set(vocab)
    for word in words:
        for piece in pre_tokenize(normalize(word)):
            if piece not in seen:
                seen.add(piece)
                vocab.append(piece)
    return vocab


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    return "".join(c for c in text if unicodedata.category(c) != "Mn").lower()


def _is_punctuation(c: str) -> bool:
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def pre_tokenize(text: str) -> List[str]:
    """BERT pre-tokenizer: split on whitespace, and make each punctuation character its own piece."""
    pieces: List[str] = []
    for chunk in text.split():
        current = ""
        for c in chunk:
            if _is_punctuation(c):
                if current:
                    pieces.append(current)
                pieces.append(c)
                current = ""
            else:
                current += c
        if current:
            pieces.append(current)
    return pieces


def _wordpiece(word: str, vocab: dict) -> List[int]:
    ids, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                found = vocab[piece]
                break
            end -= 1
        if found is None:
            return [vocab[UNK]]  # WordPiece maps the whole word to [UNK] when any part is unknown
        ids.append(found)
        start = end
    return ids


def make_index(vocab: Sequence[str]) -> dict:
    return {token: i for i, token in enumerate(vocab)}


def encode(text: str, vocab: Sequence[str], max_length: int, index: dict | None = None) -> Tuple[List[int], List[int]]:
    """Token ids with EOS appended, truncated to max_length (EOS kept), and the keep-mask; unpadded.
    Pass `index` (make_index(vocab)) when encoding many texts."""
    index = index if index is not None else make_index(vocab)
    ids: List[int] = []
    for word in pre_tokenize(normalize(text)):
        ids.extend(_wordpiece(word, index))
    ids = ids[: max_length - 1] + [index[EOS]]
    return ids, [1] * len(ids)


def tokenizer_json(vocab: Sequence[str]) -> str:
    special = [
        {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        for i, t in enumerate(SPECIALS)
    ]
    doc = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": special,
        "normalizer": {
            "type": "Sequence",
            "normalizers": [{"type": "NFKC"}, {"type": "NFD"}, {"type": "StripAccents"}, {"type": "Lowercase"}],
        },
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": EOS, "type_id": 0}}],
            "pair": [
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": EOS, "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 0}},
                {"SpecialToken": {"id": EOS, "type_id": 0}},
            ],
            "special_tokens": {EOS: {"id": EOS, "ids": [SPECIALS.index(EOS)], "tokens": [EOS]}},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {
            "type": "WordPiece",
            "unk_token": UNK,
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100,
            "vocab": {token: i for i, token in enumerate(vocab)},
        },
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)
