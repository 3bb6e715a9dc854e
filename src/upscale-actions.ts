// Results enlarged by the pack's upscaler (the role of Kandinsky 3.1's KandiSuperRes). The enlarged copy
// is what is shown, stored and downloaded. The model-size picture it came from is kept beside it: edits,
// animation and "start from this" work on that, so upscaling never compounds.
import type { LoadedPack, Picture } from '../shared/engine-api';
import { engine } from './engine-client';
import { onProgress } from './progress-callback';
import { useAppStore } from './store';

/** Whether a picture of this size is enlarged: the pack has an upscaler, the setting is on, and the
 * upscaler takes the size (a 256 px nano picture is shown as it is). */
export function upscalesTo(pack: LoadedPack | null, on: boolean, width: number, height: number): number | null {
  const upscaler = pack?.upscaler;
  if (!upscaler || !on) return null;
  const { min, max, multipleOf } = upscaler.input;
  const fits = (side: number) => side >= min && side <= max && side % multipleOf === 0;
  return fits(width) && fits(height) ? upscaler.factor : null;
}

/** What the PNG parameters record: the factor, 'off' when the pack has an upscaler that did not run,
 * nothing for packs without one. */
export function upscaleRecord(pack: LoadedPack | null, factor: number | null): number | 'off' | undefined {
  if (!pack?.upscaler) return undefined;
  return factor ?? 'off';
}

/** The enlarged copy of a new result, or undefined when the setting, the pack or the size says no. */
export async function upscaledResult(picture: Picture): Promise<Picture | undefined> {
  const s = useAppStore.getState();
  if (!upscalesTo(s.pack, s.upscaleResults, picture.width, picture.height)) return undefined;
  const { width, height, pixels } = await engine().upscale(
    { width: picture.width, height: picture.height, pixels: new Uint8ClampedArray(picture.pixels) },
    onProgress,
  );
  return { width, height, pixels };
}

/** The picture to show, store and download: the enlarged copy when there is one. */
export function shownPicture(image: Picture & { upscaled?: Picture }): Picture {
  return image.upscaled ?? image;
}
