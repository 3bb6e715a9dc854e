import { useEffect, useRef } from 'react';
import { downloadBlob, imagePng } from '../png/png-file';
import { useAppStore } from '../store';
import type { ShownImage } from '../store/engine-slice';
import { drawPixels } from './draw-pixels';
import { GenerationProgress } from './GenerationProgress';
import { fitStyle } from './fit-style';
import { shownPicture } from '../upscale-actions';

/** The generated image in the middle of the workspace: drawn at its own size (the upscaler's copy when
 * there is one) and scaled up to fill the frame at its true shape, without smoothing. The frame keeps
 * its size whether or not there is an image, so nothing moves when one arrives. */
export function ImageOutput() {
  const image = useAppStore((s) => s.image);
  const openCanvas = useAppStore((s) => s.openCanvas);
  const embedParameters = useAppStore((s) => s.embedParameters);
  const batch = useAppStore((s) => s.batch);
  const setEngine = useAppStore((s) => s.setEngine);
  const running = useAppStore((s) => s.status === 'generating' || s.status === 'cancelling');
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => drawPixels(canvas.current, image && shownPicture(image)), [image]);
  const picture = image && shownPicture(image);

  return (
    <figure className="output">
      <div className="picture-frame">
        {image ? (
          <canvas
            ref={canvas}
            data-testid="output"
            data-seed={image.seed}
            data-id={image.id}
            data-image-id={image.id}
            data-model-width={image.width}
            data-model-height={image.height}
            role="img"
            aria-label={`Generated image, seed ${image.seed}`}
            style={fitStyle(image.width, image.height)}
          />
        ) : (
          !running && <p className="placeholder">Your image appears here.</p>
        )}
        <GenerationProgress />
      </div>
      <figcaption className="output-bar">
        <span className="output-info">
          {image ? (
            <>
              Seed {image.seed} · {image.width} × {image.height}
              {image.upscaled && `, shown at ${picture!.width} × ${picture!.height} (upscaled)`}
              {image.totalMs > 0 && ` · ${(image.totalMs / 1000).toFixed(1)} s`}
            </>
          ) : (
            'Write a prompt and press Generate.'
          )}
        </span>
        <button
          type="button"
          disabled={!image}
          onClick={() =>
            image &&
            openCanvas(
              { width: image.width, height: image.height, pixels: new Uint8ClampedArray(image.pixels) },
              image.upscaled,
            )
          }
        >
          Edit on canvas
        </button>
        <button
          type="button"
          disabled={!image}
          onClick={() =>
            image &&
            void imagePng(shownPicture(image), embedParameters ? image.parameters : null).then((png) =>
              downloadBlob(png, `kandinsky-${image.parameters.model}-${image.seed}.png`),
            )
          }
        >
          Download PNG
        </button>
      </figcaption>
      {batch.length > 1 && (
        <ul className="batch-grid" aria-label="Batch">
          {batch.map((b) => (
            <li key={b.id}>
              <button
                type="button"
                aria-pressed={b.id === image?.id}
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
  useEffect(() => drawPixels(canvas.current, shownPicture(image)), [image]);
  return <canvas ref={canvas} data-testid="batch-image" data-seed={image.seed} />;
}
