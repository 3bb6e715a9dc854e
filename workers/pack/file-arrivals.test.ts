import { describe, expect, it } from 'vitest';
import { FileArrivals } from './file-arrivals';

const blob = (text: string) => new Blob([text]);

describe('FileArrivals', () => {
  it('hands a file to those who asked before it arrived, and after', async () => {
    const arrivals = new FileArrivals();
    const early = arrivals.get('a.onnx');
    const a = blob('a');
    arrivals.arrived('a.onnx', a);
    await expect(early).resolves.toBe(a);
    await expect(arrivals.get('a.onnx')).resolves.toBe(a);
  });

  it('fails every wait, present and future, with the load’s error', async () => {
    const arrivals = new FileArrivals();
    const waiting = arrivals.get('b.onnx');
    const error = new Error('cancelled');
    arrivals.failed(error);
    await expect(waiting).rejects.toBe(error);
    await expect(arrivals.get('c.onnx')).rejects.toBe(error);
  });

  it('keeps what arrived before a failure', async () => {
    const arrivals = new FileArrivals();
    const a = blob('a');
    arrivals.arrived('a.onnx', a);
    arrivals.failed(new Error('network'));
    await expect(arrivals.get('a.onnx')).resolves.toBe(a);
  });

  it('once every file is in, a wait for a file the pack does not have fails instead of hanging', async () => {
    const arrivals = new FileArrivals();
    const waiting = arrivals.get('missing.onnx');
    arrivals.finish();
    await expect(waiting).rejects.toThrow('the pack has no file missing.onnx');
    await expect(arrivals.get('other.onnx')).rejects.toThrow('the pack has no file other.onnx');
  });
});
