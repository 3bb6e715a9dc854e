// The native half: the same pipeline code and the same graph files on onnxruntime-node's CPU
// back end, with its default threads and with one thread (the browser's wasm back end uses one).
import { nodePipeline } from '../test-support/node-pipeline';
import type { WeightFormat } from '../workers/pack/manifest';
import { generate } from '../workers/pipeline/generate';
import { upscale, upscalerOf } from '../workers/pipeline/upscale';
import { ms, uniqueWorkloads } from './browser-bench';
import { UPSCALE_KEY, UPSCALE_SIDE, type ImageRun } from './workloads';

export async function benchNode(
  packDir: URL,
  variant: WeightFormat,
  threads: 'default' | 1,
  runs: number,
  warmups: number,
  log: (line: string) => void,
): Promise<Record<string, ImageRun[]>> {
  const { ctx } = await nodePipeline(
    packDir,
    variant,
    threads === 1 ? { intraOpNumThreads: 1, interOpNumThreads: 1 } : {},
  );
  const images: Record<string, ImageRun[]> = {};
  for (const workload of uniqueWorkloads()) {
    const out: ImageRun[] = [];
    for (let i = 0; i < warmups + runs; i++) {
      const started = performance.now();
      const image = await generate(ctx, workload.params(i), () => {});
      if (i >= warmups) out.push({ ms: performance.now() - started, runs: image.timings.runs });
    }
    images[workload.key] = out;
    log(
      `  node (${threads === 1 ? '1 thread' : 'default threads'}) ${workload.label}: ${out.map((r) => ms(r.ms)).join(' ')}`,
    );
  }
  const upscaler = upscalerOf(ctx.manifest);
  if (upscaler) {
    const side = UPSCALE_SIDE;
    const pixels = new Uint8ClampedArray(side * side * 4);
    for (let i = 0; i < side * side; i++) pixels.set([(i * 7) & 255, (i * 3) & 255, 128, 255], 4 * i);
    const out: ImageRun[] = [];
    for (let i = 0; i < warmups + runs; i++) {
      const started = performance.now();
      const result = await upscale(ctx, { width: side, height: side, pixels });
      if (i >= warmups) out.push({ ms: performance.now() - started, runs: [{ component: 'upscaler', ms: result.ms }] });
    }
    images[UPSCALE_KEY] = out;
    log(`  node (${threads === 1 ? '1 thread' : 'default threads'}) upscaler: ${out.map((r) => ms(r.ms)).join(' ')}`);
  }
  return images;
}
