"""int4w: linear layers and 1×1 convolutions as MatMulNBits. ORT must compute exactly what the stored
4-bit weights say (so the nibble order and block layout are right), and the stored weights must be
the nearest 4-bit values (so the only error is the quantisation step)."""
import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from model.export.ort_runner import run_many
from model.export.weight_formats import INT4_BLOCK, convert, dequantize_int4_blocks, quantize_int4_blocks


def test_block_quantisation_is_within_half_a_step_and_pads_odd_widths():
    w = np.random.default_rng(0).normal(size=(5, 70)).astype(np.float32)  # 70: not a whole number of blocks
    packed, scale = quantize_int4_blocks(w)
    assert packed.shape == (5, 3, INT4_BLOCK // 2) and packed.dtype == np.uint8 and scale.shape == (15,)
    back = dequantize_int4_blocks(packed, scale, 70)
    step = np.repeat(scale.reshape(5, 3), INT4_BLOCK, axis=1)[:, :70]
    assert np.all(np.abs(back - w) <= step / 2 + 1e-6)
    # The largest magnitude in each block is exact (±7 steps; the sign picks the end of −8…7).
    blocks = np.pad(w, ((0, 0), (0, 26))).reshape(5, 3, INT4_BLOCK)
    assert np.allclose(np.abs(blocks).max(axis=2), scale.reshape(5, 3) * 7)


class _Layers(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(64, 40)  # exported as Gemm (2-D input)
        self.proj = nn.Linear(40, 48, bias=False)  # MatMul on a 3-D input; 40: a padded last block
        self.conv1 = nn.Conv2d(48, 32, 1)  # 1×1: MatMulNBits between transposes
        self.conv3 = nn.Conv2d(32, 8, 3, padding=1)  # 3×3: stays a Conv, int8 weights

    def forward(self, x):
        h = self.linear(x)  # (B, 40)
        h = self.proj(h[:, None, :].expand(-1, 16, -1))  # (B, 16, 48)
        h = h.transpose(1, 2).reshape(-1, 48, 4, 4)
        return self.conv3(self.conv1(h))


def test_ort_computes_the_stored_weights_exactly(tmp_path):
    torch.manual_seed(0)
    layers = _Layers().eval()
    x = torch.randn(2, 64)
    fp32_path, int4_path = tmp_path / "fp32.onnx", tmp_path / "int4w.onnx"
    torch.onnx.export(layers, (x,), str(fp32_path), input_names=["x"], output_names=["y"], opset_version=17)
    int4 = convert(onnx.load(str(fp32_path)), "int4w")
    onnx.save(int4, str(int4_path))
    ops = [n.op_type for n in int4.graph.node]
    assert ops.count("MatMulNBits") == 3 and ops.count("Conv") == 1 and "DequantizeLinear" in ops

    # The same network in numpy from the weights as stored: MatMulNBits' blocks, DequantizeLinear's int8.
    stored = {i.name: numpy_helper.to_array(i) for i in int4.graph.initializer}
    def int4_weight(module, k):
        (name,) = [n for n in stored if n.endswith("_int4") and stored[n].shape[0] == module.weight.shape[0] and n + "_scale" in stored
                   and stored[n].shape[1] * INT4_BLOCK >= k > (stored[n].shape[1] - 1) * INT4_BLOCK]
        return dequantize_int4_blocks(stored[name], stored[name + "_scale"], k)
    (conv3_name,) = [n for n in stored if n.endswith("_int8")]
    (conv3_scale,) = [n for n in stored if n.endswith("_scale") and not n.endswith("_int4_scale")]
    conv3 = stored[conv3_name].astype(np.float32) * stored[conv3_scale].reshape(-1, 1, 1, 1)
    with torch.no_grad():
        h = x @ torch.from_numpy(int4_weight(layers.linear, 64)).T + layers.linear.bias
        h = h[:, None, :].expand(-1, 16, -1) @ torch.from_numpy(int4_weight(layers.proj, 40)).T
        h = h.transpose(1, 2).reshape(-1, 48, 4, 4)
        w1 = torch.from_numpy(int4_weight(layers.conv1, 48))[:, :, None, None]
        h = torch.nn.functional.conv2d(h, w1, layers.conv1.bias)
        expected = torch.nn.functional.conv2d(h, torch.from_numpy(conv3), layers.conv3.bias.half().float(), padding=1).numpy()
        reference = layers(x).numpy()
    got_int4, got_fp32 = (r["y"] for r in run_many([(int4_path, {"x": x.numpy()}, ["y"]), (fp32_path, {"x": x.numpy()}, ["y"])]))
    assert np.abs(got_fp32 - reference).max() < 1e-5
    assert np.abs(got_int4 - expected).max() < 1e-4  # what the stored weights say, exactly
    # …and near fp32: three chained 4-bit layers (round to nearest, 16 levels per block) stay within a
    # relative RMS error of 0.25; int8 alone would be ~16× closer. This is the stated int4w tolerance.
    relative_rms = np.sqrt(np.mean((got_int4 - reference) ** 2) / np.mean(reference ** 2))
    print(f"int4w relative RMS error: {relative_rms:.3f}")
    assert relative_rms < 0.25
