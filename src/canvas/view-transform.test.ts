import { describe, expect, it } from 'vitest';
import { fitView, panBy, toImage, zoomAround } from './view-transform';

describe('view transform', () => {
  it('fits the image centred and maps screen points to image pixels', () => {
    const view = fitView(64, 32, 512, 512);
    expect(view).toEqual({ zoom: 8, panX: 0, panY: 128 });
    expect(toImage(view, 256, 256)).toEqual({ x: 32, y: 16 });
  });

  it('zooming keeps the point under the cursor in place, and panning moves the image', () => {
    const view = fitView(64, 64, 512, 512);
    const before = toImage(view, 100, 200);
    const zoomed = zoomAround(view, 2, 100, 200);
    expect(zoomed.zoom).toBe(16);
    expect(toImage(zoomed, 100, 200)).toEqual(before);
    expect(toImage(panBy(zoomed, 16, 0), 116, 200)).toEqual(before);
  });
});
