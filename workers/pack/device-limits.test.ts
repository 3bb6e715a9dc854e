import { describe, expect, it } from 'vitest';
import type { BackendChoice } from '../../shared/engine-api';
import { limitProblems, plannedSize, sizeFit } from './device-limits';
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
    const stages = (text: number, denoise: number, decode: number, encode: number) => ({
      text: text * GiB,
      denoise: denoise * GiB,
      decode: decode * GiB,
      encode: encode * GiB,
    });
    // The full model's figures (docs/packs-and-conversion.md), with 512 px tiles.
    const untiled: NonNullable<PackManifest['memoryPlan']> = {
      method: 'test',
      sizes: [
        {
          width: 512,
          height: 512,
          activationBytes: stages(0.3, 0.15, 2, 1.25),
          largestTensorBytes: 0.5 * GiB,
          stageLargestTensorBytes: stages(0.25, 0.06, 0.5, 0.25),
        },
        {
          width: 1024,
          height: 1024,
          activationBytes: stages(0.3, 1.6, 8, 5),
          largestTensorBytes: 2 * GiB,
          stageLargestTensorBytes: stages(0.25, 0.75, 2, 1),
        },
      ],
    };
    const tiles = {
      latentWindow: 64,
      latentOverlap: 16,
      activationBytes: { decode: 2 * GiB, encode: 1.25 * GiB },
      largestTensorBytes: { decode: 0.5 * GiB, encode: 0.25 * GiB },
    };
    const latent = { scaleFactor: 8 } as PackManifest['latent'];
    const withoutTiles = { memoryPlan: untiled, latent } as PackManifest;
    const withTiles = { memoryPlan: { ...untiled, tiles }, latent } as PackManifest;
    const eager = [file('text.int4w.onnx', 0.8 * GiB), file('unet.int4w.onnx', 0.9 * GiB)];
    const cpu = { backend: wasm, deviceMemoryBytes: null };
    const none = { decode: false, encode: false };

    it('takes the smallest planned size that covers the image, else the largest', () => {
      expect(plannedSize(untiled, 256, 256).width).toBe(512);
      expect(plannedSize(untiled, 768, 512).width).toBe(1024);
      expect(plannedSize(untiled, 2048, 2048).width).toBe(1024);
    });

    it('refuses weights plus the hungriest stage beyond the wasm heap, naming the stage and size', () => {
      expect(sizeFit(withoutTiles, eager, cpu, 512, 512)).toEqual({ problems: [], tiled: none });
      expect(sizeFit(withoutTiles, eager, cpu, 1024, 1024)).toEqual({
        problems: [
          'it needs 1.83 GB of weights and 8.59 GB for the decode stage at 1024×1024, more than the 4.29 GB the CPU (wasm) back end can address',
        ],
        tiled: none,
      });
    });

    it('decodes and encodes in tiles where that brings a size within the wasm heap', () => {
      expect(sizeFit(withTiles, eager, cpu, 1024, 1024)).toEqual({
        problems: [],
        tiled: { decode: true, encode: true },
      });
      // One window covers 512², so tiling would change nothing there.
      expect(sizeFit(withTiles, eager, cpu, 512, 512)).toEqual({ problems: [], tiled: none });
      // Tiles that would not fit either are not taken, and the size is refused as before.
      const heavy = [file('unet.int4w.onnx', 3 * GiB)];
      const fit = sizeFit(withTiles, heavy, cpu, 1024, 1024);
      expect(fit.tiled).toEqual(none);
      expect(fit.problems[0]).toMatch(/8.59 GB for the decode stage at 1024×1024/);
    });

    it('on WebGPU, refuses a size whose largest tensor exceeds one GPU buffer, and a small device', () => {
      const gpu = { backend: webgpu, deviceMemoryBytes: null, maxBufferBytes: 0.5 * GiB };
      expect(sizeFit(withoutTiles, eager, gpu, 512, 512).problems).toEqual([]);
      expect(sizeFit(withoutTiles, eager, gpu, 1024, 1024).problems).toEqual([
        'its largest tensor at 1024×1024 takes 2.15 GB, more than the 0.54 GB this GPU allows in one buffer; choose a smaller size',
      ]);
      const small = { backend: webgpu, deviceMemoryBytes: 2e9, maxBufferBytes: 4 * GiB };
      expect(sizeFit(withoutTiles, eager, small, 512, 512).problems[0]).toMatch(/this device has about 2.00 GB/);
    });

    it('on WebGPU, tiles a decoder that would need more than denoising, and one that breaks the buffer limit', () => {
      const roomy = { backend: webgpu, deviceMemoryBytes: null, maxBufferBytes: 4 * GiB };
      expect(sizeFit(withTiles, eager, roomy, 1024, 1024)).toEqual({
        problems: [],
        tiled: { decode: true, encode: true },
      });
      const narrow = { backend: webgpu, deviceMemoryBytes: null, maxBufferBytes: 0.5 * GiB };
      expect(sizeFit(withTiles, eager, narrow, 1024, 1024)).toEqual({
        problems: [
          'its largest tensor at 1024×1024 takes 0.81 GB, more than the 0.54 GB this GPU allows in one buffer; choose a smaller size',
        ],
        tiled: { decode: true, encode: true },
      });
    });

    it('takes the one largest tensor for every stage in a plan that predates per-stage figures', () => {
      const sizes = untiled.sizes.map((size) => {
        const copy = { ...size };
        delete copy.stageLargestTensorBytes;
        return copy;
      });
      const old = { memoryPlan: { ...untiled, sizes }, latent } as PackManifest;
      const gpu = { backend: webgpu, deviceMemoryBytes: null, maxBufferBytes: 1.5 * GiB };
      expect(sizeFit(old, eager, gpu, 1024, 1024).problems).toEqual([
        'its largest tensor at 1024×1024 takes 2.15 GB, more than the 1.61 GB this GPU allows in one buffer; choose a smaller size',
      ]);
      expect(untiled.sizes[1]!.stageLargestTensorBytes).toBeDefined(); // the plan itself is left as it was
    });

    it('says nothing for a pack without a plan', () => {
      expect(sizeFit({} as PackManifest, eager, { backend: wasm, deviceMemoryBytes: 1e9 }, 4096, 4096)).toEqual({
        problems: [],
        tiled: none,
      });
    });
  });
});
