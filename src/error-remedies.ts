// What the user can do about an error, in the page's own terms (its buttons and address options),
// which the engine's messages leave out; and the error's particulars, shown one click away.
import type { AppError } from './app-error';

export function remedyFor(error: AppError): string | null {
  switch (error.name) {
    case 'PackDownloadError':
      return 'Press Resume, or reload the page, to continue the download.';
    case 'DownloadCancelledError':
      return 'Press Resume to continue.';
    case 'GpuDeviceLostError':
      return 'If it happens again, close other GPU-heavy tabs, or add ?ep=wasm to the address to use the CPU.';
    case 'EngineCrashedError':
      return 'Reload the page to start it again.';
    case 'UnexpectedError':
      return 'Try again; if it keeps happening, reload the page.';
    default:
      return null;
  }
}

/** The error's fields beyond its name and message, as label and text lines; empty when it has none. */
export function errorDetails(error: AppError): [string, string][] {
  const lines: [string, string][] = [['error', error.name]];
  for (const [key, value] of Object.entries(error)) {
    if (key === 'name' || key === 'message' || value === undefined) continue;
    // Field names as words: originalName → "original name".
    const label = key.replace(/([A-Z])/g, ' $1').toLowerCase();
    lines.push([label, Array.isArray(value) ? value.join('\n') : String(value)]);
  }
  return lines.length > 1 ? lines : [];
}
