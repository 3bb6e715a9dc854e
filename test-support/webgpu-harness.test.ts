// The WebGPU harness runs the random pack's text-to-image pipeline on onnxruntime-web's WebGPU back end in
// Node, over Dawn, here on SwiftShader's Vulkan driver (Debian's chromium package, which CI installs), and
// its picture matches the same pipeline on onnxruntime-node's CPU back end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { swiftShaderEnvironment } from './dawn-webgpu';

const environment = swiftShaderEnvironment();

describe.skipIf(environment === null)('the WebGPU harness on SwiftShader', () => {
  it('runs Flash on the random pack on a WebGPU device, and its picture matches the CPU one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'webgpu-harness-'));
    try {
      const out = join(dir, 'result.json');
      const run = spawnSync(
        process.execPath,
        [
          '--liftoff-only',
          '--import',
          'tsx',
          'test-support/webgpu-harness.ts',
          '--pack',
          'public/models/kandinsky3-tiny-random',
          '--size',
          '64',
          '--compare',
          '--out',
          out,
        ],
        { env: { ...process.env, ...environment }, encoding: 'utf8', timeout: 540_000 },
      );
      expect(run.status, run.stderr.slice(-2000)).toBe(0);
      const result = JSON.parse(readFileSync(out, 'utf8'));
      expect(result.adapter.architecture).toBe('swiftshader');
      expect(result.webgpuDevice).toBe(true);
      expect(result.runs[0].graphCalls.map((c: { component: string }) => c.component)).toEqual([
        'text_encoder',
        'unet_flash',
        'unet_flash',
        'unet_flash',
        'unet_flash',
        'movq_decoder',
      ]);
      // Each graph agrees with the CPU to about 1e-4 of its range (measured: U-Net 5e-4 of 3.7, decoder
      // 2e-5); four Flash steps of random weights amplify that in a few values (0.3 % differ by more than
      // 8 levels, measured; the mean is 0.3 levels).
      expect(result.compare.meanAbsDiff).toBeLessThan(1);
      expect(result.compare.valuesOver8).toBeLessThan(0.01 * 64 * 64 * 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
