// One named error per failure the user can act on; each message says what happened and what to do,
// in words that hold wherever the error is shown (no names of buttons or address options: the UI adds
// those remedies itself, src/error-remedies.ts). Each keeps its particulars as fields, and crosses the
// worker boundary as EngineErrorData (error-transfer.ts), a union the UI switches on by `name`.

export class InvalidParamsError extends Error {
  override readonly name = 'InvalidParamsError';
}

export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  constructor(readonly missing: string[]) {
    super(
      `This browser cannot run the model: ${missing.join('; ')}. ` +
        'Use a current Chrome, Edge or Firefox, or Safari 18+, with WebAssembly enabled.',
    );
  }
}

export class GpuDeviceLostError extends Error {
  override readonly name = 'GpuDeviceLostError';
  constructor(readonly reason: string) {
    super(`The GPU device was lost (${reason}). The model will be reloaded on a fresh device.`);
  }
}

export class PackLoadError extends Error {
  override readonly name = 'PackLoadError';
}

/** ORT could not build or run a graph: names the file, since the bytes matched their SHA-256 and the
 * fault is in the graph itself (damaged export, or an operator this runtime lacks). The message is for
 * users; ORT's own words are the `reason` field, shown under Details. */
export class GraphLoadError extends Error {
  override readonly name = 'GraphLoadError';
  readonly remedyForMakers = 'Re-export the pack with model/run-python -m model.export.';
  constructor(
    readonly file: string,
    readonly backend: string,
    readonly reason: string,
  ) {
    super(
      `A part of this model (${file}) could not be loaded on ${backend}. The pack may be damaged, or made for ` +
        'a newer version of the app: pick another pack, or get a fresh copy of this one.',
    );
  }
}

export class NoPackLoadedError extends Error {
  override readonly name = 'NoPackLoadedError';
  constructor() {
    super('No model is loaded yet: wait for loading to finish, or pick a model pack.');
  }
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** A download that stopped (network drop, server error) after retrying; what arrived is kept. */
export class PackDownloadError extends Error {
  override readonly name = 'PackDownloadError';
  constructor(
    readonly file: string,
    readonly doneBytes: number,
    readonly totalBytes: number,
    readonly reason: string,
  ) {
    super(
      `Downloading ${file} stopped at ${megabytes(doneBytes)} of ${megabytes(totalBytes)} (${reason}). ` +
        'What has arrived is kept on this device, and the download continues from there.',
    );
  }
}

/** The user cancelled a download; verified chunks stay stored, so it resumes later. */
export class DownloadCancelledError extends Error {
  override readonly name = 'DownloadCancelledError';
  constructor(
    readonly storedBytes: number,
    readonly totalBytes: number,
  ) {
    super(
      `Download cancelled: ${megabytes(storedBytes)} of ${megabytes(totalBytes)} are kept on this device. ` +
        'Only the rest will download when it resumes.',
    );
  }
}

/** A pack whose files cannot run within this browser's limits; refused before anything downloads. */
export class PackTooLargeError extends Error {
  override readonly name = 'PackTooLargeError';
  constructor(
    readonly pack: string,
    readonly problems: string[],
  ) {
    super(
      `${pack} is too large for this device:\n  - ${problems.join('\n  - ')}\n` +
        'Pick a smaller weight format or pack (an int8w export is a quarter of fp32), or use a device with more memory.',
    );
  }
}

/** An image or mask whose size does not match the canvas it was sent with. */
export class ImageSizeError extends Error {
  override readonly name = 'ImageSizeError';
  constructor(
    readonly what: string,
    readonly got: string,
    readonly expected: string,
  ) {
    super(
      `The ${what} is ${got} but the canvas is ${expected}. Resize it to the canvas (or start a new canvas from it) ` +
        'and try again.',
    );
  }
}

/** A picture the pack's upscaler does not take: too small, too large, or not a whole number of its steps. */
export class UpscaleSizeError extends Error {
  override readonly name = 'UpscaleSizeError';
  constructor(
    readonly got: string,
    readonly accepted: string,
  ) {
    super(
      `This picture is ${got}, and the upscaler takes pictures ${accepted}. ` +
        'Resize or crop the picture to a size it takes (on the canvas, extend or start a new canvas), then try again.',
    );
  }
}

/** Upscaling was asked of a pack that has no upscaler. */
export class NoUpscalerError extends Error {
  override readonly name = 'NoUpscalerError';
  constructor(readonly pack: string) {
    super(`${pack} has no upscaler, so its pictures stay at the size it makes them. Open a pack with one to upscale.`);
  }
}

/** The user stopped a generation, or a newer request replaced it; nothing partial is returned. */
export class GenerationCancelledError extends Error {
  override readonly name = 'GenerationCancelledError';
  constructor() {
    super('Generation cancelled.');
  }
}

/** A manifest that does not describe a loadable pack. The message is for users; `problems` lists each
 * defect with its path, for the pack's maker, under Details. */
export class InvalidManifestError extends Error {
  override readonly name = 'InvalidManifestError';
  readonly remedyForMakers = 'Re-export the pack with model/run-python -m model.export.';
  constructor(readonly problems: string[]) {
    super(
      `This model pack's description (manifest.json) is not one this app can read, so the pack cannot be ` +
        `loaded (${problems.length} problem${problems.length === 1 ? '' : 's'}). Pick another pack, or ask its maker for a fresh export.`,
    );
  }
}

/** The worker died on its own (a script error, out of memory); the page's side notices. */
export class EngineCrashedError extends Error {
  override readonly name = 'EngineCrashedError';
  constructor(readonly reason: string) {
    super(`The engine stopped: ${reason}.`);
  }
}

/** A cancelled generation did not stop in time (a wedged GPU driver), so the worker was replaced. */
export class EngineRestartedError extends Error {
  override readonly name = 'EngineRestartedError';
  constructor(readonly waitedMs: number) {
    super(
      `The engine did not stop within ${Math.round(waitedMs / 1000)} s of the cancel, so it was restarted ` +
        'and the model is loading again.',
    );
  }
}

/** An error of some other kind (a bug, or a runtime's own error): its message and stack as they came. */
export class UnexpectedError extends Error {
  override readonly name = 'UnexpectedError';
  constructor(
    message: string,
    readonly originalName: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

const ENGINE_ERRORS = {
  InvalidParamsError,
  BackendUnavailableError,
  GpuDeviceLostError,
  PackLoadError,
  GraphLoadError,
  NoPackLoadedError,
  PackDownloadError,
  DownloadCancelledError,
  PackTooLargeError,
  ImageSizeError,
  UpscaleSizeError,
  NoUpscalerError,
  GenerationCancelledError,
  InvalidManifestError,
  EngineCrashedError,
  EngineRestartedError,
  UnexpectedError,
};

type EngineErrorClass = InstanceType<(typeof ENGINE_ERRORS)[keyof typeof ENGINE_ERRORS]>;
type DataOf<E> = E extends Error ? { [K in keyof E as K extends 'stack' | 'cause' ? never : K]: E[K] } : never;

/** Every engine error as plain data: its name, message and fields. The UI switches on `name`. */
export type EngineErrorData = DataOf<EngineErrorClass>;
export type EngineErrorName = EngineErrorData['name'];

export function isEngineErrorName(name: unknown): name is EngineErrorName {
  return typeof name === 'string' && Object.hasOwn(ENGINE_ERRORS, name);
}

/** The data of an engine error; anything else becomes an UnexpectedError with its message and stack. */
export function engineErrorData(e: unknown): EngineErrorData {
  if (e instanceof Error && isEngineErrorName(e.name)) {
    // Own enumerable fields are the error's particulars (name included); stack and cause stay behind.
    const fields = Object.fromEntries(
      Object.entries(e).filter(([key, v]) => key !== 'stack' && key !== 'cause' && typeof v !== 'function'),
    );
    return { ...fields, name: e.name, message: e.message } as EngineErrorData;
  }
  const error = e as { name?: unknown; message?: unknown; stack?: unknown } | null;
  return {
    name: 'UnexpectedError',
    message: typeof error?.message === 'string' ? error.message : String(e),
    originalName: typeof error?.name === 'string' ? error.name : typeof e,
    detail: typeof error?.stack === 'string' ? error.stack : undefined,
  };
}
