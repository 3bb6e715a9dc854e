// Every error the page can show, as data: the engine's (shared/errors.ts, received whole across the
// worker boundary) and the page's own, each by its class's name. The UI switches on `name`.
import { EngineFailure } from '../shared/error-transfer';
import { engineErrorData, type EngineErrorData } from '../shared/errors';

/** The page's own error classes (src/canvas, src/png, src/edges, src/fusion, src/animation). */
const PAGE_ERRORS = [
  'ImageLoadError',
  'NotPngError',
  'NoParametersError',
  'MissingHintError',
  'MissingReferenceError',
  'AnimationCancelledError',
  'VideoExportError',
  'VideoExportCancelledError',
] as const;

export interface PageErrorData {
  name: (typeof PAGE_ERRORS)[number];
  message: string;
}

export type AppError = EngineErrorData | PageErrorData;

function isPageError(e: unknown): e is Error & { name: PageErrorData['name'] } {
  return e instanceof Error && (PAGE_ERRORS as readonly string[]).includes(e.name);
}

/** The data of anything a call threw: an engine failure as the engine sent it, a page error by its
 * name, an engine error raised on this side (EngineRestartedError) with its fields, and anything else
 * as an UnexpectedError with its message and stack. */
export function appError(e: unknown): AppError {
  if (e instanceof EngineFailure) return e.data;
  if (isPageError(e)) return { name: e.name, message: e.message };
  return engineErrorData(e);
}
