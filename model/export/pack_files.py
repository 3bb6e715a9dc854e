"""The manifest's `files` entries: size, SHA-256, and the file cut into chunks with a SHA-256 each.

Chunks are what the app downloads, resumes, verifies and stores (one IndexedDB value each), so a
browser never hashes or holds a whole multi-GB file at once: SubtleCrypto has no incremental hash,
but it can check each chunk as it arrives.

    model/run-python -m model.export.pack_files public/models/<pack>   # refresh a pack's files list
"""
from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from ..pack_manifest import rewrite_manifest

MIN_CHUNK = 1 << 20  # 1 MiB: small files still resume in useful steps
MAX_CHUNK = 64 << 20  # 64 MiB: the largest value the app stores in IndexedDB
TARGET_CHUNKS = 256  # a multi-GB file gets bigger chunks instead of thousands of hashes


def chunk_bytes_for(size: int) -> int:
    chunk = MIN_CHUNK
    while chunk < MAX_CHUNK and chunk * TARGET_CHUNKS < size:
        chunk *= 2
    return chunk


def file_entry(path: Path, name: str) -> dict:
    size = path.stat().st_size
    chunk = chunk_bytes_for(size)
    whole = hashlib.sha256()
    pieces = []
    with path.open("rb") as f:
        while True:
            block = f.read(chunk)
            if not block and pieces:
                break
            whole.update(block)
            pieces.append(hashlib.sha256(block).hexdigest())
            if len(block) < chunk:
                break
    return {"path": name, "bytes": size, "sha256": whole.hexdigest(), "chunks": {"bytes": chunk, "sha256": pieces}}


def refresh_files(pack_dir: Path) -> dict:
    """Recomputes every files entry of `pack_dir/manifest.json` from the files on disk."""

    def change(manifest: dict) -> None:
        manifest["files"] = [file_entry(pack_dir / f["path"], f["path"]) for f in manifest["files"]]

    return rewrite_manifest(pack_dir, change)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pack_dir", type=Path)
    manifest = refresh_files(parser.parse_args().pack_dir)
    print(f"{len(manifest['files'])} files, {sum(f['bytes'] for f in manifest['files']):,} bytes")


if __name__ == "__main__":
    main()
