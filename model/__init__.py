"""The Kandinsky 3 model family in PyTorch: U-Net, MoVQ, T5 text encoder, and their export to ONNX packs.

Module and parameter names follow the diffusers layout (`Kandinsky3UNet`, `VQModel`,
`T5EncoderModel`) so that real checkpoints load by name with ``strict=True``.
"""
