import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FilesPackSource, type LocalFile } from './files-pack-source';
import { InvalidManifestError } from './manifest';

const dir = new URL('../../public/models/kandinsky3-tiny-random/', import.meta.url);
const folder = (prefix = 'tiny/'): LocalFile[] =>
  readdirSync(dir).map((name) => ({
    path: `${prefix}${name}`,
    file: new File([readFileSync(new URL(name, dir))], name),
  }));

describe('FilesPackSource', () => {
  it('opens a picked folder: finds manifest.json and serves the files it lists by their path', async () => {
    // A deeper manifest.json (an old copy in a subfolder) must not win over the pack's own.
    const decoy = { path: 'tiny/old/manifest.json', file: new File(['{}'], 'manifest.json') };
    const source = await FilesPackSource.open([decoy, ...folder('tiny/')]);
    const manifest = await source.readManifest();
    expect(source.id).toMatch(/^local:kandinsky3-tiny-random:[0-9a-f]{16}$/);
    const file = manifest.files[0]!;
    const slice = new Uint8Array(await new Response(await source.openRange(file, 10, 20)).arrayBuffer());
    expect(Array.from(slice)).toEqual(Array.from(readFileSync(new URL(file.path, dir)).subarray(10, 20)));
  });

  it('opens single picked files too, and gives the same pack the same id', async () => {
    const [a, b] = [await FilesPackSource.open(folder('')), await FilesPackSource.open(folder('x/'))];
    expect(a.id).toBe(b.id);
  });

  it('names the files the pack lacks, and says when there is no manifest', async () => {
    const partial = folder().filter((f) => !f.path.endsWith('unet_base.part3.fp32.onnx'));
    await expect(FilesPackSource.open(partial)).rejects.toThrow(
      /lack 1 that kandinsky3-tiny-random needs: unet_base.part3.fp32.onnx/,
    );
    const withoutManifest = folder().filter((f) => !f.path.endsWith('manifest.json'));
    await expect(FilesPackSource.open(withoutManifest)).rejects.toThrow(
      new RegExp(`None of the ${withoutManifest.length} chosen files is a manifest.json`),
    );
  });

  it('refuses a manifest that is not JSON, and a file whose size differs from the manifest', async () => {
    await expect(
      FilesPackSource.open([{ path: 'manifest.json', file: new File(['{nope'], 'manifest.json') }]),
    ).rejects.toThrow(InvalidManifestError);
    const files = folder().map((f) =>
      f.path.endsWith('tokenizer.json') ? { ...f, file: new File(['{}'], 'tokenizer.json') } : f,
    );
    const source = await FilesPackSource.open(files);
    const tokenizer = (await source.readManifest()).files.find((f) => f.path === 'tokenizer.json')!;
    await expect(source.openRange(tokenizer, 0, 2)).rejects.toThrow(/tokenizer.json has 2 bytes but the manifest says/);
  });
});
