"""Captions for nano training: "<CLDR label>, <style> style", sometimes with CLDR keywords, sometimes
empty (so classifier-free guidance has an unconditional branch to learn: the pack's
"empty-prompt" convention)."""
from __future__ import annotations

import json
from typing import List, Sequence

import numpy as np

from ..word_tokenizer import build_vocab

DROP_PROBABILITY = 0.1
KEYWORD_PROBABILITY = 0.3


def caption(label: str, style: str) -> str:
    return f"{label}, {style} style"


def training_caption(rng: np.random.Generator, label: str, tags_json: str, style: str) -> str:
    if rng.random() < DROP_PROBABILITY:
        return ""
    tags = [t for t in json.loads(tags_json) if t.lower() not in label.lower()]
    if tags and rng.random() < KEYWORD_PROBABILITY:
        picked = rng.choice(tags, size=min(len(tags), int(rng.integers(1, 3))), replace=False)
        return f"{label}, {', '.join(picked)}, {style} style"
    return caption(label, style)


def nano_vocab(labels: Sequence[str], tags: Sequence[str], styles: Sequence[str]) -> List[str]:
    words: List[str] = ["style", *styles]
    for label, tag_list in zip(labels, tags):
        words.extend(str(label).split())
        for tag in json.loads(str(tag_list)):
            words.extend(tag.split())
    return build_vocab(words)
