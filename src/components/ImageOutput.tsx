import { useEffect, useRef } from 'react';
import { downloadBlob, imagePng } from '../png/png-file';
import { useAppStore } from '../store';
import type { ShownImage } from '../store/engine-slice';
import { drawPixels } from './draw-pixels';
import { GenerationProgress } from './GenerationProgress';

/** The generated image, drawn at its own size and scaled up without smoothing (nano images are 64 px). */
export function ImageOutput() {
  const image = useAppStore((s) => s.image);
  const openCanvas = useAppStore((s) => s.openCanvas);
  const embedParameters = useAppStore((s) => s.embedParameters);
  const batch = useAppStore((s) => s.batch);
  const setEngine = useAppStore((s) => s.setEngine);
  const running = useAppStore((s) => s.status === 'generating' || s.status === 'cancelling');
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => drawPixels(canvas.current, image), [image]);

  if (!image)
    return (
      <div className="output empty">
        <GenerationProgress />
        {!running && 'Your image appears here.'}
      </div>
    );
  return (
    <figure className="output">
      <canvas
        ref={canvas}
        data-testid="output"
        data-seed={image.seed}
        data-id={image.id}
        data-image-id={image.id}
        aria-label={`Generated image, seed ${image.seed}`}
      />
      <figcaption>
        Seed {image.seed} · {image.width} × {image.height}
        {image.totalMs > 0 && ` · ${(image.totalMs / 1000).toFixed(1)} s`}{' '}
        <button
          type="button"
          onClick={() =>
            openCanvas({ width: image.width, height: image.height, pixels: new Uint8ClampedArray(image.pixels) })
          }
        >
          Edit on canvas
        </button>{' '}
        <button
          type="button"
          onClick={() =>
            void imagePng(image, embedParameters ? image.parameters : null).then((png) =>
              downloadBlob(png, `kandinsky-${image.parameters.model}-${image.seed}.png`),
            )
          }
        >
          Download PNG
        </button>
      </figcaption>
      <GenerationProgress />
      {batch.length > 1 && (
        <ul className="batch-grid" aria-label="Batch">
          {batch.map((b) => (
            <li key={b.id}>
              <button
                type="button"
                aria-pressed={b.id === image.id}
                aria-label={`Show seed ${b.seed}`}
                onClick={() => setEngine({ image: b })}
              >
                <BatchThumbnail image={b} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

function BatchThumbnail({ image }: { image: ShownImage }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => drawPixels(canvas.current, image), [image]);
  return <canvas ref={canvas} data-testid="batch-image" data-seed={image.seed} />;
}
