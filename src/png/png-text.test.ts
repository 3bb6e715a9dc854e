import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { NotPngError, readTextChunks, withTextChunk } from './png-text';

/** A valid 1×1 RGBA PNG, built the long way so the test does not trust the code under test. */
function tinyPng(): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0, 255]))),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

describe('PNG text chunks', () => {
  it('round-trips Latin-1 text as tEXt right after IHDR', () => {
    const png = withTextChunk(tinyPng(), 'parameters', 'red apple\nSteps: 4, Seed: 42');
    expect(String.fromCharCode(...png.subarray(37, 41))).toBe('tEXt');
    expect(readTextChunks(png)).toEqual({ parameters: 'red apple\nSteps: 4, Seed: 42' });
  });

  it('uses iTXt for text beyond Latin-1', () => {
    const png = withTextChunk(tinyPng(), 'parameters', 'яблоко 🍎');
    expect(String.fromCharCode(...png.subarray(37, 41))).toBe('iTXt');
    expect(readTextChunks(png).parameters).toBe('яблоко 🍎');
  });

  it('skips a chunk whose CRC is wrong, and refuses a file that is not a PNG', () => {
    const png = withTextChunk(tinyPng(), 'parameters', 'x');
    png[45] = png[45]! ^ 1; // inside the tEXt data
    expect(readTextChunks(png)).toEqual({});
    expect(() => readTextChunks(new Uint8Array([1, 2, 3]))).toThrow(NotPngError);
  });
});
