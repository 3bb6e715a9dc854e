// Text chunks in PNG files: written after IHDR (so any reader meets them before the image data), read
// back by keyword. Latin-1 text goes into tEXt, which every reader knows; anything else into an
// uncompressed iTXt (UTF-8), which A1111 and PIL read as well.

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

let crcTable: Uint32Array | null = null;
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of bytes) crc = crcTable[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export class NotPngError extends Error {
  override name = 'NotPngError';
}

function checkSignature(png: Uint8Array): void {
  if (png.length < 8 || SIGNATURE.some((b, i) => png[i] !== b)) throw new NotPngError('This file is not a PNG image.');
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const body = out.subarray(4, 8 + data.length);
  body.set(Array.from(type, (c) => c.charCodeAt(0)));
  body.set(data, 4);
  view.setUint32(8 + data.length, crc32(body));
  return out;
}

const isLatin1 = (text: string) => Array.from(text).every((c) => c.charCodeAt(0) <= 0xff);

function textChunk(keyword: string, text: string): Uint8Array {
  if (isLatin1(text)) {
    return chunk(
      'tEXt',
      Uint8Array.from(`${keyword}\0${text}`, (c) => c.charCodeAt(0)),
    );
  }
  // iTXt: keyword, NUL, compression flag 0, method 0, empty language tag, NUL, empty translated keyword, NUL, UTF-8 text.
  const head = Uint8Array.from(`${keyword}\0\0\0\0\0`, (c) => c.charCodeAt(0));
  const body = new TextEncoder().encode(text);
  const data = new Uint8Array(head.length + body.length);
  data.set(head);
  data.set(body, head.length);
  return chunk('iTXt', data);
}

/** The PNG with a text chunk for `keyword` inserted right after IHDR. */
export function withTextChunk(png: Uint8Array, keyword: string, text: string): Uint8Array {
  checkSignature(png);
  const ihdrEnd = 8 + 12 + new DataView(png.buffer, png.byteOffset).getUint32(8);
  const extra = textChunk(keyword, text);
  const out = new Uint8Array(png.length + extra.length);
  out.set(png.subarray(0, ihdrEnd));
  out.set(extra, ihdrEnd);
  out.set(png.subarray(ihdrEnd), ihdrEnd + extra.length);
  return out;
}

/** Every tEXt and uncompressed iTXt chunk, by keyword. Chunks with a bad CRC are skipped. */
export function readTextChunks(png: Uint8Array): Record<string, string> {
  checkSignature(png);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: Record<string, string> = {};
  for (let offset = 8; offset + 12 <= png.length;) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > png.length) break;
    const data = png.subarray(offset + 8, offset + 8 + length);
    const intact = crc32(png.subarray(offset + 4, offset + 8 + length)) === view.getUint32(offset + 8 + length);
    if (intact && (type === 'tEXt' || type === 'iTXt')) {
      const nul = data.indexOf(0);
      const keyword = String.fromCharCode(...data.subarray(0, nul));
      if (type === 'tEXt') out[keyword] = String.fromCharCode(...data.subarray(nul + 1));
      else if (data[nul + 1] === 0) {
        // Skip the compression method, then the language tag and translated keyword (each NUL-terminated).
        let p = nul + 3;
        p = data.indexOf(0, p) + 1;
        p = data.indexOf(0, p) + 1;
        out[keyword] = new TextDecoder().decode(data.subarray(p));
      }
    }
    if (type === 'IEND') break;
    offset = end;
  }
  return out;
}
