import type { CSSProperties } from 'react';

/** The largest box of the picture's shape that fits its frame (a CSS size container): a 128×80 picture
 * fills the width of a square frame, a 64×64 one its height in a wide frame. */
export function fitStyle(width: number, height: number): CSSProperties {
  return { width: `min(100cqw, calc(100cqh * ${width} / ${height}))`, aspectRatio: `${width} / ${height}` };
}
