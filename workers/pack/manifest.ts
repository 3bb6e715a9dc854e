// The pack manifest: its type, and validation against the one JSON Schema that the Python export
// also validates with (model/pack-manifest.schema.json), plus the cross-references JSON Schema
// cannot express — the same rules as model/pack_manifest.py.
import Ajv from 'ajv';
import schema from '../../model/pack-manifest.schema.json' with { type: 'json' };

export type {
  CodingStage,
  ComponentPart,
  ComponentRole,
  ComponentVariant,
  ControlNetInfoEntry,
  Dim,
  ImageEncoderInfo,
  MemoryStage,
  PackComponent,
  PackFile,
  PackManifest,
  TensorSpec,
  UNetInfo,
  UNetKind,
  UpscalerInfo,
  WeightFormat,
} from '../../shared/pack-manifest';
import type {
  TextPadding,
  ComponentVariant,
  PackComponent,
  PackFile,
  PackManifest,
  UNetKind,
  UpscalerInfo,
} from '../../shared/pack-manifest';
import { InvalidManifestError } from '../../shared/errors';

export { InvalidManifestError };

export const INPAINTING_KINDS: readonly UNetKind[] = ['inpainting', 'inpainting_flash'];

/** How many chunks a file has (an empty file still has one, empty chunk). */
export function chunkCount(file: PackFile): number {
  return Math.max(1, Math.ceil(file.bytes / file.chunks.bytes));
}

/** Byte range [start, end) of chunk `index`. */
export function chunkRange(file: PackFile, index: number): [number, number] {
  const start = index * file.chunks.bytes;
  return [start, Math.min(start + file.chunks.bytes, file.bytes)];
}
const validateSchema = new Ajv({ allErrors: true, strict: false }).compile(schema);

export function manifestProblems(value: unknown): string[] {
  if (!validateSchema(value)) {
    return (validateSchema.errors ?? []).map(
      (e) => `${e.instancePath.slice(1) || '(root)'}: ${e.message ?? 'is invalid'}`,
    );
  }
  const manifest = value as unknown as PackManifest;
  const problems: string[] = [];
  const files = new Set(manifest.files.map((f) => f.path));
  for (const f of manifest.files) {
    if (f.chunks.sha256.length !== chunkCount(f)) {
      problems.push(
        `files/${f.path}/chunks: ${f.chunks.sha256.length} chunk hashes, but ${f.bytes} bytes in chunks of ` +
          `${f.chunks.bytes} make ${chunkCount(f)}`,
      );
    }
  }
  const { components } = manifest;
  for (const [id, component] of Object.entries(components)) {
    const parts = component.parts;
    for (const [format, variant] of Object.entries(component.variants)) {
      for (const path of variantPackFiles(variant)) {
        if (!files.has(path)) problems.push(`components/${id}/variants/${format}: file ${path} is not listed in files`);
      }
      if (!!parts !== !!variant.parts || (parts && variant.parts!.length !== parts.length)) {
        problems.push(
          `components/${id}/variants/${format}: needs one file per part ` +
            `(${parts ? parts.length : 'no parts, so one file'})`,
        );
      }
    }
    if (parts) problems.push(...partWiringProblems(component).map((p) => `components/${id}/parts: ${p}`));
    const context = component.unet?.context;
    if (context) {
      const source = components[context.component];
      if (source?.role !== 'text-encoder') {
        problems.push(`components/${id}/unet/context: ${context.component} is not a text-encoder component`);
      } else if (!source.outputs.some((o) => o.name === context.output)) {
        problems.push(`components/${id}/unet/context: ${context.component} has no output ${context.output}`);
      }
    }
  }
  for (const [id, component] of Object.entries(components)) {
    if (component.controlnet) {
      problems.push(...controlNetProblems(component, components).map((p) => `components/${id}/controlnet: ${p}`));
    }
    if (component.unet?.imageAdapter) {
      problems.push(
        ...imageAdapterProblems(component, components).map((p) => `components/${id}/unet/imageAdapter: ${p}`),
      );
    }
    if ((component.role === 'image-encoder') !== !!component.imageEncoder) {
      problems.push(`components/${id}: an image-encoder component, and only one, carries imageEncoder`);
    }
    if (component.upscaler)
      problems.push(...upscalerProblems(component.upscaler).map((p) => `components/${id}/upscaler: ${p}`));
  }
  const upscaler = manifest.defaults.upscaler;
  if (upscaler !== undefined && components[upscaler]?.role !== 'upscaler') {
    problems.push(
      `defaults/upscaler: the pack declares the upscaler ${upscaler}, but has no upscaler component of that name`,
    );
  }
  const tiles = manifest.memoryPlan?.tiles;
  if (tiles && tiles.latentOverlap >= tiles.latentWindow) {
    problems.push(
      `memoryPlan/tiles: an overlap of ${tiles.latentOverlap} cells needs windows wider than ${tiles.latentWindow}`,
    );
  }
  if (components[manifest.defaults.unet]?.role !== 'unet') {
    problems.push(`defaults/unet: ${manifest.defaults.unet} is not a unet component`);
  }
  if (!files.has(manifest.text.tokenizer)) {
    problems.push(`text/tokenizer: ${manifest.text.tokenizer} is not listed in files`);
  }
  if (manifest.text.unconditional === 'null-embedding' && !files.has(manifest.text.nullEmbedding ?? '')) {
    problems.push('text/nullEmbedding: required, and listed in files, when unconditional is null-embedding');
  }
  if (manifest.text.unconditional === 'null-embedding' && textPadding(manifest) !== 'zero-after-projection') {
    // The original's null embedding is a row of the projected space beside zero rows.
    problems.push('text/padding: the null-embedding convention needs zero-after-projection');
  }
  for (const role of ['text-encoder', 'unet', 'movq-decoder'] as const) {
    if (!Object.values(components).some((c) => c.role === role)) {
      problems.push(`components: a pack needs a ${role} component`);
    }
  }
  return problems;
}

/** Its context is a text-encoder output; each residual is one of its outputs; and every U-Net it
 * controls takes each residual as an input of the same name (as model/pack_manifest.py). */
function controlNetProblems(component: PackComponent, components: Record<string, PackComponent>): string[] {
  const control = component.controlnet!;
  const problems: string[] = [];
  const source = components[control.context.component];
  if (source?.role !== 'text-encoder') {
    problems.push(`context: ${control.context.component} is not a text-encoder component`);
  } else if (!source.outputs.some((o) => o.name === control.context.output)) {
    problems.push(`context: ${control.context.component} has no output ${control.context.output}`);
  }
  const names = control.residuals.map((r) => r.name);
  for (const n of names) {
    if (!component.outputs.some((o) => o.name === n)) problems.push(`residual ${n} is not an output of the ControlNet`);
  }
  for (const target of control.controls) {
    const unet = components[target];
    if (unet?.role !== 'unet') {
      problems.push(`controls ${target}, which is not a unet component`);
      continue;
    }
    for (const n of names) {
      if (!unet.inputs.some((i) => i.name === n)) problems.push(`${target} has no input ${n} for its residual`);
    }
  }
  return problems;
}

/** Its source is an image-encoder output, and the U-Net takes image_embeds and image_weight (as
 * model/pack_manifest.py). */
function imageAdapterProblems(component: PackComponent, components: Record<string, PackComponent>): string[] {
  const adapter = component.unet!.imageAdapter!;
  const problems: string[] = [];
  const source = components[adapter.component];
  if (source?.role !== 'image-encoder') {
    problems.push(`${adapter.component} is not an image-encoder component`);
  } else if (!source.outputs.some((o) => o.name === adapter.output)) {
    problems.push(`${adapter.component} has no output ${adapter.output}`);
  }
  for (const n of ['image_embeds', 'image_weight']) {
    if (!component.inputs.some((i) => i.name === n)) problems.push(`the U-Net has no input ${n}`);
  }
  return problems;
}

/** The sides it makes are `factor` times the sides it takes, and the smallest is not above the largest
 * (as model/pack_manifest.py). */
function upscalerProblems(upscaler: UpscalerInfo): string[] {
  const { factor, input, output } = upscaler;
  const problems = input.min <= input.max ? [] : [`input: min ${input.min} is above max ${input.max}`];
  if (output.min !== factor * input.min || output.max !== factor * input.max) {
    problems.push(`output: ${output.min}–${output.max} is not ${factor} × the input's ${input.min}–${input.max}`);
  }
  return problems;
}

/** A variant's graph files: its parts in order, or its one file. */
export function variantFiles(variant: ComponentVariant): string[] {
  return variant.parts ?? (variant.file !== undefined ? [variant.file] : []);
}

/** Every file a variant needs on hand: its graph files, then the weights kept beside a graph. */
export function variantPackFiles(variant: ComponentVariant): string[] {
  return [...variantFiles(variant), ...(variant.weights ? [variant.weights.file] : [])];
}

/** Each part reads only what the component's inputs or an earlier part provide, and the parts write
 * every component output (the same rule as model/pack_manifest.py). */
function partWiringProblems(component: PackComponent): string[] {
  const known = new Set(component.inputs.map((t) => t.name));
  const problems: string[] = [];
  for (const [index, part] of (component.parts ?? []).entries()) {
    for (const t of part.inputs) {
      if (!known.has(t.name)) problems.push(`part ${index} reads ${t.name}, which no input or earlier part provides`);
    }
    for (const t of part.outputs) known.add(t.name);
  }
  for (const t of component.outputs) {
    if (!known.has(t.name)) problems.push(`no part writes the output ${t.name}`);
  }
  return problems;
}

export function parseManifest(value: unknown): PackManifest {
  const problems = manifestProblems(value);
  if (problems.length > 0) throw new InvalidManifestError(problems);
  return value as PackManifest;
}

/** Where the pack's text graph zeroes padded prompt rows; packs that do not say predate the choice, and
 * all of them zeroed after the projection. */
export function textPadding(manifest: PackManifest): TextPadding {
  return manifest.text.padding ?? 'zero-after-projection';
}
