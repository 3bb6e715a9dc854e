import { useEffect, useRef } from 'react';
import { useAppStore } from '../store';

/** The generated image, drawn at its own size and scaled up without smoothing (nano images are 64 px). */
export function ImageOutput() {
  const image = useAppStore((s) => s.image);
  const openCanvas = useAppStore((s) => s.openCanvas);
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const element = canvas.current;
    if (!element || !image) return;
    element.width = image.width;
    element.height = image.height;
    element
      .getContext('2d')
      ?.putImageData(new ImageData(new Uint8ClampedArray(image.pixels), image.width, image.height), 0, 0);
  }, [image]);

  if (!image) return <div className="output empty">Your image appears here.</div>;
  return (
    <figure className="output">
      <canvas
        ref={canvas}
        data-testid="output"
        data-seed={image.seed}
        data-image-id={image.id}
        aria-label={`Generated image, seed ${image.seed}`}
      />
      <figcaption>
        Seed {image.seed} · {image.width} × {image.height} · {(image.totalMs / 1000).toFixed(1)} s{' '}
        <button
          type="button"
          onClick={() =>
            openCanvas({ width: image.width, height: image.height, pixels: new Uint8ClampedArray(image.pixels) })
          }
        >
          Edit on canvas
        </button>
      </figcaption>
    </figure>
  );
}
