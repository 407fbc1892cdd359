import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { BlobReader } from '../../src/adapters/files/blobRead.js';
import { findOwnedBlobs } from '../../src/adapters/files/index.js';
import { createApiToken } from '../../src/auth/apiTokens.js';
import { parseConfig } from '../../src/config/config.js';
import { DEFAULT_CHUNK_SIZE } from '../../src/domain/blobPolicy.js';
import { chunkUploadBodyLimit } from '../../src/domain/chunkUploadLimits.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { buildBundle, generatedFiles, sha1 } from '../support/bundles.js';
import { ApiHarness } from './apiHarness.js';

interface Part {
  field: string;
  /** omitted: a plain form field instead of a file */
  filename?: string;
  data: Buffer | string;
}

/** A multipart body as a real client sends it (Node's FormData), and its content type with the boundary. */
async function multipart(parts: Part[]): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const part of parts) {
    if (part.filename === undefined) form.append(part.field, String(part.data));
    else form.append(part.field, new Blob([Buffer.from(part.data)], { type: 'application/octet-stream' }), part.filename);
  }
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await request.arrayBuffer()), headers: { 'content-type': request.headers.get('content-type')! } };
}

const raw = (data: Buffer, filename = sha1(data)): Part => ({ field: 'file', filename, data });
const gzipped = (data: Buffer, filename = sha1(data)): Part => ({ field: 'file_gzip', filename, data: gzipSync(data) });

const MiB = 1024 * 1024;

describe('chunk upload endpoints', () => {
  let harness: ApiHarness;
  /** chunksPerRequest 3, maxRequestBytes 3000: the per-request limits at test scale */
  let tight: ApiHarness;

  beforeAll(async () => {
    harness = await ApiHarness.create();
    tight = await ApiHarness.create({ worker: false, uploads: { chunksPerRequest: 3, maxRequestBytes: 3000, concurrency: 2, accept: ['release_files'] } });
  });

  afterAll(async () => {
    await harness?.close();
    await tight?.close();
  });

  const url = (h: ApiHarness, org = h.organization.slug) => `/api/0/organizations/${org}/chunk-upload/`;

  async function post(h: ApiHarness, parts: Part[], headers: Record<string, string> = {}) {
    const body = await multipart(parts);
    return h.inject({ method: 'POST', url: url(h), payload: body.payload, headers: { ...body.headers, ...headers } });
  }

  async function blobCount(h: ApiHarness, checksums: string[]): Promise<number> {
    const rows = await h.db.selectFrom('file_blob').select('id').where('checksum', 'in', checksums).execute();
    return rows.length;
  }

  async function owned(h: ApiHarness, checksums: string[], organizationId = h.organization.id): Promise<string[]> {
    return [...(await findOwnedBlobs(h.db, organizationId, checksums)).keys()].sort();
  }

  describe('GET chunk-upload/', () => {
    it('answers every key sentry-cli needs, with an absolute url on the request origin and an 8 MiB power-of-two chunk size', async () => {
      const response = await harness.inject({ method: 'GET', url: url(harness), headers: { host: 'sentry.internal:9000' } });
      expect(response.statusCode).toBe(200);
      const defaults = parseConfig({}).uploads;
      expect(response.json()).toEqual({
        url: 'http://sentry.internal:9000/api/0/organizations/acme/chunk-upload/',
        chunkSize: DEFAULT_CHUNK_SIZE,
        chunksPerRequest: defaults.chunksPerRequest,
        maxFileSize: harness.deps.maxFileSize,
        maxRequestSize: defaults.maxRequestBytes,
        concurrency: defaults.concurrency,
        hashAlgorithm: 'sha1',
        compression: ['gzip'],
        accept: ['release_files', 'artifact_bundles', 'artifact_bundles_v2'],
      });
      const { chunkSize } = response.json() as { chunkSize: number };
      expect(chunkSize).toBe(8 * MiB);
      expect(chunkSize & (chunkSize - 1)).toBe(0);
    });

    it('advertises the configured upload settings', async () => {
      const response = await tight.inject({ method: 'GET', url: url(tight) });
      expect(response.json()).toMatchObject({ chunksPerRequest: 3, maxRequestSize: 3000, concurrency: 2, accept: ['release_files'] });
    });

    it('names the organisation by slug even when it is addressed by id', async () => {
      const response = await harness.inject({ method: 'GET', url: url(harness, harness.organization.id), headers: { host: 'a.test' } });
      expect(response.statusCode).toBe(200);
      expect((response.json() as { url: string }).url).toBe('http://a.test/api/0/organizations/acme/chunk-upload/');
    });

    it('ignores X-Forwarded-* unless TRUST_PROXY believes the proxy', async () => {
      const forwarded = { host: 'internal:8000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' };
      const response = await harness.inject({ method: 'GET', url: url(harness), headers: forwarded });
      expect((response.json() as { url: string }).url).toBe('http://internal:8000/api/0/organizations/acme/chunk-upload/');
      const proxied = await ApiHarness.create({ worker: false, trustProxy: true });
      try {
        const behind = await proxied.inject({ method: 'GET', url: url(proxied), headers: { ...forwarded, 'x-forwarded-host': 'sentry.example.com' } });
        expect((behind.json() as { url: string }).url).toBe('https://sentry.example.com/api/0/organizations/acme/chunk-upload/');
      } finally {
        await proxied.close();
      }
    });

    it('builds on PUBLIC_URL when it is set, whatever the request says', async () => {
      const fixed = await ApiHarness.create({ worker: false, publicUrl: 'https://artifacts.example.com/sentry' });
      try {
        const response = await fixed.inject({ method: 'GET', url: url(fixed), headers: { host: 'internal:8000' } });
        expect((response.json() as { url: string }).url).toBe('https://artifacts.example.com/sentry/api/0/organizations/acme/chunk-upload/');
      } finally {
        await fixed.close();
      }
    });

    it('needs a token', async () => {
      const response = await harness.app.inject({ method: 'GET', url: url(harness) });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('POST chunk-upload/', () => {
    it('stores gzip and raw parts as blobs owned by the organisation, with an empty 200', async () => {
      const a = randomBytes(5000);
      const b = Buffer.from('console.log("a small printable chunk");\n');
      const response = await post(harness, [gzipped(a), raw(b)]);
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('');
      expect(await owned(harness, [sha1(a), sha1(b)])).toEqual([sha1(a), sha1(b)].sort());
      const sizes = await harness.db.selectFrom('file_blob').select(['checksum', 'size']).where('checksum', 'in', [sha1(a), sha1(b)]).execute();
      expect(Object.fromEntries(sizes.map((r) => [r.checksum, Number(r.size)]))).toEqual({ [sha1(a)]: 5000, [sha1(b)]: b.length });
    });

    it('accepts the same digest several times in one request and stores it once', async () => {
      const chunk = randomBytes(3000);
      const response = await post(harness, [raw(chunk), gzipped(chunk), raw(chunk)]);
      expect(response.statusCode).toBe(200);
      expect(await blobCount(harness, [sha1(chunk)])).toBe(1);
      expect(await owned(harness, [sha1(chunk)])).toEqual([sha1(chunk)]);
    });

    it('stores each chunk with its own bytes as parts follow each other through reused receive buffers', async () => {
      // large random chunks (stored at zstd's fast level), a compressible one, an inline one, and a refused part
      // whose buffer must not come back: every blob must read back as exactly what was sent
      const chunks = [randomBytes(MiB), Buffer.from('export const x = 1;\n'.repeat(60_000)), Buffer.from('tiny inline chunk'), randomBytes(300_000)];
      expect((await post(harness, [raw(chunks[0]!), gzipped(chunks[1]!)])).statusCode).toBe(200);
      expect((await post(harness, [raw(randomBytes(MiB), sha1(chunks[3]!))])).statusCode).toBe(400);
      expect((await post(harness, [raw(chunks[2]!), raw(chunks[3]!)])).statusCode).toBe(200);
      const reader = new BlobReader({ db: harness.db, blobs: harness.assembly.blobs });
      for (const chunk of chunks) {
        const row = await harness.db.selectFrom('file_blob').select('id').where('checksum', '=', sha1(chunk)).executeTakeFirstOrThrow();
        expect(sha1(Buffer.from(await reader.read(row.id)))).toBe(sha1(chunk));
      }
    });

    it('answers 200 to zero parts and to an empty body', async () => {
      expect((await post(harness, [])).statusCode).toBe(200);
      expect((await harness.inject({ method: 'POST', url: url(harness) })).statusCode).toBe(200);
    });

    it('takes an upload whose chunks then assemble into a release over HTTP', async () => {
      const release = await harness.assembly.createRelease('2.0.0');
      const files = generatedFiles(3, 'e2e', 400);
      const bundle = await buildBundle({ release: '2.0.0', files });
      const cut = Math.floor(bundle.length / 2);
      const pieces = [bundle.subarray(0, cut), bundle.subarray(cut)];
      expect((await post(harness, [gzipped(pieces[0]!), raw(pieces[1]!)])).statusCode).toBe(200);

      const body = { checksum: sha1(bundle), chunks: pieces.map((p) => sha1(p)) };
      const assembleUrl = `/api/0/organizations/acme/releases/2.0.0/assemble/`;
      let answer = (await harness.inject({ method: 'POST', url: assembleUrl, payload: body })).json() as { state: string; missingChunks: string[] };
      expect(answer).toMatchObject({ state: 'created', missingChunks: [] });
      for (let polls = 0; answer.state !== 'ok' && answer.state !== 'error' && polls < 300; polls += 1) {
        await sleep(50);
        answer = (await harness.inject({ method: 'POST', url: assembleUrl, payload: body })).json() as typeof answer;
      }
      expect(answer).toEqual({ state: 'ok', missingChunks: [], detail: null });
      const names = (await harness.assembly.artifacts(release.id)).map((a) => a.name);
      expect(names).toEqual(files.map((f) => f.url!).sort());
    });

    it('refuses a chunk whose sha1 is not its filename and stores nothing for it', async () => {
      const chunk = randomBytes(2000);
      const claimed = sha1(randomBytes(8));
      const response = await post(harness, [raw(chunk, claimed)]);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Checksum mismatch' });
      expect(await blobCount(harness, [sha1(chunk), claimed])).toBe(0);
    });

    it('checks the checksum of the decoded bytes of a gzip part', async () => {
      const chunk = randomBytes(2000);
      const wrong = { field: 'file_gzip', filename: sha1(gzipSync(chunk)), data: gzipSync(chunk) };
      const response = await post(harness, [wrong]);
      expect(response.json()).toEqual({ error: 'Checksum mismatch' });
      expect(await blobCount(harness, [sha1(chunk)])).toBe(0);
    });

    it('keeps chunks stored before a refused part (uploads are not atomic, as in Sentry)', async () => {
      const good = randomBytes(1000);
      const bad = randomBytes(1000);
      const response = await post(harness, [raw(good), raw(bad, sha1(good).replace(/^./, (c) => (c === '0' ? '1' : '0')))]);
      expect(response.json()).toEqual({ error: 'Checksum mismatch' });
      expect(await owned(harness, [sha1(good)])).toEqual([sha1(good)]);
      expect(await blobCount(harness, [sha1(bad)])).toBe(0);
    });

    it.each([
      ['upper-case hex', (s: string) => s.toUpperCase()],
      ['too short', (s: string) => s.slice(1)],
      ['a path', (s: string) => `chunks/${s}x`],
    ])('refuses a filename that is not a lower-case sha1 (%s)', async (_name, mangle) => {
      const chunk = randomBytes(100);
      const response = await post(harness, [raw(chunk, mangle(sha1(chunk)))]);
      expect(response.statusCode).toBe(400);
      expect((response.json() as { error: string }).error).toMatch(/^Invalid chunk filename/);
      expect(await blobCount(harness, [sha1(chunk)])).toBe(0);
    });

    it('accepts a raw chunk of exactly the chunk size and refuses one byte more', async () => {
      const exact = randomBytes(DEFAULT_CHUNK_SIZE);
      expect((await post(harness, [raw(exact)])).statusCode).toBe(200);
      expect(await owned(harness, [sha1(exact)])).toEqual([sha1(exact)]);

      const over = randomBytes(DEFAULT_CHUNK_SIZE + 1);
      const response = await post(harness, [raw(over)]);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Chunk size too large' });
      expect(await blobCount(harness, [sha1(over)])).toBe(0);
    });

    it('takes a gzip part of incompressible data, which gzip makes larger than the chunk size', async () => {
      const chunk = randomBytes(DEFAULT_CHUNK_SIZE);
      const part = gzipped(chunk);
      expect(part.data.length).toBeGreaterThan(DEFAULT_CHUNK_SIZE);
      expect((await post(harness, [part])).statusCode).toBe(200);
      expect(await owned(harness, [sha1(chunk)])).toEqual([sha1(chunk)]);
    });

    it('accepts a gzip part that inflates to exactly the chunk size and refuses one that inflates to one byte more', async () => {
      const exact = Buffer.alloc(DEFAULT_CHUNK_SIZE, 7);
      expect((await post(harness, [gzipped(exact)])).statusCode).toBe(200);
      expect(await owned(harness, [sha1(exact)])).toEqual([sha1(exact)]);

      const over = Buffer.alloc(DEFAULT_CHUNK_SIZE + 1, 7);
      const response = await post(harness, [gzipped(over)]);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Chunk size too large' });
      expect(await blobCount(harness, [sha1(over)])).toBe(0);
    });

    it('stops a gzip bomb at the chunk size without inflating it', async () => {
      const bomb = gzipSync(Buffer.alloc(256 * MiB), { level: 9 });
      expect(bomb.length).toBeLessThan(MiB);
      const response = await post(harness, [{ field: 'file_gzip', filename: sha1('whatever'), data: bomb }]);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Chunk size too large' });
    });

    it('refuses a part that is not gzip, or cut short, with a clear message', async () => {
      const chunk = randomBytes(500);
      const notGzip = await post(harness, [{ field: 'file_gzip', filename: sha1(chunk), data: chunk }]);
      expect(notGzip.statusCode).toBe(400);
      expect((notGzip.json() as { error: string }).error).toMatch(/^Invalid gzip payload/);
      const truncated = await post(harness, [{ field: 'file_gzip', filename: sha1(chunk), data: gzipSync(chunk).subarray(0, 100) }]);
      expect(truncated.statusCode).toBe(400);
      expect((truncated.json() as { error: string }).error).toMatch(/^Invalid gzip payload/);
      expect(await blobCount(harness, [sha1(chunk)])).toBe(0);
    });

    it('refuses a gzip part whose trailer states another inflated size, small or huge', async () => {
      const chunk = randomBytes(300 * 1024);
      for (const stated of [10, 0xffffffff]) {
        const data = Buffer.from(gzipSync(chunk));
        data.writeUInt32LE(stated, data.length - 4);
        const response = await post(harness, [{ field: 'file_gzip', filename: sha1(chunk), data }]);
        expect(response.statusCode).toBe(400);
        expect((response.json() as { error: string }).error).toMatch(/^Invalid gzip payload/);
      }
      expect(await blobCount(harness, [sha1(chunk)])).toBe(0);
    });

    it('refuses unknown fields, file or not, naming them', async () => {
      const chunk = randomBytes(100);
      const unknownFile = await post(harness, [{ field: 'file_zstd', filename: sha1(chunk), data: chunk }]);
      expect(unknownFile.statusCode).toBe(400);
      expect((unknownFile.json() as { error: string }).error).toContain('"file_zstd"');
      const plainField = await post(harness, [{ field: 'note', data: 'hello' }]);
      expect(plainField.statusCode).toBe(400);
      expect((plainField.json() as { error: string }).error).toContain('"note"');
      const chunkWithoutFilename = await post(harness, [{ field: 'file', data: 'hello' }]);
      expect(chunkWithoutFilename.statusCode).toBe(400);
      expect((chunkWithoutFilename.json() as { error: string }).error).toMatch(/no filename/);
      expect(await blobCount(harness, [sha1(chunk), sha1('hello')])).toBe(0);
    });

    it('decodes file parts with the request Content-Encoding, and refuses others or a mix with file_gzip', async () => {
      const chunk = randomBytes(700);
      const encoded = await post(harness, [{ field: 'file', filename: sha1(chunk), data: gzipSync(chunk) }], { 'content-encoding': 'gzip' });
      expect(encoded.statusCode).toBe(200);
      expect(await owned(harness, [sha1(chunk)])).toEqual([sha1(chunk)]);

      const other = randomBytes(700);
      const zstd = await post(harness, [raw(other)], { 'content-encoding': 'zstd' });
      expect(zstd.json()).toEqual({ error: 'Unsupported Content-Encoding' });
      const mixed = await post(harness, [gzipped(other)], { 'content-encoding': 'gzip' });
      expect(mixed.json()).toEqual({ error: 'Cannot combine Content-Encoding with file_gzip field' });
      expect(await blobCount(harness, [sha1(other)])).toBe(0);
    });

    it('refuses a body that is not multipart, and a broken multipart body', async () => {
      const json = await harness.inject({ method: 'POST', url: url(harness), payload: { file: 'x' } });
      expect(json.statusCode).toBe(415);
      const broken = await harness.inject({
        method: 'POST',
        url: url(harness),
        payload: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="' + 'a'.repeat(40) + '"\r\n\r\nabc',
        headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      });
      expect(broken.statusCode).toBe(400);
      expect((broken.json() as { error: string }).error).toMatch(/^Malformed multipart body/);
      const noBoundary = await harness.inject({ method: 'POST', url: url(harness), payload: 'abc', headers: { 'content-type': 'multipart/form-data' } });
      expect(noBoundary.statusCode).toBe(400);
    });

    it('counts stored chunks and their bytes in /metrics', async () => {
      const before = await storedMetrics(harness);
      const chunks = [randomBytes(1234), randomBytes(4321)];
      expect((await post(harness, chunks.map((c) => gzipped(c)))).statusCode).toBe(200);
      const after = await storedMetrics(harness);
      expect(after.chunks - before.chunks).toBe(2);
      expect(after.bytes - before.bytes).toBe(1234 + 4321);
    });

    it('answers 404 to another organisation’s token and stores nothing', async () => {
      const other = await createOrganization(harness.assembly.orgDeps(), { name: 'Other', slug: 'other' });
      const { token } = await createApiToken(harness.db, { organizationSlug: other.slug });
      const chunk = randomBytes(300);
      const body = await multipart([raw(chunk)]);
      const foreign = { authorization: `Bearer ${token}` };
      expect((await harness.inject({ method: 'GET', url: url(harness), headers: foreign })).statusCode).toBe(404);
      const response = await harness.inject({ method: 'POST', url: url(harness), payload: body.payload, headers: { ...body.headers, ...foreign } });
      expect(response.statusCode).toBe(404);
      expect(await blobCount(harness, [sha1(chunk)])).toBe(0);

      // the same chunk posted by the other organisation to its own URL is owned by it alone
      const own = await harness.inject({ method: 'POST', url: url(harness, 'other'), payload: body.payload, headers: { ...body.headers, ...foreign } });
      expect(own.statusCode).toBe(200);
      expect(await owned(harness, [sha1(chunk)], other.id)).toEqual([sha1(chunk)]);
      expect(await owned(harness, [sha1(chunk)])).toEqual([]);
    });
  });

  describe('per-request limits', () => {
    it('takes chunksPerRequest parts and refuses one more with "Too many chunks"', async () => {
      const three = [randomBytes(10), randomBytes(10), randomBytes(10)];
      expect((await post(tight, three.map((c) => raw(c)))).statusCode).toBe(200);
      expect(await owned(tight, three.map((c) => sha1(c)))).toHaveLength(3);

      const four = [randomBytes(10), randomBytes(10), randomBytes(10), randomBytes(10)];
      const response = await post(tight, four.map((c) => raw(c)));
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Too many chunks' });
      expect(await blobCount(tight, [sha1(four[3]!)])).toBe(0);
    });

    it('counts repeated digests as parts', async () => {
      const chunk = randomBytes(10);
      const response = await post(tight, [raw(chunk), raw(chunk), raw(chunk), raw(chunk)]);
      expect(response.json()).toEqual({ error: 'Too many chunks' });
    });

    it('takes exactly maxRequestSize decoded bytes and refuses one more with "Request too large"', async () => {
      const fits = [randomBytes(1000), randomBytes(1000), randomBytes(1000)];
      expect((await post(tight, fits.map((c) => gzipped(c)))).statusCode).toBe(200);

      const over = [randomBytes(1000), randomBytes(1000), randomBytes(1001)];
      const response = await post(tight, over.map((c) => gzipped(c)));
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Request too large' });
      expect(await blobCount(tight, [sha1(over[2]!)])).toBe(0);
    });

    it('counts decoded, not wire, sizes: small gzip parts of large chunks are too large', async () => {
      const zeros = [Buffer.alloc(1600, 1), Buffer.alloc(1600, 2)];
      const response = await post(tight, zeros.map((c) => gzipped(c)));
      expect(response.json()).toEqual({ error: 'Request too large' });
    });

    it('refuses a declared body over the route limit before reading it', async () => {
      const limit = chunkUploadBodyLimit({ chunkSize: DEFAULT_CHUNK_SIZE, chunksPerRequest: 3, maxRequestBytes: 3000 });
      const chunk = randomBytes(limit);
      const response = await post(tight, [raw(chunk)]);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Request too large' });
      expect(await blobCount(tight, [sha1(chunk)])).toBe(0);
    });

    it('answers an early refusal over a real connection while the client is still sending', async () => {
      const base = await harness.listen();
      const bad = randomBytes(20);
      const big = [randomBytes(DEFAULT_CHUNK_SIZE), randomBytes(DEFAULT_CHUNK_SIZE), randomBytes(DEFAULT_CHUNK_SIZE)];
      const body = await multipart([raw(bad, sha1('not these bytes')), ...big.map((c) => raw(c))]);
      const response = await fetch(base + url(harness), {
        method: 'POST',
        body: new Uint8Array(body.payload),
        headers: { ...body.headers, authorization: `Bearer ${harness.token}` },
        signal: AbortSignal.timeout(20_000),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'Checksum mismatch' });
      expect(await blobCount(harness, big.map((c) => sha1(c)))).toBe(0);
      // the server is still answering afterwards
      const options = await fetch(base + url(harness), { headers: { authorization: `Bearer ${harness.token}` }, signal: AbortSignal.timeout(20_000) });
      expect(options.status).toBe(200);
    });
  });
});

async function storedMetrics(h: ApiHarness): Promise<{ chunks: number; bytes: number }> {
  const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { chunks: value('chunk_upload_chunks_total'), bytes: value('chunk_upload_bytes_total') };
}
