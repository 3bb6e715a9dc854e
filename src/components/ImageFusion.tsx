// Image fusion (IP-Adapter): the next image takes after up to four reference pictures, mixed by
// weight; with an empty prompt it is a variation of them. Shown only for packs with an image adapter.
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { loadImageFile, REFERENCE_PICTURE_SIZE } from '../canvas/load-image';
import { addPictures, MAX_REFERENCE_PICTURES, type ReferencePicture } from '../fusion/fusion-params';
import { useAppStore } from '../store';
import { drawPixels } from './draw-pixels';
import { RangeField } from './fields';

/** Thumbnail side in CSS pixels. */
const THUMB = 72;

function Thumbnail({ picture }: { picture: ReferencePicture }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current) drawPixels(canvas.current, picture.picture);
  }, [picture.picture]);
  const { width, height } = picture.picture;
  return (
    <canvas
      ref={canvas}
      className="fusion-thumb"
      role="img"
      aria-label={`Reference picture: ${picture.name}`}
      style={{ width: THUMB, height: (THUMB * height) / width }}
    />
  );
}

export function ImageFusion() {
  const s = useAppStore(
    useShallow((state) => ({
      available: !!state.pack?.imageFusion,
      image: state.image,
      fusionEnabled: state.fusionEnabled,
      fusionPictures: state.fusionPictures,
      fusionStrength: state.fusionStrength,
    })),
  );
  const setFusion = useAppStore((state) => state.setFusion);
  const [loadError, setLoadError] = useState<string | null>(null);
  if (!s.available) return null;

  const pictures = s.fusionPictures;
  const update = (id: number, changes: Partial<ReferencePicture>) =>
    setFusion({ fusionPictures: pictures.map((p) => (p.id === id ? { ...p, ...changes } : p)) });

  return (
    <fieldset className="image-fusion" aria-label="Image fusion">
      <legend>
        <label className="check">
          <input
            type="checkbox"
            name="fusionEnabled"
            checked={s.fusionEnabled}
            onChange={(e) => setFusion({ fusionEnabled: e.target.checked })}
          />
          Take after pictures (image fusion)
        </label>
      </legend>
      {s.fusionEnabled && (
        <>
          <p className="hint">
            Up to {MAX_REFERENCE_PICTURES} pictures, mixed by weight. Leave the prompt empty for variations of them, or
            describe a change (“… in 3d style”).
          </p>
          <div className="row">
            <label>
              Add pictures
              <input
                type="file"
                name="fusionPictures"
                accept="image/*"
                multiple
                onChange={(e) => {
                  const files = [...(e.target.files ?? [])];
                  e.target.value = ''; // the same file can be added again
                  if (files.length === 0) return;
                  setLoadError(null);
                  Promise.all(
                    files.map(async (f) => ({ name: f.name, picture: await loadImageFile(f, REFERENCE_PICTURE_SIZE) })),
                  ).then(
                    (added) => {
                      const now = useAppStore.getState().fusionPictures;
                      setFusion({ fusionPictures: addPictures(now, added) });
                    },
                    (error: Error) => setLoadError(error.message),
                  );
                }}
              />
            </label>
            <button
              type="button"
              disabled={!s.image}
              title="Add the image shown on the right as a reference picture"
              onClick={() =>
                s.image &&
                setFusion({
                  fusionPictures: addPictures(pictures, [
                    {
                      name: `image ${s.image.id} (seed ${s.image.seed})`,
                      picture: { width: s.image.width, height: s.image.height, pixels: s.image.pixels },
                    },
                  ]),
                })
              }
            >
              Use the current image
            </button>
          </div>
          {loadError && <p role="alert">{loadError}</p>}
          <ul className="fusion-pictures" aria-label="Reference pictures">
            {pictures.map((p, i) => (
              <li key={p.id}>
                <Thumbnail picture={p} />
                <div>
                  <span className="fusion-name" title={p.name}>
                    {p.name}
                  </span>
                  <RangeField
                    label="Weight"
                    name={`fusionWeight${i}`}
                    value={p.weight}
                    min={0}
                    max={2}
                    step={0.05}
                    format={(v) => v.toFixed(2)}
                    title="This picture's share of the mix"
                    onChange={(v) => update(p.id, { weight: v })}
                  />
                  <button
                    type="button"
                    aria-label={`Remove ${p.name}`}
                    onClick={() => setFusion({ fusionPictures: pictures.filter((q) => q.id !== p.id) })}
                  >
                    Remove
                  </button>
                </div>
              </li>
            ))}
          </ul>
          {pictures.length === 0 && <p className="hint">No pictures yet.</p>}
          <RangeField
            label="Image strength"
            name="fusionStrength"
            value={s.fusionStrength}
            min={0}
            max={2}
            step={0.05}
            format={(v) => v.toFixed(2)}
            title="How much the pictures steer the image: 0 ignores them, 1 as trained"
            onChange={(v) => setFusion({ fusionStrength: v })}
          />
        </>
      )}
    </fieldset>
  );
}
