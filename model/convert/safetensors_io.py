"""Read and write the safetensors format: an 8-byte little-endian header length, a JSON header
({name: {dtype, shape, data_offsets}}, plus optional __metadata__), then the raw tensor bytes.

No safetensors package exists in Debian's archive (the only Python source here), and the format is
this small, so it is read directly; tensors are memory-mapped, so multi-GB shards are not copied
into memory until a module takes them.
"""
from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Dict, Mapping, Optional

import numpy as np
import torch

_DTYPES = {
    "F32": (np.float32, torch.float32),
    "F16": (np.float16, torch.float16),
    "BF16": (np.int16, torch.bfloat16),  # numpy has no bfloat16: read the bits, reinterpret in torch
    "F64": (np.float64, torch.float64),
    "I64": (np.int64, torch.int64),
    "I32": (np.int32, torch.int32),
    "I16": (np.int16, torch.int16),
    "I8": (np.int8, torch.int8),
    "U8": (np.uint8, torch.uint8),
    "BOOL": (np.bool_, torch.bool),
}
_NAMES = {torch_dtype: name for name, (_, torch_dtype) in _DTYPES.items()}


class SafetensorsError(ValueError):
    """A file that is not valid safetensors: the message says which file and what is wrong."""


def read_safetensors(path: Path) -> Dict[str, torch.Tensor]:
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise SafetensorsError(f"{path}: too short to be a safetensors file")
        (length,) = struct.unpack("<Q", head)
        if length > size - 8:
            raise SafetensorsError(f"{path}: header length {length} runs past the end of the file ({size} bytes)")
        try:
            header = json.loads(f.read(length))
        except ValueError as e:
            raise SafetensorsError(f"{path}: header is not JSON ({e})") from None
    data = np.memmap(path, dtype=np.uint8, mode="c", offset=8 + length) if size > 8 + length else np.zeros(0, np.uint8)
    out: Dict[str, torch.Tensor] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info.get("dtype") not in _DTYPES:
            raise SafetensorsError(f"{path}: tensor {name} has unsupported dtype {info.get('dtype')}")
        np_dtype, torch_dtype = _DTYPES[info["dtype"]]
        start, end = info["data_offsets"]
        shape = [int(d) for d in info["shape"]]
        count = int(np.prod(shape)) if shape else 1
        if not (0 <= start <= end <= data.size) or end - start != count * np.dtype(np_dtype).itemsize:
            raise SafetensorsError(f"{path}: tensor {name} has offsets {start}..{end} that do not fit its shape {shape}")
        array = np.frombuffer(data, dtype=np_dtype, count=count, offset=start).reshape(shape)
        tensor = torch.from_numpy(array)  # copy-on-write map: pages are read when used
        out[name] = tensor.view(torch.bfloat16) if torch_dtype == torch.bfloat16 else tensor
    return out


def write_safetensors(path: Path, tensors: Mapping[str, torch.Tensor], metadata: Optional[Dict[str, str]] = None) -> None:
    """The tensors in the given order, with the optional string-to-string `__metadata__`."""
    header: Dict[str, object] = {"__metadata__": dict(metadata)} if metadata else {}
    chunks, offset = [], 0
    for name, tensor in tensors.items():
        tensor = tensor.detach().contiguous().cpu()
        raw = (tensor.view(torch.int16) if tensor.dtype == torch.bfloat16 else tensor).numpy().tobytes()
        header[name] = {"dtype": _NAMES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)  # the format aligns the data to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for raw in chunks:
            f.write(raw)


def read_metadata(path: Path) -> Dict[str, str]:
    """The file's `__metadata__` (empty when it has none)."""
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise SafetensorsError(f"{path}: too short to be a safetensors file")
        (length,) = struct.unpack("<Q", head)
        try:
            header = json.loads(f.read(length))
        except ValueError as e:
            raise SafetensorsError(f"{path}: header is not JSON ({e})") from None
    return header.get("__metadata__", {})
