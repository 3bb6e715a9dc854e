// An image's generation parameters as text, in the `parameters` format A1111 writes (and other tools
// read): the prompt, a "Negative prompt:" line, then "Key: value" pairs on the last line.
import type { SamplerName } from '../../shared/engine-api';

export interface GenerationParameters {
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  guidance: number;
  sampler: SamplerName;
  width: number;
  height: number;
  model: string;
  /** Edge guidance (ControlNet), written as A1111 writes its ControlNet units; the hint itself is not kept. */
  edgeGuidance?: { source: 'picture' | 'drawing'; strength: number; start: number; end: number };
  /** Image fusion (IP-Adapter): the reference pictures by name and weight, and the image strength. */
  imageFusion?: { pictures: { name: string; weight: number }[]; strength: number };
  /** The pack's upscaler: the factor it enlarged the picture by, or 'off' when the user turned it off
   * (absent for packs without one). `width` and `height` stay the model's size. */
  upscale?: number | 'off';
}

/** The sampler as the `Sampler:` value names it; parsing matches the whole value, so one name may start
 * another ("Kandinsky Flash" and "Kandinsky Flash refiner"). */
const SAMPLER_NAMES: Record<SamplerName, string> = {
  flash: 'Kandinsky Flash',
  refiner: 'Kandinsky Flash refiner',
  ddpm: 'DDPM',
  ancestral: 'Kandinsky ancestral',
};

/** Values with a comma or colon are quoted, as A1111 does, so the pair list still splits. */
const quote = (value: string) => (/[,:"\n]/.test(value) ? JSON.stringify(value) : value);

export function formatParameters(p: GenerationParameters): string {
  const pairs = [
    `Steps: ${p.steps}`,
    `Sampler: ${SAMPLER_NAMES[p.sampler]}`,
    `CFG scale: ${p.guidance}`,
    `Seed: ${p.seed}`,
    `Size: ${p.width}x${p.height}`,
    `Model: ${quote(p.model)}`,
  ];
  if (p.edgeGuidance) {
    const e = p.edgeGuidance;
    const unit = `Module: ${e.source === 'picture' ? 'sobel' : 'scribble'}, Weight: ${e.strength}, Guidance Start: ${e.start}, Guidance End: ${e.end}`;
    pairs.push(`ControlNet 0: ${quote(unit)}`);
  }
  if (p.imageFusion) {
    const f = p.imageFusion;
    const images = f.pictures.map((i) => `${i.name.replace(/[;()]/g, '_')} (${i.weight})`).join('; ');
    pairs.push(`IP-Adapter: ${quote(`Weight: ${f.strength}, Images: ${images}`)}`);
  }
  if (p.upscale !== undefined) pairs.push(`Upscale: ${p.upscale === 'off' ? 'off' : `${p.upscale}x`}`);
  const negative = p.negativePrompt ? `\nNegative prompt: ${p.negativePrompt}` : '';
  return `${p.prompt}${negative}\n${pairs.join(', ')}`;
}

/** Splits "A: 1, B: \"x, y\", C: 3" into pairs, honouring quoted values. */
function splitPairs(line: string): Map<string, string> {
  const pairs = new Map<string, string>();
  const pattern = /\s*([\w ]+):\s*("(?:\\.|[^"])*"|[^,]*)(?:,|$)/g;
  for (const match of line.matchAll(pattern)) {
    const value = match[2]!.trim();
    pairs.set(match[1]!.trim(), value.startsWith('"') ? (JSON.parse(value) as string) : value);
  }
  return pairs;
}

/** The parameters in a `parameters` text, or null when it is not one (no "Steps:" line). */
export function parseParameters(text: string): Partial<GenerationParameters> | null {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const last = lines.at(-1) ?? '';
  if (!/(^|, )Steps: \d+/.test(last)) return null;
  const pairs = splitPairs(last);
  const body = lines.slice(0, -1);
  const negativeAt = body.findIndex((l) => l.startsWith('Negative prompt:'));
  const prompt = (negativeAt < 0 ? body : body.slice(0, negativeAt)).join('\n');
  const negativePrompt =
    negativeAt < 0
      ? ''
      : body
          .slice(negativeAt)
          .join('\n')
          .replace(/^Negative prompt:\s?/, '');
  const out: Partial<GenerationParameters> = { prompt, negativePrompt };
  const number = (key: string) => (pairs.has(key) ? Number(pairs.get(key)) : NaN);
  if (Number.isFinite(number('Steps'))) out.steps = number('Steps');
  if (Number.isFinite(number('CFG scale'))) out.guidance = number('CFG scale');
  if (Number.isFinite(number('Seed'))) out.seed = number('Seed');
  const sampler = (Object.entries(SAMPLER_NAMES) as [SamplerName, string][]).find(
    ([, n]) => n === pairs.get('Sampler'),
  );
  if (sampler) out.sampler = sampler[0];
  const size = /^(\d+)x(\d+)$/.exec(pairs.get('Size') ?? '');
  if (size) [out.width, out.height] = [Number(size[1]), Number(size[2])];
  if (pairs.has('Model')) out.model = pairs.get('Model');
  const upscale = /^(?:(\d+)x|(off))$/.exec(pairs.get('Upscale') ?? '');
  if (upscale) out.upscale = upscale[2] ? 'off' : Number(upscale[1]);
  return out;
}
