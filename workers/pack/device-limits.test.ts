import { describe, expect, it } from 'vitest';
import type { BackendChoice } from '../../shared/engine-api';
import { limitProblems, memoryPlanProblems, plannedSize } from './device-limits';
import type { PackFile, PackManifest } from './manifest';

const file = (path: string, bytes: number): PackFile => ({
  path,
  bytes,
  sha256: '',
  chunks: { bytes: 1 << 26, sha256: [] },
});
const wasm: BackendChoice = { ep: 'wasm', variant: 'fp16w', label: 'CPU (wasm)', reason: '', threads: 1 };
const webgpu: BackendChoice = { ep: 'webgpu', variant: 'fp16', label: 'WebGPU', reason: '', threads: 1 };

describe('device limits', () => {
  it('accepts the nano pack anywhere', () => {
    const graphs = [file('unet.onnx', 5e6), file('text.onnx', 1.6e6)];
    expect(limitProblems(graphs, graphs, { backend: wasm, deviceMemoryBytes: 2e9 })).toEqual([]);
  });

  it('refuses a graph file over the 2 GiB protobuf limit, naming it', () => {
    const graphs = [file('unet.fp32.onnx', 3.4e9)];
    expect(limitProblems(graphs, [], { backend: webgpu, deviceMemoryBytes: null })).toEqual([
      'unet.fp32.onnx is 3.40 GB, over the 2.15 GB a browser can load as one ONNX graph',
    ]);
  });

  it('refuses weights loaded together beyond the wasm heap, but not on WebGPU', () => {
    const eager = [file('text.onnx', 1.9e9), file('unet.onnx', 1.9e9)];
    expect(limitProblems(eager, eager, { backend: wasm, deviceMemoryBytes: null })[0]).toMatch(
      /take 3.80 GB, more than the 3.44 GB of weights the CPU \(wasm\) back end can hold/,
    );
    expect(limitProblems(eager, eager, { backend: webgpu, deviceMemoryBytes: null })).toEqual([]);
  });

  it('refuses a pack larger than a small device memory; 8 GB means "8 or more"', () => {
    const eager = [file('unet.onnx', 1.5e9), file('text.onnx', 1.5e9)];
    expect(limitProblems(eager, eager, { backend: webgpu, deviceMemoryBytes: 2e9 })).toEqual([
      'the components loaded together take 3.00 GB, but this device has about 2.00 GB of memory',
    ]);
    expect(limitProblems(eager, eager, { backend: webgpu, deviceMemoryBytes: 8e9 })).toEqual([]);
  });

  describe('memory plan', () => {
    const GiB = 2 ** 30;
    const plan: NonNullable<PackManifest['memoryPlan']> = {
      method: 'test',
      sizes: [
        {
          width: 512,
          height: 512,
          activationBytes: { text: 0.3 * GiB, denoise: 0.2 * GiB, decode: 2 * GiB, encode: 1 * GiB },
          largestTensorBytes: 0.06 * GiB,
        },
        {
          width: 1024,
          height: 1024,
          activationBytes: { text: 0.3 * GiB, denoise: 1.6 * GiB, decode: 8 * GiB, encode: 5 * GiB },
          largestTensorBytes: 1 * GiB,
        },
      ],
    };
    const manifest = { memoryPlan: plan } as PackManifest;
    const eager = [file('text.int4w.onnx', 0.8 * GiB), file('unet.int4w.onnx', 0.9 * GiB)];

    it('takes the smallest planned size that covers the image, else the largest', () => {
      expect(plannedSize(plan, 256, 256).width).toBe(512);
      expect(plannedSize(plan, 768, 512).width).toBe(1024);
      expect(plannedSize(plan, 2048, 2048).width).toBe(1024);
    });

    it('refuses weights plus the hungriest stage beyond the wasm heap, naming the stage and size', () => {
      expect(memoryPlanProblems(manifest, eager, { backend: wasm, deviceMemoryBytes: null }, 512, 512)).toEqual([]);
      expect(memoryPlanProblems(manifest, eager, { backend: wasm, deviceMemoryBytes: null }, 1024, 1024)).toEqual([
        'it needs 1.83 GB of weights and 8.59 GB for the decode stage at 1024×1024, more than the 4.29 GB the CPU (wasm) back end can address',
      ]);
    });

    it('on WebGPU, refuses a size whose largest tensor exceeds one GPU buffer, and a small device', () => {
      const gpu = { backend: webgpu, deviceMemoryBytes: null, maxBufferBytes: 0.5 * GiB };
      expect(memoryPlanProblems(manifest, eager, gpu, 512, 512)).toEqual([]);
      expect(memoryPlanProblems(manifest, eager, gpu, 1024, 1024)).toEqual([
        'its largest tensor at 1024×1024 takes 1.07 GB, more than the 0.54 GB this GPU allows in one buffer; choose a smaller size',
      ]);
      const small = { backend: webgpu, deviceMemoryBytes: 2e9, maxBufferBytes: 4 * GiB };
      expect(memoryPlanProblems(manifest, eager, small, 512, 512)[0]).toMatch(/this device has about 2.00 GB/);
    });

    it('says nothing for a pack without a plan', () => {
      expect(
        memoryPlanProblems({} as PackManifest, eager, { backend: wasm, deviceMemoryBytes: 1e9 }, 4096, 4096),
      ).toEqual([]);
    });
  });
});
