"""The memory plan's activation tracker against closed-form sizes, and the plan the packs carry."""
import json

import torch

from model.config import KANDINSKY3, ModelConfig
from model.export.memory_plan import activation_peak, memory_plan
from model.meta_device import meta_device
from model.tests.paths import RANDOM_PACK

GiB = 2**30


def test_peak_counts_live_tensors_once_each_and_frees_temporaries():
    q = torch.empty(1, 16384, 64, device="meta")
    k = torch.empty(1, 64, 16384, device="meta")
    inputs = 2 * 16384 * 64 * 4
    scores = 16384 * 16384 * 4  # 1 GiB
    # (matmul may copy one operand into a contiguous layout first: at most one input more.)
    peak, largest = activation_peak(lambda a, b: torch.matmul(a, b), q, k)
    assert largest == scores and inputs + scores <= peak <= 2 * inputs + scores
    # Softmax needs the scores and its result at once; views of a result cost nothing more.
    peak, _ = activation_peak(lambda a, b: torch.matmul(a, b).softmax(-1).transpose(1, 2).reshape(-1), q, k)
    assert inputs + 2 * scores <= peak <= 2 * inputs + 2 * scores
    # A temporary freed before the next one is allocated is not counted twice.
    def chain(a, b):
        x = torch.matmul(a, b)
        x = x * 2  # x's old value is freed once this returns
        return x.sum()
    assert inputs + 2 * scores <= activation_peak(chain, q, k)[0] <= 2 * inputs + 2 * scores


def test_full_size_plan_names_the_decoder_at_1024_as_the_largest_stage():
    (size,) = memory_plan(KANDINSKY3, ["base"], [1024])["sizes"]
    stages = size["activationBytes"]
    assert max(stages, key=stages.get) == "decode"
    # The decoder's last upsampling: 512 channels at the full 1024² before the last level narrows them
    # (its single-head attention over 128² = 16,384 cells is a 1 GiB score matrix besides).
    assert size["largestTensorBytes"] == 512 * 1024 * 1024 * 4
    assert 4 * GiB < stages["decode"] < 16 * GiB and GiB < stages["denoise"] < 4 * GiB


def test_committed_pack_carries_the_plan_its_architecture_gives():
    manifest = json.loads((RANDOM_PACK / "manifest.json").read_text())
    config = ModelConfig.from_dict(manifest["architecture"]["config"])
    kinds = [c["unet"]["kind"] for c in manifest["components"].values() if c.get("unet")]
    sizes = [s["width"] for s in manifest["memoryPlan"]["sizes"]]
    assert sizes == [manifest["defaults"]["width"], manifest["resolution"]["max"]]
    assert manifest["memoryPlan"] == memory_plan(config, kinds, sizes)


def test_pack_size_follows_the_format_rules_and_a_full_size_model_splits_into_files_under_2_gb():
    from model.config import TINY
    from model.export.pack_size import component_bytes, part_bytes

    fp32, int8, int4 = (component_bytes(KANDINSKY3, fmt) for fmt in ("fp32", "int8w", "int4w"))
    assert fp32["unet_flash"] == 3_055_348_228 * 4  # the U-Net and its projection (kandinsky3-architecture §0)
    assert int4["movq_decoder"] == fp32["movq_decoder"]  # MoVQ stays fp32 in int4w
    # Flan-UL2's 8.6B parameters: almost all in linear layers, so 0.625 bytes each in int4w.
    assert int4["text_encoder"] < int8["text_encoder"] < fp32["text_encoder"]
    assert 5.4e9 < int4["text_encoder"] < 5.6e9

    # The export's own grouping of steps, on the meta device: every fp32 file under protobuf's 2 GiB,
    # Flan-UL2 about a layer per file (1.07 GB each), and the parts add up to the whole.
    parts32, parts4 = part_bytes(KANDINSKY3, "fp32"), part_bytes(KANDINSKY3, "int4w")
    assert all(size < 2**31 - 1 for sizes in parts32.values() for size in sizes)
    assert len(parts32["unet_flash"]) == 8 and len(parts32["text_encoder"]) == 32
    # The U-Net's projection lives in the text graph, so the U-Net's parts lack exactly its weights.
    projection = 4 * (4096 * 4096 + 2 * 4096)
    assert sum(parts32["unet_flash"]) == fp32["unet_flash"] - projection
    assert max(parts4["text_encoder"]) < 0.35e9 and max(parts4["unet_flash"]) < 0.35e9
    assert part_bytes(TINY, "fp32")["unet_flash"] == [sum(part_bytes(TINY, "fp32")["unet_flash"])]  # stays whole


def test_full_size_flash_int4w_at_1024_fits_6_gb_with_tiled_decoding_and_no_tensor_over_1_gib():
    """kandinsky3-architecture §4.5: decoding at 1024² needs 8 GiB at once, and with the U-Net and decoder
    held that made about 12 GB; in the plan's 512 px windows the largest stage is no longer the decoder."""
    from model.export.memory_plan import planned_peak
    from model.export.pack_size import component_bytes, part_bytes

    plan = memory_plan(KANDINSKY3, ["flash"], [1024])
    (size,) = plan["sizes"]
    int4 = component_bytes(KANDINSKY3, "int4w")
    # Held throughout: the U-Net and the decoder; the streamed text encoder adds its largest file.
    resident = int4["unet_flash"] + int4["movq_decoder"] + max(part_bytes(KANDINSKY3, "int4w")["text_encoder"])
    whole_peak, whole_largest = planned_peak(size, plan["tiles"], resident, tiled=False)
    tiled_peak, tiled_largest = planned_peak(size, plan["tiles"], resident, tiled=True)
    assert 11e9 < whole_peak < 13e9 and whole_largest == 2 * GiB
    assert tiled_peak <= 6e9 and tiled_largest <= GiB
    assert plan["tiles"]["latentWindow"] * KANDINSKY3.movq.scale_factor == 512
