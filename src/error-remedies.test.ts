import { describe, expect, it } from 'vitest';
import { EngineFailure } from '../shared/error-transfer';
import {
  BackendUnavailableError,
  DownloadCancelledError,
  engineErrorData,
  GpuDeviceLostError,
  GraphLoadError,
  PackDownloadError,
  PackTooLargeError,
} from '../shared/errors';
import { appError } from './app-error';
import { errorDetails, remedyFor } from './error-remedies';
import { ImageLoadError } from './canvas/load-image';

describe('errors as the page shows them', () => {
  it("the engine's messages name no page controls; the page adds those remedies", () => {
    const errors = [
      new PackDownloadError('unet.onnx', 1e6, 2e6, 'network error'),
      new DownloadCancelledError(1e6, 2e6),
      new GpuDeviceLostError('destroyed'),
      new BackendUnavailableError(['no WebAssembly']),
      new GraphLoadError('unet.onnx', 'CPU (wasm)', 'bad graph'),
    ];
    for (const e of errors) expect(e.message).not.toMatch(/[Pp]ress |[Cc]lick|button|Resume|\?ep=/);
    expect(remedyFor(engineErrorData(errors[0]))).toMatch(/Press Resume/);
    expect(remedyFor(engineErrorData(errors[2]))).toMatch(/\?ep=wasm/);
  });

  it('shows the particulars one click away: each field, lists one item a line', () => {
    const error = appError(
      new EngineFailure(engineErrorData(new PackTooLargeError('Big', ['9 GB U-Net', '3 GB buffer']))),
    );
    expect(error.name).toBe('PackTooLargeError');
    expect(errorDetails(error)).toEqual([
      ['error', 'PackTooLargeError'],
      ['pack', 'Big'],
      ['problems', '9 GB U-Net\n3 GB buffer'],
    ]);
  });

  it("keeps the page's own errors by name, and anything else as unexpected with its stack", () => {
    expect(appError(new ImageLoadError('not an image'))).toEqual({ name: 'ImageLoadError', message: 'not an image' });
    const unexpected = appError(new RangeError('bad length'));
    expect(unexpected).toMatchObject({ name: 'UnexpectedError', message: 'bad length', originalName: 'RangeError' });
    expect(errorDetails(unexpected).map(([label]) => label)).toEqual(['error', 'original name', 'detail']);
  });
});
