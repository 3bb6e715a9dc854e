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

export class NoPackLoadedError extends Error {
  override name = 'NoPackLoadedError';
  constructor() {
    super('No model is loaded yet: wait for loading to finish, or pick a model pack.');
  }
}
