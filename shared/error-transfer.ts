// Errors cross the worker boundary as data. Comlink's own handler keeps only name, message and stack,
// which drops fields such as a PackTooLargeError's `problems`; this one sends EngineErrorData whole.
// Both sides install it: the worker to send, the page to receive.
import * as Comlink from 'comlink';
import { engineErrorData, isEngineErrorName, type EngineErrorData } from './errors';

/** An engine call that failed, as the page receives it: `data` is the error the engine threw. */
export class EngineFailure extends Error {
  constructor(readonly data: EngineErrorData) {
    super(data.message);
    this.name = data.name;
  }
}

interface Thrown {
  value: unknown;
}

export function transferErrorsAsData(): void {
  const comlinkThrow = Comlink.transferHandlers.get('throw')!;
  Comlink.transferHandlers.set('throw', {
    canHandle: (value): value is Thrown => comlinkThrow.canHandle(value),
    serialize: ({ value }: Thrown) => [engineErrorData(value), []],
    deserialize: (data: unknown) => {
      const named = data as { name?: unknown };
      throw new EngineFailure(isEngineErrorName(named?.name) ? (data as EngineErrorData) : engineErrorData(data));
    },
  });
}
