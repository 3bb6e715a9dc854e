"""The kandinsky3-nano training set: emoji from npm packages in seven styles, built at 256×256 RGB on
white, with CLDR captions; the 64×64 set the model trains on is downscaled from the 256 px pictures.

Sources (fetched with `npm pack` at build time; never committed):
  noto      @iconify-json/noto 1.2.9              Noto Emoji (SVG), Apache-2.0; the country flags it lacks
            emoji-datasource-google 16.0.0        come from this set's 64 px PNGs, as in the first data set
  twemoji   @iconify-json/twemoji 1.2.5           Twemoji (SVG), CC-BY-4.0
  3d        @lobehub/fluent-emoji-3d 1.1.0        Microsoft Fluent Emoji 3D (256 px WebP), MIT
  flat      @iconify-json/fluent-emoji-flat 1.2.6 Microsoft Fluent Emoji Flat (SVG), MIT
  fluent    @iconify-json/fluent-emoji 1.2.7      Microsoft Fluent Emoji Color (SVG, gradients), MIT
  blob      @iconify-json/noto-v1 1.2.5           Noto Emoji v1, the blob-era designs (SVG), Apache-2.0
  emojione  @iconify-json/emojione 1.2.3          EmojiOne 2 (SVG, via Emojitwo), CC-BY-4.0
  captions  emojibase-data 17.0.0                 CLDR labels and keywords, MIT

Left out: Apple (its licence bars commercial use), Facebook (no clear licence), and OpenMoji
(CC-BY-SA-4.0: whether trained weights are an adaptation that must carry share-alike is unsettled).
`@svgmoji/blob` carries no pictures (its sprites come from a CDN), so the blob style is Noto v1's.

The SVG sets are rasterised by model/nano/render_emoji.mjs (Iconify's utilities and resvg, from npm).
Every picture is composited on white at 256 px; the 64 px set is a Lanczos downscale of that. The
noto flags exist only at 64 px: their 256 px pictures are upscaled, and `native` says so (0), so that
super-resolution training can leave them out.

Held-out evaluation pairs: a (concept, style) pair is held out when sha1(concept code) mod 40 == 0,
in the one of the first three styles (noto, twemoji, 3d) that sha1 picks (mod 3). The rule and the
85 pairs are those of the first data set, so the numbers compare; the styles added since are never
held out. The concept still appears in its other styles, so evaluation asks for a combination the
model never saw. `heldout-pairs.json` lists the pairs, and a build that would change them fails.

    model/run-python -m model.nano.dataset        # model/data/nano-64.npz and nano-256.npy
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "model" / "data"
PACKAGES = {
    "@iconify-json/noto": "1.2.9",
    "emoji-datasource-google": "16.0.0",
    "@iconify-json/twemoji": "1.2.5",
    "@lobehub/fluent-emoji-3d": "1.1.0",
    "@iconify-json/fluent-emoji-flat": "1.2.6",
    "@iconify-json/fluent-emoji": "1.2.7",
    "@iconify-json/noto-v1": "1.2.5",
    "@iconify-json/emojione": "1.2.3",
    "emojibase-data": "17.0.0",
}
# Style word → the Iconify package that draws it (3d is Fluent 3D's WebP files instead).
ICONIFY_STYLES = {
    "noto": "@iconify-json/noto",
    "twemoji": "@iconify-json/twemoji",
    "flat": "@iconify-json/fluent-emoji-flat",
    "fluent": "@iconify-json/fluent-emoji",
    "blob": "@iconify-json/noto-v1",
    "emojione": "@iconify-json/emojione",
}
# The first three keep their indices from the first data set (the held-out rule picks among them).
STYLES = ("noto", "twemoji", "3d", "flat", "fluent", "blob", "emojione")
HELDOUT_STYLES = STYLES[:3]
SIZE = 64  # what the model trains on and makes
LARGE = 256  # what every picture is built at (the super-resolution pairs come from these)
HELDOUT_LIST = Path(__file__).with_name("heldout-pairs.json")
RENDERER = Path(__file__).with_name("render_emoji.mjs")

CREDITS = [
    {"name": "Noto Emoji and Noto Emoji v1 (@iconify-json/noto, @iconify-json/noto-v1, emoji-datasource-google)", "license": "Apache-2.0", "url": "https://github.com/googlefonts/noto-emoji", "note": "© Google"},
    {"name": "Twemoji (@iconify-json/twemoji)", "license": "CC-BY-4.0", "url": "https://github.com/jdecked/twemoji", "note": "Graphics © Twitter, Inc. and other contributors"},
    {"name": "Fluent Emoji: 3D, Flat and Color (@lobehub/fluent-emoji-3d, @iconify-json/fluent-emoji-flat, @iconify-json/fluent-emoji)", "license": "MIT", "url": "https://github.com/microsoft/fluentui-emoji", "note": "© Microsoft Corporation"},
    {"name": "EmojiOne 2 (@iconify-json/emojione, via Emojitwo)", "license": "CC-BY-4.0", "url": "https://github.com/EmojiTwo/emojitwo", "note": "Graphics © Ranks.com and Emojitwo contributors"},
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


def package_json(package: str, member: str):
    with tarfile.open(tarball(package)) as t:
        try:
            return json.load(t.extractfile(f"package/{member}"))
        except KeyError:
            return None


def concept_code(stem: str) -> str:
    """File stem or hexcode → the join key: upper case, no FE0F variation selectors."""
    return "-".join(p for p in stem.upper().split("-") if p != "FE0F")


def slug(label: str) -> str:
    """A CLDR label as Iconify names it: "flag: Japan" → "flag-japan"."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower().replace("’", "").replace("'", "")).strip("-")


def labels() -> dict:
    with tarfile.open(tarball("emojibase-data")) as t:
        entries = json.load(t.extractfile("package/en/data.json"))
    out = {}
    for e in entries:
        for item in [e] + (e.get("skins") or []):
            out[concept_code(item["hexcode"])] = {"label": item["label"], "tags": item.get("tags") or e.get("tags") or []}
    return out


def icon_codes(names: dict) -> dict:
    """Icon name → concept code. Iconify names emoji by their CLDR-style name, not by code point; the
    sets that ship a chars.json say which name is which code, and a label's slug covers the rest."""
    by_name = {slug(v["label"]): code for code, v in names.items()}
    for package in ICONIFY_STYLES.values():
        for char, name in (package_json(package, "chars.json") or {}).items():
            by_name[name] = concept_code(char)
    return by_name


def iconify_items(style: str, by_name: dict, names: dict) -> list:
    """(concept code, icon name) of every icon of the style's set that has a CLDR label; one icon per code."""
    icons = package_json(ICONIFY_STYLES[style], "icons.json")
    items = {}
    for name in [*icons["icons"], *icons.get("aliases", {})]:
        if icons["icons"].get(name, {}).get("hidden"):
            continue
        code = by_name.get(name)
        if code in names and code not in items:
            items[code] = name
    return sorted(items.items())


def render_iconify(styles, by_name: dict, names: dict) -> dict:
    """Renders each Iconify style to model/data/nano-256/<style>/<code>.png (kept between builds)."""
    jobs, found = [], {}
    extracted = DATA / "npm" / "icons"
    extracted.mkdir(parents=True, exist_ok=True)
    for style in styles:
        items = iconify_items(style, by_name, names)
        icons_path = extracted / f"{style}.json"
        icons_path.write_text(json.dumps(package_json(ICONIFY_STYLES[style], "icons.json")))
        jobs.append({"icons": str(icons_path), "out": str(DATA / "nano-256" / style), "items": items})
        found[style] = [code for code, _ in items]
    job_file, trace = extracted / "jobs.json", extracted / "trace.txt"
    skip: list = []
    while True:
        job_file.write_text(json.dumps({"size": LARGE, "sets": jobs, "trace": str(trace), "skip": skip}))
        result = subprocess.run(["node", str(RENDERER), str(job_file)], cwd=REPO, capture_output=True, text=True)
        if result.returncode == 0:
            break
        crashed = trace.read_text() if trace.exists() else ""
        if not crashed or crashed in skip:
            raise SystemExit(f"the emoji renderer failed:\n{result.stderr[-2000:]}")
        skip.append(crashed)  # resvg cannot draw this one: leave it out and go on
    print(f"rendered: {result.stdout.strip()}; resvg could not draw {len(skip)}: {[Path(s).stem for s in skip]}", flush=True)
    for style in styles:
        found[style] = [c for c in found[style] if (DATA / "nano-256" / style / f"{c}.png").exists()]
    return found


def on_white(image: Image.Image) -> Image.Image:
    """RGBA of any size → LARGE×LARGE RGB: the longer side fitted, centred, composited on white."""
    image = image.convert("RGBA")
    if image.size != (LARGE, LARGE):
        fit = LARGE / max(image.size)
        image = image.resize((max(1, round(image.width * fit)), max(1, round(image.height * fit))), Image.LANCZOS)
    canvas = Image.new("RGBA", (LARGE, LARGE), (255, 255, 255, 255))
    canvas.alpha_composite(image, ((LARGE - image.width) // 2, (LARGE - image.height) // 2))
    return canvas.convert("RGB")


def downscale(image: Image.Image) -> np.ndarray:
    """LARGE px RGB → SIZE px with a Lanczos filter (antialiased; a nearest or box cut would alias edges)."""
    return np.asarray(image.resize((SIZE, SIZE), Image.LANCZOS), dtype=np.uint8)


class Picture:
    """One picture at both sizes: `large` (LARGE px, PIL) and `small` (SIZE px, uint8 array)."""

    def __init__(self, large: Image.Image, small: np.ndarray | None = None) -> None:
        self.native = small is None  # drawn at LARGE px, not upscaled from a small original
        self.large = large
        self.small = downscale(large) if small is None else small


def small_original(data: bytes) -> Picture:
    """A SIZE px PNG (the noto flags): kept as it is, and upscaled for the LARGE set."""
    image = Image.open(io.BytesIO(data)).convert("RGBA")
    white = Image.new("RGBA", image.size, (255, 255, 255, 255))
    small = np.asarray(Image.alpha_composite(white, image).convert("RGB").resize((SIZE, SIZE), Image.LANCZOS), dtype=np.uint8)
    return Picture(Image.fromarray(small).resize((LARGE, LARGE), Image.BICUBIC), small)


def tar_pictures(package: str, prefix: str, suffix: str, wanted=None):
    """(code, raw bytes) of the package's files `prefix<code>suffix`, optionally only the `wanted` codes."""
    with tarfile.open(tarball(package)) as t:
        for member in t:
            if member.isfile() and member.name.startswith(prefix) and member.name.endswith(suffix):
                code = concept_code(member.name[len(prefix):-len(suffix)])
                if wanted is None or code in wanted:
                    yield code, t.extractfile(member).read()


def style_pictures(style: str, codes: list):
    """(code, Picture) of one style."""
    if style == "3d":
        for code, data in tar_pictures("@lobehub/fluent-emoji-3d", "package/assets/", ".webp"):
            yield code, Picture(on_white(Image.open(io.BytesIO(data))))
        return
    for code in codes:
        yield code, Picture(on_white(Image.open(DATA / "nano-256" / style / f"{code}.png")))
    if style == "noto":  # the country flags Iconify's Noto leaves out, from the first data set's source
        flags = {c for c in labels() if all(0x1F1E6 <= int(p, 16) <= 0x1F1FF for p in c.split("-"))} - set(codes)
        for code, data in tar_pictures("emoji-datasource-google", "package/img/google/64/", ".png", flags):
            yield code, small_original(data)


def is_heldout(code: str, style: str) -> bool:
    h = int(hashlib.sha1(code.encode()).hexdigest(), 16)
    return h % 40 == 0 and HELDOUT_STYLES[(h // 40) % len(HELDOUT_STYLES)] == style


def committed_pairs() -> set:
    return {(p["concept"], p["style"]) for p in json.loads(HELDOUT_LIST.read_text())}


def build(large_path: Path) -> dict:
    """Writes the 256 px pictures to `large_path` (a .npy opened as a memory map: 4 GB does not need to
    sit in memory twice) and returns the 64 px set with its labels."""
    names = labels()
    by_name = icon_codes(names)
    rendered = render_iconify([s for s in STYLES if s in ICONIFY_STYLES], by_name, names)
    held = committed_pairs()
    entries, dropped = [], []
    for s, style in enumerate(STYLES):
        seen = set()
        for code, picture in style_pictures(style, rendered.get(style, [])):
            if code not in names or code in seen:
                continue  # a few newer pictures have no CLDR label yet
            if is_heldout(code, style) and (names[code]["label"], style) not in held:
                dropped.append((names[code]["label"], style))  # the rule holds it out, but the first set lacked it:
                continue  # neither trained on nor scored, so the evaluation's pairs stay those of the first set
            seen.add(code)
            entries.append((code, s, picture))
        print(f"{style}: {len(seen)} pictures", flush=True)
    print(f"left out, held out by the rule but not in the first set's list: {dropped}")
    large = np.lib.format.open_memmap(large_path, mode="w+", dtype=np.uint8, shape=(len(entries), LARGE, LARGE, 3))
    small = np.empty((len(entries), SIZE, SIZE, 3), dtype=np.uint8)
    for i, (_, _, picture) in enumerate(entries):
        large[i] = np.asarray(picture.large, dtype=np.uint8)
        small[i] = picture.small
    large.flush()
    codes = [code for code, _, _ in entries]
    concepts = sorted(set(codes))
    position = {c: i for i, c in enumerate(concepts)}
    return {
        "images": small,
        "concept": np.array([position[c] for c in codes], dtype=np.int32),
        "style": np.array([s for _, s, _ in entries], dtype=np.int8),
        "heldout": np.array([1 if is_heldout(c, STYLES[s]) else 0 for c, s, _ in entries], dtype=np.int8),
        "native": np.array([1 if p.native else 0 for _, _, p in entries], dtype=np.int8),
        "concepts": np.array(concepts),
        "labels": np.array([names[c]["label"] for c in concepts]),
        "tags": np.array([json.dumps(names[c]["tags"]) for c in concepts]),
        "styles": np.array(STYLES),
    }


def heldout_pairs(data: dict) -> list:
    return sorted({(str(data["labels"][c]), STYLES[s]) for c, s, h in zip(data["concept"], data["style"], data["heldout"]) if h})


def main() -> int:
    DATA.mkdir(parents=True, exist_ok=True)
    large_path = DATA / "nano-256.npy"
    data = build(large_path)
    pairs = heldout_pairs(data)
    committed = committed_pairs()
    if pairs != sorted(committed):
        lost = sorted(committed - set(pairs))
        added = sorted(set(pairs) - committed)
        raise SystemExit(f"the held-out pairs changed (missing {lost}, new {added}): the evaluation would not compare")
    np.savez_compressed(DATA / "nano-64.npz", **data)
    n, held = len(data["images"]), int(data["heldout"].sum())
    per_style = {STYLES[s]: int((data["style"] == s).sum()) for s in range(len(STYLES))}
    print(f"{n} images ({per_style}), {len(data['concepts'])} concepts, {held} held out → "
          f"{DATA / 'nano-64.npz'} and {large_path} (same order)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
