// Where the image sits on screen: a zoom (screen pixels per image pixel) and a pan (the screen position
// of the image's top-left corner, relative to the viewport). Pointer positions map back to image
// pixels through it, so strokes are stored in image coordinates at any zoom.
export interface View {
  zoom: number;
  panX: number;
  panY: number;
}

export const MIN_ZOOM = 0.25;
export const MAX_ZOOM = 64;

/** The view that shows the whole image centred in a viewport, as large as fits. */
export function fitView(imageWidth: number, imageHeight: number, viewportWidth: number, viewportHeight: number): View {
  const zoom = Math.min(
    MAX_ZOOM,
    Math.max(MIN_ZOOM, Math.min(viewportWidth / imageWidth, viewportHeight / imageHeight)),
  );
  return { zoom, panX: (viewportWidth - imageWidth * zoom) / 2, panY: (viewportHeight - imageHeight * zoom) / 2 };
}

export function toImage(view: View, x: number, y: number): { x: number; y: number } {
  return { x: (x - view.panX) / view.zoom, y: (y - view.panY) / view.zoom };
}

/** Zooms by `factor`, keeping the image point under (x, y) where it is on screen. */
export function zoomAround(view: View, factor: number, x: number, y: number): View {
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, view.zoom * factor));
  const k = zoom / view.zoom;
  return { zoom, panX: x - (x - view.panX) * k, panY: y - (y - view.panY) * k };
}

export function panBy(view: View, dx: number, dy: number): View {
  return { ...view, panX: view.panX + dx, panY: view.panY + dy };
}
