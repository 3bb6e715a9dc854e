// One named error per failure the user can act on; each message says what happened and what to do.
// They cross the worker boundary as plain Errors (comlink serialises name and message), so the UI
// switches on `name`.

export class InvalidParamsError extends Error {
  override name = 'InvalidParamsError';
}

export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
  constructor(readonly missing: string[]) {
    super(
      `This browser cannot run the model: ${missing.join('; ')}. ` +
        'Use a current Chrome, Edge or Firefox, or Safari 18+, with WebAssembly enabled.',
    );
  }
}

export class GpuDeviceLostError extends Error {
  override name = 'GpuDeviceLostError';
  constructor(reason: string) {
    super(
      `The GPU device was lost (${reason}). The model will be reloaded on a fresh device; ` +
        'if it happens again, close other GPU-heavy tabs or add ?ep=wasm to the address to use the CPU.',
    );
  }
}

export class PackLoadError extends Error {
  override name = 'PackLoadError';
}

/** ORT could not build or run a graph: names the file, since the bytes matched their SHA-256 and the
 * fault is in the graph itself (damaged export, or an operator this runtime lacks). */
export class GraphLoadError extends Error {
  override name = 'GraphLoadError';
  constructor(file: string, backend: string, reason: string) {
    super(
      `The model graph ${file} could not be loaded on ${backend}: ${reason}. The pack may be damaged or need a newer ` +
        'version of the app: re-export it, or pick another pack.',
    );
  }
}

export class NoPackLoadedError extends Error {
  override name = 'NoPackLoadedError';
  constructor() {
    super('No model is loaded yet: wait for loading to finish, or pick a model pack.');
  }
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** A download that stopped (network drop, server error) after retrying; what arrived is kept. */
export class PackDownloadError extends Error {
  override name = 'PackDownloadError';
  constructor(file: string, doneBytes: number, totalBytes: number, reason: string) {
    super(
      `Downloading ${file} stopped at ${megabytes(doneBytes)} of ${megabytes(totalBytes)} (${reason}). ` +
        'What has arrived is kept on this device: press Resume, or reload, to continue from there.',
    );
  }
}

/** The user cancelled a download; verified chunks stay stored, so it resumes later. */
export class DownloadCancelledError extends Error {
  override name = 'DownloadCancelledError';
  constructor(storedBytes: number, totalBytes: number) {
    super(
      `Download cancelled: ${megabytes(storedBytes)} of ${megabytes(totalBytes)} are kept on this device. ` +
        'Resume any time; only the rest will download.',
    );
  }
}

/** A pack whose files cannot run within this browser's limits; refused before anything downloads. */
export class PackTooLargeError extends Error {
  override name = 'PackTooLargeError';
  constructor(
    pack: string,
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
  override name = 'ImageSizeError';
  constructor(what: string, got: string, expected: string) {
    super(
      `The ${what} is ${got} but the canvas is ${expected}. Resize it to the canvas (or start a new canvas from it) ` +
        'and try again.',
    );
  }
}

/** The user stopped a generation; nothing partial is returned. */
export class GenerationCancelledError extends Error {
  override name = 'GenerationCancelledError';
  constructor() {
    super('Generation cancelled.');
  }
}
