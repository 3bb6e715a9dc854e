import { describe, expect, it } from 'vitest';
import { wasmThreads } from './wasm-threads';

const isolated = (cores: number) => ({ available: true, simd: true, threads: true, cores });

describe('wasmThreads', () => {
  it('uses half the cores, at most 4, as onnxruntime-web does', () => {
    expect(wasmThreads(isolated(1))).toBe(1);
    expect(wasmThreads(isolated(2))).toBe(1);
    expect(wasmThreads(isolated(4))).toBe(2);
    expect(wasmThreads(isolated(8))).toBe(4);
    expect(wasmThreads(isolated(32))).toBe(4);
  });

  it('runs one thread where the page is not cross-origin isolated, whatever was asked', () => {
    expect(wasmThreads({ ...isolated(8), threads: false })).toBe(1);
    expect(wasmThreads({ ...isolated(8), threads: false }, 4)).toBe(1);
  });

  it('takes an asked-for count, clamped to 1..16', () => {
    expect(wasmThreads(isolated(2), 2)).toBe(2);
    expect(wasmThreads(isolated(2), 0)).toBe(1);
    expect(wasmThreads(isolated(2), 99)).toBe(16);
    expect(wasmThreads(isolated(8), Number.NaN)).toBe(4);
  });
});
