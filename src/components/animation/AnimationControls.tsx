// Animation's settings, in the side panel of the Animate mode: camera moves (zoom, pan, rotate) made
// frame by frame with Flash, or an infinite zoom from outpainted keyframes.
import { makeAnimation, stopAnimation } from '../../animation-actions';
import type { AnimationSettings } from '../../animation/animation-director';
import type { CameraMove } from '../../animation/warp';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store';
import { NumberField } from '../fields';
import { PromptField } from '../PromptField';

type Motion = 'zoom-in' | 'zoom-out' | 'pan' | 'rotate' | 'infinite-zoom';

/** Each motion's move per frame, from the Deforum presets (kandinsky3-architecture §10.2). */
const MOTIONS: Record<Motion, { label: string; settings: Partial<AnimationSettings> }> = {
  'zoom-in': { label: 'Zoom in', settings: { mode: 'camera', move: { zoom: 1.03, rotate: 0, panX: 0, panY: 0 } } },
  'zoom-out': { label: 'Zoom out', settings: { mode: 'camera', move: { zoom: 0.97, rotate: 0, panX: 0, panY: 0 } } },
  pan: { label: 'Pan', settings: { mode: 'camera', move: { zoom: 1, rotate: 0, panX: 1, panY: 0 } } },
  rotate: { label: 'Rotate', settings: { mode: 'camera', move: { zoom: 1, rotate: 3, panX: 0, panY: 0 } } },
  'infinite-zoom': { label: 'Infinite zoom (outpainting)', settings: { mode: 'infinite-zoom' } },
};

function motionOf(settings: AnimationSettings): Motion {
  if (settings.mode === 'infinite-zoom') return 'infinite-zoom';
  const { zoom, rotate } = settings.move;
  if (rotate !== 0) return 'rotate';
  if (zoom > 1) return 'zoom-in';
  if (zoom < 1) return 'zoom-out';
  return 'pan';
}

export function AnimationControls() {
  const s = useAppStore(
    useShallow((state) => ({
      pack: state.pack,
      status: state.status,
      hasImage: !!state.image,
      animation: state.animation,
      animationFrames: state.animationFrames,
      animationState: state.animationState,
      animationTotal: state.animationTotal,
      animateFromCurrent: state.animateFromCurrent,
    })),
  );
  const setAnimation = useAppStore((state) => state.setAnimation);
  const setAnimationState = useAppStore((state) => state.setAnimationState);
  const a = s.animation;
  const motion = motionOf(a);
  const frames = s.animationFrames;
  const busy = s.animationState !== 'idle';
  const setMove = (changes: Partial<CameraMove>) => setAnimation({ move: { ...a.move, ...changes } });
  const ready = !!s.pack && (s.status === 'ready' || s.status === 'error');

  return (
    <section className="controls animation-controls" aria-label="Animation">
      <PromptField />
      <div className="row">
        <label>
          Motion
          <select
            name="motion"
            value={motion}
            onChange={(e) => setAnimation(MOTIONS[e.target.value as Motion].settings)}
          >
            {Object.entries(MOTIONS).map(([id, m]) => (
              <option key={id} value={id} disabled={id === 'infinite-zoom' && !s.pack?.canInpaint}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            name="animateFromCurrent"
            checked={s.animateFromCurrent}
            disabled={!s.hasImage}
            onChange={(e) => setAnimationState({ animateFromCurrent: e.target.checked })}
          />
          Start from the current image
        </label>
      </div>
      {a.mode === 'camera' ? (
        <>
          <div className="row">
            <NumberField
              label="Frames"
              name="frames"
              value={a.frames}
              min={2}
              max={240}
              onChange={(v) => setAnimation({ frames: Math.round(v) })}
            />
            <NumberField
              label="Zoom per frame"
              name="zoom"
              value={a.move.zoom}
              min={0.8}
              max={1.25}
              step={0.01}
              onChange={(v) => setMove({ zoom: v })}
            />
            <NumberField
              label="Turn per frame (°)"
              name="rotate"
              value={a.move.rotate}
              min={-15}
              max={15}
              step={0.5}
              onChange={(v) => setMove({ rotate: v })}
            />
          </div>
          <div className="row">
            <NumberField
              label="Pan x (px/frame)"
              name="panX"
              value={a.move.panX}
              min={-16}
              max={16}
              step={0.5}
              onChange={(v) => setMove({ panX: v })}
            />
            <NumberField
              label="Pan y (px/frame)"
              name="panY"
              value={a.move.panY}
              min={-16}
              max={16}
              step={0.5}
              onChange={(v) => setMove({ panY: v })}
            />
          </div>
          <div className="row">
            <label title="How much each frame is redrawn: Flash's last step alone keeps more, its last two invent more">
              Flash steps per frame
              <select
                name="flashSteps"
                value={a.flashSteps}
                onChange={(e) => setAnimation({ flashSteps: Number(e.target.value) as 1 | 2 })}
              >
                <option value={1}>1 (the last)</option>
                <option value={2}>2 (the last two)</option>
              </select>
            </label>
            <NumberField
              label="Cadence"
              name="cadence"
              value={a.cadence}
              min={1}
              max={8}
              onChange={(v) => setAnimation({ cadence: Math.round(v) })}
            />
            <label className="check" title="Keep every frame's colours at the first frame's">
              <input
                type="checkbox"
                name="colorMatch"
                checked={a.colorMatch}
                onChange={(e) => setAnimation({ colorMatch: e.target.checked })}
              />
              Colour match
            </label>
          </div>
        </>
      ) : (
        <div className="row">
          <NumberField
            label="Keyframes"
            name="keyframes"
            value={a.keyframes}
            min={1}
            max={20}
            onChange={(v) => setAnimation({ keyframes: Math.round(v) })}
          />
          <NumberField
            label="Zoom per keyframe"
            name="zoomFactor"
            value={a.zoomFactor}
            min={0.4}
            max={0.85}
            step={0.05}
            onChange={(v) => setAnimation({ zoomFactor: v })}
          />
          <NumberField
            label="Frames per keyframe"
            name="framesPerKeyframe"
            value={a.framesPerKeyframe}
            min={2}
            max={60}
            onChange={(v) => setAnimation({ framesPerKeyframe: Math.round(v) })}
          />
          <label>
            Direction
            <select
              name="direction"
              value={a.direction}
              onChange={(e) => setAnimation({ direction: e.target.value as 'in' | 'out' })}
            >
              <option value="out">Out</option>
              <option value="in">In</option>
            </select>
          </label>
        </div>
      )}
      <div className="row">
        <button type="button" className="primary" disabled={!ready || busy} onClick={() => void makeAnimation()}>
          Animate
        </button>
        {(s.animationState === 'running' || s.animationState === 'cancelling') && (
          <button type="button" disabled={s.animationState === 'cancelling'} onClick={() => void stopAnimation()}>
            {s.animationState === 'cancelling' ? 'Stopping…' : 'Stop'}
          </button>
        )}
        {s.animationState === 'running' && (
          <span data-testid="animation-progress">
            Frame {frames.filter(Boolean).length} of {s.animationTotal}
          </span>
        )}
      </div>
    </section>
  );
}
