"""Conversion of released Kandinsky 3 / 3.1 checkpoints (diffusers folders or ai-forever .pt files)
into this package's modules, and from there into browser packs."""
