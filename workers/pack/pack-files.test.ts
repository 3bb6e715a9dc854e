import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifest } from './manifest';
import { componentFiles, filesToDownload, graphFiles, residentFiles } from './pack-files';

const packDir = new URL('../../public/models/kandinsky3-tiny-random/', import.meta.url);
const manifest = parseManifest(JSON.parse(readFileSync(new URL('manifest.json', packDir), 'utf8')));

describe('the files of a split pack', () => {
  it('lists a split component’s parts in running order', () => {
    const unet = graphFiles(manifest, 'unet_base', 'int8w').map((f) => f.path);
    expect(unet).toEqual(manifest.components.unet_base!.parts!.map((_, i) => `unet_base.part${i}.int8w.onnx`));
    expect(graphFiles(manifest, 'movq_decoder', 'int8w').map((f) => f.path)).toEqual(['movq_decoder.int8w.onnx']);
  });

  it('counts a streamed text encoder as its largest part, and a resident U-Net as all of its parts', () => {
    const text = graphFiles(manifest, 'text_encoder', 'fp32');
    expect(text.length).toBeGreaterThan(1);
    expect(residentFiles(manifest, 'text_encoder', 'fp32')).toEqual([
      text.reduce((a, b) => (b.bytes > a.bytes ? b : a)),
    ]);
    expect(residentFiles(manifest, 'unet_flash', 'fp32')).toEqual(graphFiles(manifest, 'unet_flash', 'fp32'));
  });

  it('counts and downloads the int8 weights kept beside a graph with it', () => {
    const decoder = manifest.components.movq_decoder!.variants.int8w!;
    expect(decoder.weights?.file).toBe('movq_decoder.int8w.safetensors');
    const paths = ['movq_decoder.int8w.onnx', 'movq_decoder.int8w.safetensors'];
    expect(componentFiles(manifest, 'movq_decoder', 'int8w').map((f) => f.path)).toEqual(paths);
    expect(residentFiles(manifest, 'movq_decoder', 'int8w').map((f) => f.path)).toEqual(paths);
    expect(graphFiles(manifest, 'movq_decoder', 'int8w').map((f) => f.path)).toEqual([paths[0]]);
    expect(filesToDownload(manifest, 'int8w').map((f) => f.path)).toEqual(expect.arrayContaining(paths));
  });

  it('downloads every part of one format, the tokenizer, and nothing of the other formats', () => {
    const paths = filesToDownload(manifest, 'int4w').map((f) => f.path);
    const graphs = Object.keys(manifest.components).flatMap((id) => graphFiles(manifest, id, 'int4w'));
    expect(paths).toEqual(['tokenizer.json', ...graphs.map((f) => f.path)]);
    expect(paths.some((p) => p.includes('.fp32.'))).toBe(false);
  });
});
