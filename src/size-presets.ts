// Output sizes a pack offers: its trained size and small multiples of it, each in a few aspect ratios,
// rounded to the pack's size step and kept within its limits. For nano that is 64 px and 32–256 px
// around it; for the full models 1024² and multiples of 64.

export interface SizePreset {
  width: number;
  height: number;
  /** The size's own ratio, reduced ("1:1", "5:3", "8:5"): rounding to the size step moves a target
   * such as 16:9 off its name, and the label says what the picture really is. */
  ratio: string;
  /** The side of the square with about the same area. */
  scale: number;
}

// The aspect ratios aimed at; each size is labelled with the ratio it ends up with.
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
    for (const [, r] of RATIOS) {
      const width = round(scale * Math.sqrt(r));
      const height = round(scale / Math.sqrt(r));
      const key = `${width}x${height}`;
      if (width < min || height < min || width > max || height > max || seen.has(key)) continue;
      seen.add(key);
      out.push({ width, height, ratio: reducedRatio(width, height), scale });
    }
  }
  return out;
}

function reducedRatio(width: number, height: number): string {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const d = gcd(width, height);
  return `${width / d}:${height / d}`;
}
