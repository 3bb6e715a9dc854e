// A second origin for the download tests: serves public/models with CORS and byte ranges, like a CDN.
//   /plain/<pack>/<file>   as is
//   /slow/<pack>/<file>    at about 2 MB/s, so progress, cancel and resume can be watched
//   /flaky/<pack>/<file>   cuts the first response of each file after 1.5 MiB (a dropped connection)
//   /heavy/<pack>/<file>   as is, but the manifest's memory plan says its largest size needs 5 GiB to decode
//   /__log                 the requests so far (path, Range header, status, bytes sent), as JSON
//   /__reset               clears the log and the flaky state
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../public/models/', import.meta.url));
const port = Number(process.env.PACK_SERVER_PORT ?? 4174);
const SLOW_BYTES_PER_SECOND = 2_000_000;
const FLAKY_CUT_BYTES = 1.5 * 1024 * 1024;

let log = [];
let cutOnce = new Set();

const cors = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Range',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges',
};

function send(res, status, headers, body) {
  res.writeHead(status, { ...cors, ...headers });
  res.end(body);
}

createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  if (req.method === 'OPTIONS') return send(res, 204, {});
  if (url.pathname === '/__log') return send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify(log));
  if (url.pathname === '/__reset') {
    log = [];
    cutOnce = new Set();
    return send(res, 200, {}, 'ok');
  }
  const [, mode, ...rest] = url.pathname.split('/');
  const relative = normalize(rest.join('/'));
  if (!['plain', 'slow', 'flaky', 'heavy'].includes(mode) || relative.startsWith('..'))
    return send(res, 404, {}, 'not found');
  const path = join(root, relative);
  let size;
  try {
    size = statSync(path).size;
  } catch {
    return send(res, 404, {}, 'not found');
  }
  if (mode === 'heavy' && relative.endsWith('manifest.json')) {
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    const sizes = manifest.memoryPlan.sizes;
    sizes[sizes.length - 1].activationBytes.decode = 5 * 2 ** 30;
    const body = JSON.stringify(manifest);
    log.push({ path: url.pathname, range: null, status: 200, sentBytes: body.length });
    return send(res, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body);
  }
  const entry = { path: url.pathname, range: req.headers.range ?? null, status: 200, sentBytes: 0 };
  log.push(entry);
  let start = 0;
  let end = size - 1;
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    start = Number(range[1]);
    end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start >= size) {
      entry.status = 416;
      return send(res, 416, { 'Content-Range': `bytes */${size}` });
    }
    entry.status = 206;
  }
  const type = path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
  res.writeHead(entry.status, {
    ...cors,
    'Content-Type': type,
    'Content-Length': String(end - start + 1),
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
  });
  const cut = mode === 'flaky' && /\.(onnx|safetensors)$/.test(path) && size > FLAKY_CUT_BYTES && !cutOnce.has(path);
  if (cut) cutOnce.add(path);
  const stream = createReadStream(path, { start, end, highWaterMark: 64 * 1024 });
  res.on('close', () => stream.destroy());
  void (async () => {
    try {
      for await (const piece of stream) {
        if (cut && entry.sentBytes + piece.length > FLAKY_CUT_BYTES) {
          if (!res.write(piece.subarray(0, FLAKY_CUT_BYTES - entry.sentBytes))) await once(res, 'drain');
          entry.sentBytes = FLAKY_CUT_BYTES;
          // The connection closes mid-body (a clean FIN, so the bytes sent do arrive, as they would when a
          // proxy or a Wi-Fi switch ends the connection). The pause lets the page read what was sent
          // first: a FIN right behind the data sometimes made the browser drop its unread buffer, so no
          // whole chunk had arrived and the resume could not be told from a restart (a flaky test).
          await new Promise((r) => setTimeout(r, 500));
          res.socket?.end();
          return;
        }
        entry.sentBytes += piece.length;
        if (!res.write(piece)) await once(res, 'drain');
        if (mode === 'slow') await new Promise((r) => setTimeout(r, (1000 * piece.length) / SLOW_BYTES_PER_SECOND));
      }
      res.end();
    } catch {
      res.destroy(); // the client went away
    }
  })();
}).listen(port, '127.0.0.1', () => console.log(`pack server on http://127.0.0.1:${port}`));
