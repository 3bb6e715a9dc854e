// A pack's pipeline on onnxruntime-web's WebGPU back end in Node, over Dawn (test-support/dawn-webgpu.ts):
// the same pipeline code and session options as the worker, on a GPU and without a browser.
import type * as OrtWeb from 'onnxruntime-web';
import type { WeightFormat } from '../workers/pack/manifest';
import { installDawnWebGPU } from './dawn-webgpu';
import { graphSession, packPipeline } from './node-pipeline';

/** Installs Dawn, then loads onnxruntime-web's WebGPU build (the worker's choice on WebGPU) on one thread. */
export async function webgpuRuntime(): Promise<{ ort: typeof OrtWeb; adapter: GPUAdapterInfo }> {
  const adapter = await installDawnWebGPU();
  const ort = (await import('onnxruntime-web/webgpu')) as unknown as typeof OrtWeb;
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'warning';
  return { ort, adapter };
}

/** Every component of the pack in `packDir` on WebGPU. */
export async function webgpuPipeline(packDir: URL, variant: WeightFormat, ort: typeof OrtWeb) {
  return packPipeline(packDir, variant, async (file, options) =>
    graphSession(ort, await ort.InferenceSession.create(file, { ...options, executionProviders: ['webgpu'] })),
  );
}
