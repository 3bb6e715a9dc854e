// Animation's stage: the player that shows the frames as they arrive and plays them back, and the
// export to WebM or MP4.
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { cancelExport, exportAnimation } from '../../animation-actions';
import type { VideoFormat } from '../../animation/video-export';
import { useAppStore } from '../../store';
import { drawPixels } from '../draw-pixels';
import { RangeField } from '../fields';
import { fitStyle } from '../fit-style';

export function AnimationPlayer() {
  const s = useAppStore(
    useShallow((state) => ({
      seed: state.seed,
      animationFrames: state.animationFrames,
      animationState: state.animationState,
      exportProgress: state.exportProgress,
      videoUrl: state.videoUrl,
    })),
  );
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [fps, setFps] = useState(12);
  const [format, setFormat] = useState<VideoFormat>('webm');
  const [scale, setScale] = useState(4);
  const player = useRef<HTMLCanvasElement>(null);
  const frames = s.animationFrames;
  const busy = s.animationState !== 'idle';
  // While frames arrive, the player follows the newest; afterwards it shows the chosen frame.
  const shown =
    s.animationState === 'running' ? Math.max(0, frames.length - 1) : Math.min(frame, Math.max(0, frames.length - 1));
  useEffect(() => drawPixels(player.current, frames[shown]), [frames, shown]);
  useEffect(() => {
    if (!playing || frames.length < 2) return;
    const timer = setInterval(() => setFrame((f) => (f + 1) % frames.length), 1000 / fps);
    return () => clearInterval(timer);
  }, [playing, fps, frames.length]);

  return (
    <section className="animation-stage" aria-label="Animation player">
      {frames.length === 0 && (
        <p className="placeholder">Frames appear here as they are made. Choose a motion and press Animate.</p>
      )}
      {frames.length > 0 && (
        <div className="animation-player">
          <div className="picture-frame">
            <canvas
              ref={player}
              data-testid="animation-player"
              data-frame={shown}
              data-frames={frames.length}
              role="img"
              aria-label={`Frame ${shown + 1} of ${frames.length}`}
              style={fitStyle(frames[0]!.width, frames[0]!.height)}
            />
          </div>
          <div className="row player-row">
            <button type="button" disabled={frames.length < 2} onClick={() => setPlaying(!playing)}>
              {playing ? 'Pause' : 'Play'}
            </button>
            <RangeField
              label="Frame"
              name="frame"
              min={0}
              max={frames.length - 1}
              value={shown}
              format={(v) => `${v + 1} of ${frames.length}`}
              onChange={(v) => {
                setPlaying(false);
                setFrame(v);
              }}
            />
            <label>
              Speed
              <select name="fps" value={fps} onChange={(e) => setFps(Number(e.target.value))}>
                {[6, 12, 24, 30].map((f) => (
                  <option key={f} value={f}>
                    {f} fps
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="row">
            <label>
              Video
              <select name="videoFormat" value={format} onChange={(e) => setFormat(e.target.value as VideoFormat)}>
                <option value="webm">WebM</option>
                <option value="mp4">MP4</option>
              </select>
            </label>
            <label>
              Scale
              <select name="videoScale" value={scale} onChange={(e) => setScale(Number(e.target.value))}>
                {[1, 2, 4, 8].map((k) => (
                  <option key={k} value={k}>
                    ×{k} ({frames[0]!.width * k} px)
                  </option>
                ))}
              </select>
            </label>
            <button type="button" disabled={busy} onClick={() => void exportAnimation(format, fps, scale)}>
              Export video
            </button>
            {s.animationState === 'exporting' && s.exportProgress && (
              <>
                <progress
                  data-testid="export-progress"
                  value={s.exportProgress.done}
                  max={s.exportProgress.total}
                  aria-label="Export progress"
                />
                <button type="button" onClick={cancelExport}>
                  Cancel export
                </button>
              </>
            )}
            {s.videoUrl && s.animationState === 'idle' && (
              <a href={s.videoUrl} download={`kandinsky-${s.seed}.${format}`} data-testid="video-link">
                Download the video again
              </a>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
