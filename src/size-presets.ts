// Output sizes a pack offers: its trained size and small multiples of it, each in a few aspect ratios,
// rounded to the pack's size step and kept within its limits. For nano that is 64 px and 32–256 px
// around it; for the full models 1024² and multiples of 64.

export interface SizePreset {
  width: number;
  height: number;
  ratio: string; // "1:1", "4:3", …
  /** The side of the square with about the same area. */
  scale: number;
}

const RATIOS: [string, number][] = [
  ['1:1', 1],
  ['4:3', 4 / 3],
  ['3:4', 3 / 4],
  ['16:9', 16 / 9],
  ['9:16', 9 / 16],
];
const SCALES = [0.5, 1, 1.5, 2, 3, 4];

export function sizePresets(trainedSide: number, multipleOf: number, min: number, max: number): SizePreset[] {
  const round = (v: number) => Math.round(v / multipleOf) * multipleOf;
  const seen = new Set<string>();
  const out: SizePreset[] = [];
  for (const factor of SCALES) {
    const scale = round(trainedSide * factor);
    for (const [ratio, r] of RATIOS) {
      const width = round(scale * Math.sqrt(r));
      const height = round(scale / Math.sqrt(r));
      const key = `${width}x${height}`;
      if (width < min || height < min || width > max || height > max || seen.has(key)) continue;
      seen.add(key);
      out.push({ width, height, ratio, scale });
    }
  }
  return out;
}
