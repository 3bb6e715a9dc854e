// The checks a request passes before anything runs: each failure is a named error that says what to
// change. Sizes are checked against the limits the plan decided (resolution and device memory).
import type { GenerateParams, InpaintParams } from '../../shared/engine-api';
import { ImageSizeError, InvalidParamsError } from '../../shared/errors';
import type { PackManifest } from '../../shared/pack-manifest';

export interface ResolutionLimits {
  multipleOf: number;
  min: number;
  max: number;
}

/** The sizes a pack can make: its manifest's, or, for packs that do not say, multiples of one latent
 * block up to 2048 (the largest any Kandinsky 3 checkpoint was tried at). The one place this is decided. */
export function resolutionLimits(manifest: PackManifest): ResolutionLimits {
  return manifest.resolution ?? { multipleOf: 8 * manifest.latent.scaleFactor, min: 64, max: 2048 };
}

export function checkSize(manifest: PackManifest, params: { width: number; height: number }): void {
  const res = resolutionLimits(manifest);
  for (const [name, side] of [
    ['width', params.width],
    ['height', params.height],
  ] as const) {
    if (!Number.isInteger(side) || side % res.multipleOf !== 0 || side < res.min || side > res.max) {
      throw new InvalidParamsError(
        `${name} ${side} is not possible with ${manifest.title}: use a multiple of ${res.multipleOf} from ${res.min} to ${res.max}.`,
      );
    }
  }
}

/** `maxSteps`: the schedule's length where the user's step count applies, else null. */
export function checkCommon(params: GenerateParams, maxSteps: number | null): void {
  if (!Number.isInteger(params.seed) || params.seed < 0 || params.seed > 0xffffffff) {
    throw new InvalidParamsError(`seed ${params.seed} is not a whole number from 0 to 4294967295.`);
  }
  if (maxSteps !== null && (!Number.isInteger(params.steps) || params.steps < 1 || params.steps > maxSteps)) {
    throw new InvalidParamsError(`steps ${params.steps} must be a whole number from 1 to ${maxSteps}.`);
  }
  if (!(params.guidance >= 0 && params.guidance <= 50)) {
    throw new InvalidParamsError(`guidance ${params.guidance} must be between 0 and 50.`);
  }
  if (params.init) {
    const pixels = params.width * params.height;
    if (params.init.image.length !== 4 * pixels) {
      throw new ImageSizeError(
        'start image',
        `${params.init.image.length / 4} pixels`,
        `${params.width}×${params.height} (${pixels} pixels)`,
      );
    }
    if (!(params.init.strength >= 0 && params.init.strength <= 1)) {
      throw new InvalidParamsError(`strength ${params.init.strength} must be between 0 and 1.`);
    }
  }
}

export function checkInpaintInputs(params: InpaintParams): void {
  const size = `${params.width}×${params.height}`;
  const pixels = params.width * params.height;
  if (params.image.length !== 4 * pixels) {
    const got = params.image.length % 4 === 0 ? `${params.image.length / 4} pixels` : `${params.image.length} bytes`;
    throw new ImageSizeError('image', got, `${size} (${pixels} pixels)`);
  }
  if (params.mask.length !== pixels)
    throw new ImageSizeError('mask', `${params.mask.length} pixels`, `${size} (${pixels} pixels)`);
  if (!(params.feather >= 0 && params.feather <= 64)) {
    throw new InvalidParamsError(`feather ${params.feather} must be between 0 and 64 pixels.`);
  }
  if (!params.mask.some((v) => v > 0)) {
    throw new InvalidParamsError('Nothing is masked: brush over the area to repaint, then try again.');
  }
}
