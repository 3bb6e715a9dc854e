"""Build modules on the meta device: shapes without storage, so the 3B-parameter U-Net can be counted
and inspected without allocating 12 GB.

torch ≥ 2.0 has `with torch.device("meta")`; Debian's torch 1.13 does not, so there a
TorchFunctionMode adds device="meta" to every tensor factory call that names no device.
"""
from __future__ import annotations

import contextlib

import torch
from torch.overrides import TorchFunctionMode

_FACTORIES = {
    torch.empty, torch.zeros, torch.ones, torch.full, torch.rand, torch.randn, torch.randint,
    torch.arange, torch.tensor, torch.eye, torch.linspace, torch.empty_strided,
}


class _MetaFactoryMode(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func in _FACTORIES and kwargs.get("device") is None:
            kwargs["device"] = "meta"
        return func(*args, **kwargs)


@contextlib.contextmanager
def meta_device():
    if hasattr(torch, "get_default_device") or hasattr(torch.device, "__enter__"):
        with torch.device("meta"):
            yield
    else:
        with _MetaFactoryMode():
            yield


def count_parameters(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
