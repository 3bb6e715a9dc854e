// Edge-guided generation (kandinsky3-architecture §9.2): the pack's ControlNet turns the hint and x_t into one
// residual per skip connection; the U-Net adds them (scaled by the strength) to its skips. U-Nets that
// a ControlNet controls always take those inputs, so without a hint, or outside the start/end window,
// they get zeros, which leave the U-Net exactly as it is.
import type { ControlParams } from '../../shared/engine-api';
import { InvalidParamsError, ImageSizeError } from '../../shared/errors';
import type { PackManifest } from '../pack/manifest';
import { asFloat32, float32, type GraphRunner, type TensorData } from './graph-runner';
import type { Conditioning } from './conditioning';
import { conditioningTensors } from './text-conditioning';

export interface ControlNetInfo {
  component: string;
  residuals: { name: string; channels: number; downscale: number }[];
  context: { component: string; output: string };
}

/** The ControlNet that drives `unetId`, if the pack has one. */
export function controlNetFor(manifest: PackManifest, unetId: string): ControlNetInfo | undefined {
  for (const [component, c] of Object.entries(manifest.components)) {
    if (c.role === 'controlnet' && c.controlnet?.controls.includes(unetId)) {
      return { component, residuals: c.controlnet.residuals, context: c.controlnet.context };
    }
  }
  return undefined;
}

/** The ControlNet component for `unetId`, or a named error saying edge guidance is not available. */
export function controlNetComponent(manifest: PackManifest, unetId: string): string {
  const info = controlNetFor(manifest, unetId);
  if (!info) {
    throw new InvalidParamsError(
      `${manifest.title} has no edge ControlNet for ${unetId}: turn edge guidance off, or load a pack with one ` +
        '(the bundled nano pack has one for its base and Flash U-Nets).',
    );
  }
  return info.component;
}

/** Whether step i of n runs the ControlNet: the diffusers window, where step i covers the fraction
 * [i/n, (i+1)/n) of the steps and must lie inside [start, end]. */
export function controlActive(i: number, n: number, start: number, end: number): boolean {
  return !(i / n < start - 1e-9 || (i + 1) / n > end + 1e-9);
}

export function checkControl(control: ControlParams, width: number, height: number): void {
  const pixels = width * height;
  if (control.hint.length !== 4 * pixels) {
    throw new ImageSizeError('edge hint', `${control.hint.length / 4} pixels`, `${width}×${height} (${pixels} pixels)`);
  }
  if (!(control.strength >= 0 && control.strength <= 2)) {
    throw new InvalidParamsError(`edge strength ${control.strength} must be between 0 and 2.`);
  }
  if (!(control.start >= 0 && control.start < control.end && control.end <= 1)) {
    throw new InvalidParamsError(
      `the edge guidance window ${control.start}–${control.end} must satisfy 0 ≤ start < end ≤ 1.`,
    );
  }
}

/** Zero residuals: what a controlled U-Net gets when no hint applies to this step. */
export function zeroResiduals(info: ControlNetInfo, rows: number, h: number, w: number): Record<string, TensorData> {
  const feeds: Record<string, TensorData> = {};
  for (const r of info.residuals) {
    const dims = [rows, r.channels, h / r.downscale, w / r.downscale];
    feeds[r.name] = float32(new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
  }
  return feeds;
}

/** The ControlNet's residuals for this step, scaled by the strength. `hint` is one (3, H·f, W·f) image,
 * repeated for each guidance row: the ControlNet sees the guidance batch, as the fork's pipeline does. */
export async function controlResiduals(
  runner: GraphRunner,
  info: ControlNetInfo,
  inputs: {
    sample: TensorData;
    timestep: TensorData;
    conditioning: Conditioning;
    hint: Float32Array;
    hintDims: [number, number];
  },
  strength: number,
): Promise<Record<string, TensorData>> {
  const rows = inputs.conditioning.rows;
  const [hh, hw] = inputs.hintDims;
  const hint = new Float32Array(rows * inputs.hint.length);
  for (let r = 0; r < rows; r++) hint.set(inputs.hint, r * inputs.hint.length);
  const out = await runner.run(info.component, {
    sample: inputs.sample,
    timestep: inputs.timestep,
    ...conditioningTensors(inputs.conditioning),
    hint: float32(hint, [rows, 3, hh, hw]),
  });
  const feeds: Record<string, TensorData> = {};
  for (const r of info.residuals) {
    const tensor = out[r.name];
    const data = asFloat32(tensor, r.name);
    feeds[r.name] = float32(strength === 1 ? data : data.map((v) => v * strength), tensor!.dims);
  }
  return feeds;
}
