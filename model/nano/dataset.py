"""The kandinsky3-nano training set: emoji from npm packages, 64×64 RGB on white, with CLDR captions.

Sources (fetched with `npm pack` at build time; never committed):
  noto     emoji-datasource-google 16.0.0   Noto Emoji, Apache-2.0
  twemoji  emoji-datasource-twitter 16.0.0  Twemoji, CC-BY-4.0
  3d       @lobehub/fluent-emoji-3d 1.1.0   Microsoft Fluent Emoji 3D, MIT
  captions emojibase-data 17.0.0            CLDR labels and keywords, MIT

OpenMoji (CC-BY-SA-4.0) is left out: whether trained weights are an adaptation that must carry
share-alike is unsettled, and the three sets above keep the shipped weights under permissive terms.

Held-out evaluation pairs: a (concept, style) pair is held out when sha1(concept code) mod 40 == 0,
in the style sha1 picks (mod 3). The concept still appears in its other styles, so evaluation asks
for a combination the model never saw. `heldout-pairs.json` lists them.

    model/run-python -m model.nano.dataset        # writes model/data/nano-64.npz
"""
from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "model" / "data"
PACKAGES = {
    "emoji-datasource-google": "16.0.0",
    "emoji-datasource-twitter": "16.0.0",
    "@lobehub/fluent-emoji-3d": "1.1.0",
    "emojibase-data": "17.0.0",
}
STYLES = ("noto", "twemoji", "3d")
SIZE = 64
HELDOUT_LIST = Path(__file__).with_name("heldout-pairs.json")

CREDITS = [
    {"name": "Noto Emoji (emoji-datasource-google)", "license": "Apache-2.0", "url": "https://github.com/googlefonts/noto-emoji"},
    {"name": "Twemoji (emoji-datasource-twitter)", "license": "CC-BY-4.0", "url": "https://github.com/jdecked/twemoji", "note": "Graphics © Twitter, Inc. and other contributors"},
    {"name": "Fluent Emoji 3D (@lobehub/fluent-emoji-3d)", "license": "MIT", "url": "https://github.com/microsoft/fluentui-emoji"},
    {"name": "emojibase-data (CLDR labels and keywords)", "license": "MIT", "url": "https://emojibase.dev"},
]


def tarball(package: str) -> Path:
    """The package's npm tarball in model/data/npm, fetched with `npm pack` when missing."""
    folder = DATA / "npm"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{package.lstrip('@').replace('/', '-')}-{PACKAGES[package]}.tgz"
    path = folder / name
    if not path.exists():
        subprocess.run(["npm", "pack", f"{package}@{PACKAGES[package]}", "--silent"], cwd=folder, check=True, stdout=subprocess.DEVNULL)
    return path


def concept_code(stem: str) -> str:
    """File stem or hexcode → the join key: upper case, no FE0F variation selectors."""
    return "-".join(p for p in stem.upper().split("-") if p != "FE0F")


def labels() -> dict:
    with tarfile.open(tarball("emojibase-data")) as t:
        entries = json.load(t.extractfile("package/en/data.json"))
    out = {}
    for e in entries:
        for item in [e] + (e.get("skins") or []):
            out[concept_code(item["hexcode"])] = {"label": item["label"], "tags": item.get("tags") or e.get("tags") or []}
    return out


def _on_white(data: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(data)).convert("RGBA")
    if image.size != (SIZE, SIZE):
        image = image.resize((SIZE, SIZE), Image.LANCZOS)
    white = Image.new("RGBA", image.size, (255, 255, 255, 255))
    return np.asarray(Image.alpha_composite(white, image).convert("RGB"), dtype=np.uint8)


def style_images(style: str):
    package, prefix, suffix = {
        "noto": ("emoji-datasource-google", "package/img/google/64/", ".png"),
        "twemoji": ("emoji-datasource-twitter", "package/img/twitter/64/", ".png"),
        "3d": ("@lobehub/fluent-emoji-3d", "package/assets/", ".webp"),
    }[style]
    with tarfile.open(tarball(package)) as t:
        for member in t:
            if member.isfile() and member.name.startswith(prefix) and member.name.endswith(suffix):
                stem = member.name[len(prefix):-len(suffix)]
                yield concept_code(stem), _on_white(t.extractfile(member).read())


def is_heldout(code: str, style: str) -> bool:
    h = int(hashlib.sha1(code.encode()).hexdigest(), 16)
    return h % 40 == 0 and STYLES[(h // 40) % 3] == style


def build() -> dict:
    names = labels()
    images, codes, styles, split = [], [], [], []
    for s, style in enumerate(STYLES):
        for code, pixels in style_images(style):
            if code not in names:
                continue  # a few newer images have no CLDR label yet
            images.append(pixels)
            codes.append(code)
            styles.append(s)
            split.append(1 if is_heldout(code, style) else 0)
    concepts = sorted(set(codes))
    return {
        "images": np.stack(images),
        "concept": np.array([concepts.index(c) for c in codes], dtype=np.int32),
        "style": np.array(styles, dtype=np.int8),
        "heldout": np.array(split, dtype=np.int8),
        "concepts": np.array(concepts),
        "labels": np.array([names[c]["label"] for c in concepts]),
        "tags": np.array([json.dumps(names[c]["tags"]) for c in concepts]),
        "styles": np.array(STYLES),
    }


def main() -> int:
    data = build()
    DATA.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(DATA / "nano-64.npz", **data)
    pairs = sorted(
        {(str(data["labels"][c]), STYLES[s]) for c, s, h in zip(data["concept"], data["style"], data["heldout"]) if h}
    )
    HELDOUT_LIST.write_text(json.dumps([{"concept": c, "style": s} for c, s in pairs], indent=1) + "\n")
    n, held = len(data["images"]), int(data["heldout"].sum())
    per_style = {STYLES[s]: int((data["style"] == s).sum()) for s in range(len(STYLES))}
    print(f"{n} images ({per_style}), {len(data['concepts'])} concepts, {held} held out → {DATA / 'nano-64.npz'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
