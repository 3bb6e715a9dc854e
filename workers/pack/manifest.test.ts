import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chunkCount,
  chunkRange,
  InvalidManifestError,
  manifestProblems,
  parseManifest,
  textPadding,
  type ImageEncoderInfo,
  type PackFile,
  type PackManifest,
} from './manifest';

const packDir = new URL('../../public/models/kandinsky3-tiny-random/', import.meta.url);
const committed = (): PackManifest => JSON.parse(readFileSync(new URL('manifest.json', packDir), 'utf8'));

describe('pack manifest', () => {
  it('accepts the manifest the Python export wrote', () => {
    const manifest = parseManifest(committed());
    expect(manifest.latent.scaleFactor).toBe(4);
    expect(manifest.components[manifest.defaults.unet]?.unet?.kind).toBe('flash');
  });

  it('accepts the bundled nano pack: int8w only, quantized Flash by default, with its conventions and credits', () => {
    const nanoDir = new URL('../../public/models/kandinsky3-nano/', import.meta.url);
    const nano = parseManifest(JSON.parse(readFileSync(new URL('manifest.json', nanoDir), 'utf8')));
    expect(nano.defaults).toMatchObject({
      unet: 'unet_flash',
      sampler: 'flash',
      steps: 4,
      variant: 'int8w',
      width: 64,
    });
    for (const component of Object.values(nano.components)) expect(Object.keys(component.variants)).toEqual(['int8w']);
    expect(
      Object.values(nano.components)
        .map((c) => c.unet?.kind)
        .filter(Boolean),
    ).toEqual(expect.arrayContaining(['base', 'flash', 'inpainting', 'inpainting_flash']));
    // The nano deviations from Kandinsky 3 live in the manifest: ×4 autoencoder, v-prediction, latent range.
    expect(nano.latent).toMatchObject({ scaleFactor: 4, clipRange: 3 });
    expect(nano.components.unet_flash!.unet!.predictionType).toBe('v_prediction');
    expect(nano.weights).toBe('trained');
    expect(nano.credits.map((c) => c.license)).toEqual(expect.arrayContaining(['Apache-2.0', 'CC-BY-4.0', 'MIT']));
    const bytes = nano.files.reduce((sum, f) => sum + f.bytes, 0);
    // The first visit's download budget: four U-Nets of about 5 MB each (base, Flash and their
    // inpainting twins), then the ControlNet, the autoencoder, and the text and image encoders.
    expect(bytes).toBeLessThan(30e6);
  });

  const breakages: [string, (m: PackManifest) => void, string][] = [
    ['a missing field', (m) => delete (m as Partial<PackManifest>).latent, "must have required property 'latent'"],
    [
      'an unknown version',
      (m) => ((m as { schemaVersion: number }).schemaVersion = 2),
      'schemaVersion: must be equal to constant',
    ],
    ['a malformed hash', (m) => (m.files[0]!.sha256 = 'xyz'), 'files/0/sha256: must match pattern'],
    ['a path escaping the pack', (m) => (m.files[0]!.path = '../secret'), 'files/0/path: must match pattern'],
    ['a variant file not listed', (m) => m.files.shift(), 'is not listed in files'],
    [
      'a weights file not listed',
      (m) => (m.components.movq_decoder!.variants.int8w!.weights!.file = 'gone.safetensors'),
      'components/movq_decoder/variants/int8w: file gone.safetensors is not listed in files',
    ],
    [
      'an upscaler declared but missing',
      (m) => delete m.components.upscaler,
      'defaults/upscaler: the pack declares the upscaler upscaler, but has no upscaler component of that name',
    ],
    [
      'an upscaler whose output is not its factor times its input',
      (m) => (m.components.upscaler!.upscaler!.output.max = 500),
      "components/upscaler/upscaler: output: 64–500 is not 4 × the input's 16–128",
    ],
    [
      'weights beside a split graph',
      (m) => (m.components.unet_base!.variants.int8w!.weights = { file: 'a', location: 'b' }),
      'must have property file when property weights is present',
    ],
    [
      'a default U-Net that is not one',
      (m) => (m.defaults.unet = 'movq_decoder'),
      'defaults/unet: movq_decoder is not a unet component',
    ],
    [
      'a context output that does not exist',
      (m) => (m.components.unet_base!.unet!.context.output = 'context_nope'),
      'has no output context_nope',
    ],
    ['no decoder', (m) => delete m.components.movq_decoder, 'a pack needs a movq-decoder component'],
    [
      'a file without chunk hashes',
      (m) => delete (m.files[0] as Partial<PackFile>).chunks,
      "must have required property 'chunks'",
    ],
    ['a chunk hash too many', (m) => m.files[0]!.chunks.sha256.push('0'.repeat(64)), 'chunk hashes, but'],
    [
      'a split variant missing a part file',
      (m) => m.components.unet_base!.variants.int8w!.parts!.pop(),
      'components/unet_base/variants/int8w: needs one file per part (10)',
    ],
    [
      'a part that reads what no earlier part writes',
      (m) => (m.components.unet_base!.parts![3]!.inputs[0]!.name = 'x.9'),
      'components/unet_base/parts: part 3 reads x.9, which no input or earlier part provides',
    ],
    [
      'parts that never write an output',
      (m) => m.components.text_encoder!.parts!.at(-1)!.outputs.pop(),
      'components/text_encoder/parts: no part writes the output context_inpainting',
    ],
    [
      'a variant with both a file and parts',
      (m) => (m.components.text_encoder!.variants.fp32!.file = 'text_encoder.fp32.onnx'),
      'components/text_encoder/variants/fp32: must match exactly one schema in oneOf',
    ],
    [
      'a ControlNet whose U-Net lacks its residual input',
      (m) => (m.components.unet_flash!.inputs = m.components.unet_flash!.inputs.filter((i) => i.name !== 'control_1')),
      'components/controlnet/controlnet: unet_flash has no input control_1 for its residual',
    ],
    [
      'a ControlNet that controls a decoder',
      (m) => m.components.controlnet!.controlnet!.controls.push('movq_decoder'),
      'components/controlnet/controlnet: controls movq_decoder, which is not a unet component',
    ],
    [
      'a ControlNet block on a U-Net',
      (m) => (m.components.unet_base!.controlnet = m.components.controlnet!.controlnet),
      'components/unet_base: must NOT be valid',
    ],
    [
      'an image adapter fed by a U-Net instead of an image encoder',
      (m) => (m.components.unet_base!.unet!.imageAdapter!.component = 'unet_flash'),
      'components/unet_base/unet/imageAdapter: unet_flash is not an image-encoder component',
    ],
    [
      'an image adapter on a U-Net without the image inputs',
      (m) =>
        (m.components.unet_flash!.inputs = m.components.unet_flash!.inputs.filter((i) => i.name !== 'image_weight')),
      'components/unet_flash/unet/imageAdapter: the U-Net has no input image_weight',
    ],
    [
      'an image encoder without its normalisation',
      (m) => delete (m.components.image_encoder!.imageEncoder as Partial<ImageEncoderInfo>).std,
      "components/image_encoder/imageEncoder: must have required property 'std'",
    ],
    [
      'the original null embedding with rows zeroed before the projection',
      (m) =>
        Object.assign(m.text, {
          unconditional: 'null-embedding',
          nullEmbedding: m.text.tokenizer,
          padding: 'zero-before-projection',
        }),
      'text/padding: the null-embedding convention needs zero-after-projection',
    ],
    [
      'tiles that overlap by a whole window',
      (m) => (m.memoryPlan!.tiles!.latentOverlap = m.memoryPlan!.tiles!.latentWindow),
      'memoryPlan/tiles: an overlap of 64 cells needs windows wider than 64',
    ],
    [
      'chunks too big to store',
      (m) => (m.files[0]!.chunks.bytes = 2 ** 30),
      'files/0/chunks/bytes: must be <= 67108864',
    ],
  ];

  it.each(breakages)('refuses %s and says why', (_label, breakIt, expected) => {
    const manifest = committed();
    breakIt(manifest);
    expect(manifestProblems(manifest).join('\n')).toContain(expected);
    expect(() => parseManifest(manifest)).toThrow(InvalidManifestError);
  });

  it('reads a pack exported before the text padding and per-stage tensors were recorded as it ran then', () => {
    const manifest = committed();
    delete (manifest.text as Partial<typeof manifest.text>).padding;
    for (const size of manifest.memoryPlan!.sizes) delete size.stageLargestTensorBytes;
    delete manifest.memoryPlan!.tiles;
    expect(textPadding(parseManifest(manifest))).toBe('zero-after-projection');
  });

  it('puts every problem and a remedy in the error message', () => {
    const manifest = committed();
    manifest.files.shift();
    manifest.defaults.unet = 'nope';
    const error = (() => {
      try {
        parseManifest(manifest);
      } catch (e) {
        return e as InvalidManifestError;
      }
      throw new Error('expected InvalidManifestError');
    })();
    expect(error.problems.length).toBeGreaterThanOrEqual(2);
    // Plain words for users; the command is for the pack's maker, with the problems, under Details.
    expect(error.message).toContain('Pick another pack, or ask its maker for a fresh export.');
    expect(error.message).not.toContain('model/run-python');
    expect(error.remedyForMakers).toContain('model/run-python -m model.export');
  });

  it('cuts files into chunks, the last one shorter and an empty file into one empty chunk', () => {
    const file = (bytes: number): PackFile => ({ path: 'f', bytes, sha256: '', chunks: { bytes: 100, sha256: [] } });
    expect([chunkCount(file(0)), chunkCount(file(100)), chunkCount(file(101))]).toEqual([1, 1, 2]);
    expect(chunkRange(file(250), 2)).toEqual([200, 250]);
    expect(chunkRange(file(0), 0)).toEqual([0, 0]);
  });
});
