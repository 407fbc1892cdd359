import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * A pass-through proxy in front of the server that damages chunk uploads on the way: in every `file_gzip` part of a
 * POST to chunk-upload/ it flips one byte of the decoded chunk and re-gzips it, keeping the part's filename (the
 * SHA-1 the client computed). This is the one failure a real client cannot be made to produce by itself.
 */
export async function startCorruptingProxy(targetBaseUrl: string): Promise<{ url: string; corrupted: () => number; close(): Promise<void> }> {
  const target = new URL(targetBaseUrl);
  let corrupted = 0;
  const server: Server = createServer(async (req, res) => {
    let body = await readAll(req);
    if (req.method === 'POST' && req.url?.includes('/chunk-upload/')) {
      const damaged = corruptGzipParts(body, req.headers['content-type'] ?? '');
      corrupted += damaged.count;
      body = damaged.body;
    }
    // the client's Host goes through (nginx's `proxy_set_header Host $host`), so the absolute chunk-upload url the
    // server answers names this proxy, and the chunks come back through it
    const headers = { ...req.headers, 'content-length': String(body.length) };
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    corrupted: () => corrupted,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const piece of req) parts.push(piece as Buffer);
  return Buffer.concat(parts);
}

function corruptGzipParts(body: Buffer, contentType: string): { body: Buffer; count: number } {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!boundary) return { body, count: 0 };
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const pieces: Buffer[] = [];
  let count = 0;
  let cursor = 0;
  for (;;) {
    const headerStart = body.indexOf('name="file_gzip"', cursor);
    if (headerStart < 0) break;
    const contentStart = body.indexOf('\r\n\r\n', headerStart) + 4;
    const contentEnd = body.indexOf(delimiter, contentStart);
    const chunk = gunzipSync(body.subarray(contentStart, contentEnd));
    const middle = Math.floor(chunk.length / 2);
    chunk.writeUInt8((chunk.readUInt8(middle) ^ 0xff) & 0xff, middle);
    pieces.push(body.subarray(cursor, contentStart), gzipSync(chunk));
    cursor = contentEnd;
    count += 1;
  }
  pieces.push(body.subarray(cursor));
  return { body: Buffer.concat(pieces), count };
}
