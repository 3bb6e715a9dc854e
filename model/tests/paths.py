from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RANDOM_PACK = REPO / "public" / "models" / "kandinsky3-tiny-random"
