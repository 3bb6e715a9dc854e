import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Capabilities } from '../../shared/engine-api';
import { BackendUnavailableError } from '../../shared/errors';
import type { PackManifest } from '../pack/manifest';
import { chooseBackend } from './choose-backend';

const manifest: PackManifest = JSON.parse(
  readFileSync(new URL('../../public/models/kandinsky3-tiny-random/manifest.json', import.meta.url), 'utf8'),
);

function caps(gpu: Partial<Capabilities['webgpu']> | null, wasm = true): Capabilities {
  return {
    webgpu: {
      available: gpu !== null,
      adapter: gpu ? { vendor: 'nvidia', architecture: 'ampere', description: '' } : null,
      isFallbackAdapter: false,
      shaderF16: false,
      maxBufferSize: 1 << 30,
      maxStorageBufferBindingSize: 1 << 28,
      ...gpu,
    },
    wasm: { available: wasm, simd: wasm, threads: false, cores: 2 },
  };
}

describe('chooseBackend', () => {
  it('uses a hardware adapter, with fp32-compute weights when shader-f16 is missing', () => {
    const choice = chooseBackend(caps({}), manifest);
    expect(choice).toMatchObject({ ep: 'webgpu', variant: 'fp16w', label: 'WebGPU (nvidia ampere)' });
  });

  it('prefers wasm over a software adapter such as SwiftShader', () => {
    const swift = caps({ adapter: { vendor: 'google', architecture: 'swiftshader', description: '' } });
    expect(chooseBackend(swift, manifest)).toMatchObject({ ep: 'wasm', label: 'CPU (wasm)' });
    expect(chooseBackend(caps({ isFallbackAdapter: true }), manifest).ep).toBe('wasm');
  });

  it('honours ?ep=webgpu even on a software adapter, and ?ep=wasm on a GPU', () => {
    const swift = caps({ isFallbackAdapter: true });
    expect(chooseBackend(swift, manifest, 'webgpu')).toMatchObject({ ep: 'webgpu', reason: 'WebGPU asked for' });
    expect(chooseBackend(caps({}), manifest, 'wasm').ep).toBe('wasm');
  });

  it('falls back to wasm without WebGPU', () => {
    expect(chooseBackend(caps(null), manifest).ep).toBe('wasm');
  });

  it('says what is missing when nothing works', () => {
    expect(() => chooseBackend(caps(null, false), manifest)).toThrow(BackendUnavailableError);
    expect(() => chooseBackend(caps(null, false), manifest)).toThrow(/no WebGPU.*no WebAssembly/);
    expect(() => chooseBackend(caps(null), manifest, 'webgpu')).toThrow(/WebGPU was asked for/);
  });

  it('picks fp16 compute only with shader-f16 and a pack that has it', () => {
    const withF16: PackManifest = structuredClone(manifest);
    for (const c of Object.values(withF16.components)) c.variants.fp16 = { ...c.variants.fp32!, compute: 'float16' };
    expect(chooseBackend(caps({ shaderF16: true }), withF16).variant).toBe('fp16');
    expect(chooseBackend(caps({ shaderF16: false }), withF16).variant).toBe('fp16w');
    expect(chooseBackend(caps({ shaderF16: true }), withF16, 'wasm').variant).toBe('fp16w');
  });

  it("follows the pack's recommended variant, and runs an int8w-only pack", () => {
    const quantized: PackManifest = structuredClone(manifest);
    quantized.defaults.variant = 'int8w';
    expect(chooseBackend(caps(null), quantized).variant).toBe('int8w');
    for (const c of Object.values(quantized.components)) c.variants = { int8w: c.variants.int8w! };
    delete quantized.defaults.variant;
    expect(chooseBackend(caps({}), quantized).variant).toBe('int8w');
  });

  it('runs an int4w-only pack (the full-size format), and ranks int4w after the others', () => {
    const int4 = structuredClone(manifest);
    expect(chooseBackend(caps(null), int4).variant).not.toBe('int4w');
    for (const c of Object.values(int4.components)) c.variants = { int4w: c.variants.int4w! };
    expect(chooseBackend(caps(null), int4).variant).toBe('int4w');
    expect(chooseBackend(caps({}), int4).variant).toBe('int4w');
  });

  it('refuses a pack whose components share no variant', () => {
    const mixed: PackManifest = structuredClone(manifest);
    const [first, ...rest] = Object.values(mixed.components);
    first!.variants = { int8w: first!.variants.int8w! };
    for (const c of rest) c.variants = { fp32: c.variants.fp32! };
    expect(() => chooseBackend(caps(null), mixed)).toThrow(/no weight format that every component offers/);
  });
});
