import { describe, expect, it } from 'vitest';
import { readUrlOptions } from './url-options';

describe('readUrlOptions', () => {
  it('reads the back end, the simulated gaps and the wasm threads', () => {
    const options = readUrlOptions('?ep=wasm&simulate=no-webgpu&threads=4');
    expect(options).toMatchObject({ ep: 'wasm', simulateMissing: ['webgpu'], wasmThreads: 4 });
  });

  it('ignores a thread count that is not a whole number of at least 1', () => {
    for (const threads of ['0', '-2', '1.5', 'many', '']) {
      expect(readUrlOptions(`?threads=${threads}`).wasmThreads).toBeUndefined();
    }
    expect(readUrlOptions('').wasmThreads).toBeUndefined();
  });
});
