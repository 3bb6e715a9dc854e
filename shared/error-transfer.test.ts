// Errors cross a real comlink channel (a MessageChannel, as between the page and the worker) with
// their name and fields.
import * as Comlink from 'comlink';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineFailure, transferErrorsAsData } from './error-transfer';
import { GenerationCancelledError, PackDownloadError, PackTooLargeError } from './errors';

transferErrorsAsData();
const channel = new MessageChannel();
const thrower = {
  tooLarge: () => Promise.reject(new PackTooLargeError('Kandinsky 3.1', ['the U-Net needs 9 GB', 'a buffer of 3 GB'])),
  download: () => Promise.reject(new PackDownloadError('unet.onnx', 5e6, 8e6, 'network error')),
  cancelled: () => Promise.reject(new GenerationCancelledError()),
  bug: () => Promise.reject(new TypeError('x is undefined')),
};
Comlink.expose(thrower, channel.port1 as unknown as Comlink.Endpoint);
const remote = Comlink.wrap<typeof thrower>(channel.port2 as unknown as Comlink.Endpoint);
afterAll(() => {
  channel.port1.close();
  channel.port2.close();
});

async function failure(call: () => Promise<unknown>): Promise<EngineFailure> {
  try {
    await call();
  } catch (e) {
    return e as EngineFailure;
  }
  throw new Error('the call did not fail');
}

describe('errors across the worker boundary', () => {
  it('keep their name and every field', async () => {
    const e = await failure(() => remote.tooLarge());
    expect(e).toBeInstanceOf(EngineFailure);
    expect(e.name).toBe('PackTooLargeError');
    expect(e.data).toEqual({
      name: 'PackTooLargeError',
      message: expect.stringContaining('Kandinsky 3.1 is too large for this device'),
      pack: 'Kandinsky 3.1',
      problems: ['the U-Net needs 9 GB', 'a buffer of 3 GB'],
    });
    const download = await failure(() => remote.download());
    expect(download.data).toMatchObject({
      name: 'PackDownloadError',
      file: 'unet.onnx',
      doneBytes: 5e6,
      totalBytes: 8e6,
      reason: 'network error',
    });
    expect((await failure(() => remote.cancelled())).data).toEqual({
      name: 'GenerationCancelledError',
      message: 'Generation cancelled.',
    });
  });

  it('arrive as UnexpectedError, with the original name and stack, when they are not the engine’s', async () => {
    const e = await failure(() => remote.bug());
    expect(e.data).toMatchObject({ name: 'UnexpectedError', message: 'x is undefined', originalName: 'TypeError' });
    expect(e.data.name === 'UnexpectedError' && e.data.detail).toContain('TypeError: x is undefined');
  });
});
