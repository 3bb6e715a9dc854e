// Frames → a video file in the browser: WebCodecs encodes, mediabunny muxes (WebM or MP4). Frames are
// scaled up by a whole factor on a canvas first, since nano's 64-pixel frames are below what most
// hardware encoders accept and too small to watch.
import {
  BufferTarget,
  CanvasSource,
  Mp4OutputFormat,
  Output,
  QUALITY_HIGH,
  WebMOutputFormat,
  getFirstEncodableVideoCodec,
  type VideoCodec,
} from 'mediabunny';
import type { CanvasImage } from '../canvas/canvas-image';

export type VideoFormat = 'webm' | 'mp4';

/** Codecs tried for each container, best-supported first. */
const CODECS: Record<VideoFormat, VideoCodec[]> = {
  webm: ['vp9', 'vp8', 'av1'],
  mp4: ['avc', 'vp9', 'av1', 'hevc'],
};

export class VideoExportError extends Error {
  override name = 'VideoExportError';
}

export class VideoExportCancelledError extends Error {
  override name = 'VideoExportCancelledError';
  constructor() {
    super('The video export was cancelled; nothing was saved.');
  }
}

export interface VideoExportOptions {
  format: VideoFormat;
  fps: number;
  /** Whole-number upscale of every frame (smoothed). */
  scale: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export async function exportVideo(frames: readonly CanvasImage[], options: VideoExportOptions): Promise<Blob> {
  const { format, fps, scale, signal, onProgress } = options;
  if (frames.length === 0) throw new VideoExportError('There are no frames to export: make an animation first.');
  if (typeof VideoEncoder === 'undefined') {
    throw new VideoExportError(
      'This browser has no WebCodecs video encoder, so it cannot write a video. Use a current Chrome, Edge or Firefox.',
    );
  }
  const { width, height } = frames[0]!;
  // Even sides: 4:2:0 encoders (H.264 above all) refuse odd ones.
  const [w, h] = [2 * Math.ceil((width * scale) / 2), 2 * Math.ceil((height * scale) / 2)];
  const codec = await getFirstEncodableVideoCodec(CODECS[format], { width: w, height: h });
  if (!codec) {
    const other: VideoFormat = format === 'webm' ? 'mp4' : 'webm';
    throw new VideoExportError(
      `This browser cannot encode ${format.toUpperCase()} video (${CODECS[format].join(', ')}) at ${w}×${h}. Try ${other.toUpperCase()}.`,
    );
  }
  const canvas = new OffscreenCanvas(w, h);
  const context = canvas.getContext('2d')!;
  context.imageSmoothingQuality = 'high';
  const frameCanvas = new OffscreenCanvas(width, height);
  const frameContext = frameCanvas.getContext('2d')!;
  const target = new BufferTarget();
  const output = new Output({
    format: format === 'webm' ? new WebMOutputFormat() : new Mp4OutputFormat({ fastStart: 'in-memory' }),
    target,
  });
  const source = new CanvasSource(canvas, { codec, quality: QUALITY_HIGH, keyFrameInterval: 1 });
  output.addVideoTrack(source, { frameRate: fps });
  await output.start();
  try {
    for (const [i, frame] of frames.entries()) {
      if (signal?.aborted) throw new VideoExportCancelledError();
      if (frame.width !== width || frame.height !== height) {
        throw new VideoExportError(
          `Frame ${i + 1} is ${frame.width}×${frame.height}, not ${width}×${height} like the first.`,
        );
      }
      frameContext.putImageData(new ImageData(new Uint8ClampedArray(frame.pixels), width, height), 0, 0);
      context.drawImage(frameCanvas, 0, 0, w, h);
      await source.add(i / fps, 1 / fps);
      onProgress?.(i + 1, frames.length);
    }
    if (signal?.aborted) throw new VideoExportCancelledError();
    await output.finalize();
    // A cancel that came while the file was being finished still wins: nothing is saved.
    if (signal?.aborted) throw new VideoExportCancelledError();
  } catch (e) {
    await output.cancel().catch(() => {});
    throw e;
  }
  return new Blob([target.buffer!], { type: format === 'webm' ? 'video/webm' : 'video/mp4' });
}
