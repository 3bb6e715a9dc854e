import { describe, expect, it } from 'vitest';
import type { BackendChoice } from '../engine-api';
import { limitProblems } from './device-limits';
import type { PackFile } from './manifest';

const file = (path: string, bytes: number): PackFile => ({
  path,
  bytes,
  sha256: '',
  chunks: { bytes: 1 << 26, sha256: [] },
});
const wasm: BackendChoice = { ep: 'wasm', variant: 'fp16w', label: 'CPU (wasm)', reason: '' };
const webgpu: BackendChoice = { ep: 'webgpu', variant: 'fp16', label: 'WebGPU', reason: '' };

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
});
