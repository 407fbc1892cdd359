import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DEFAULT_CHUNK_SIZE } from '../src/domain/blobPolicy.js';
import { ApiHarness } from '../test/http/apiHarness.js';
import { harnessWorkerEnv, WorkerProcess } from '../test/support/workerProcess.js';
import { timeSync } from './benchHelpers.js';
import type { BenchRowSpec } from './rows.js';

/** Bytes uploaded per run: twelve 8 MiB chunks. Random bytes, as the chunks of a zip are (already deflated). */
const CHUNKS = 12;
/** sentry-cli's multipart framing per part is well under this; it keeps a request within maxRequestSize */
const PART_OVERHEAD = 512;

/**
 * The client: a process of its own (`bench/chunkUploadClient.ts`), as sentry-cli is, started before the clock (starting
 * a process from the bench's large one takes some 30 ms of the server's event loop) and told to send when `send` is
 * called. `send` resolves when every request is answered and fails unless every answer is 200.
 */
function chunkUploadClient(url: string, token: string, requests: Array<{ file: string; type: string }>, lanes: number): { ready: Promise<void>; send(): Promise<void> } {
  const script = fileURLToPath(new URL('./chunkUploadClient.js', import.meta.url));
  const child = spawn(process.execPath, [script, url, token, String(lanes), ...requests.flatMap((r) => [r.file, r.type])], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    if (output.startsWith('ready\n')) markReady();
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  return {
    ready: Promise.race([ready, exited]),
    async send() {
      child.stdin.end('go\n');
      await exited;
      const codes = output.trim().split('\n').slice(1);
      if (codes.length !== requests.length || codes.some((code) => code !== '200')) throw new Error(`chunk upload: HTTP ${codes.join(', ')}`);
    },
  };
}

/**
 * Chunk upload through the real HTTP front on a real port, as sentry-cli sends it: the chunks grouped into requests
 * of at most `chunksPerRequest` chunks and `maxRequestSize` bytes, `concurrency` requests in flight, as `file` or
 * `file_gzip` parts. The server is `assembler api` in a process of its own, as in production (with its start-up V8
 * flags, and no bench data in its heap for the garbage collector to walk), warmed up by one unmeasured upload as a
 * running service is. Its floor is `dd` of the same bytes (uncompressed) to the same disk, `conv=fsync` as the blob
 * store fsyncs every object. Reported in MB/s of chunk bytes. The floor's parts also time `dd oflag=direct` of the
 * same bytes: the disk itself, as the blob store writes to it (see FsBlobStore's direct writes).
 */
export function chunkUploadRows(): Array<BenchRowSpec & { close(): Promise<void> }> {
  let harness: ApiHarness | undefined;
  let api: WorkerProcess | undefined;
  let base = '';
  let last: Buffer[] = [];
  const open = async () => {
    if (!harness) {
      harness = await ApiHarness.create({ worker: false });
      api = WorkerProcess.start(harnessWorkerEnv(harness.assembly, { PORT: '0' }), 'api');
      await api.waitForLog(/listening at http:\/\/[\d.:]+/);
      base = /listening at (http:\/\/[\d.:]+)/.exec(api.logs())![1]!;
      await upload(harness, false);
    }
    return harness;
  };
  const upload = async (h: ApiHarness, gzip: boolean) => {
    const info = (await (await fetch(`${base}/api/0/organizations/${h.organization.slug}/chunk-upload/`, { headers: { authorization: `Bearer ${h.token}` } })).json()) as {
      chunkSize: number;
      chunksPerRequest: number;
      maxRequestSize: number;
      concurrency: number;
    };
    const chunks = Array.from({ length: CHUNKS }, () => randomBytes(info.chunkSize || DEFAULT_CHUNK_SIZE));
    const parts = chunks.map((data) => ({ name: createHash('sha1').update(data).digest('hex'), body: gzip ? gzipSync(data, { level: 1 }) : data }));
    const dir = await mkdtemp(join(tmpdir(), 'bench-chunk-upload-'));
    const requests: Array<{ file: string; type: string }> = [];
    let batch: typeof parts = [];
    let batchBytes = 0;
    const flush = async () => {
      if (!batch.length) return;
      const form = new FormData();
      for (const p of batch) form.append(gzip ? 'file_gzip' : 'file', new Blob([p.body]), p.name);
      const request = new Request('http://x/', { method: 'POST', body: form });
      const file = join(dir, `request-${requests.length}`);
      await writeFile(file, Buffer.from(await request.arrayBuffer()));
      requests.push({ file, type: request.headers.get('content-type')! });
      batch = [];
      batchBytes = 0;
    };
    for (const p of parts) {
      if (batch.length >= info.chunksPerRequest || (batch.length && batchBytes + p.body.length + PART_OVERHEAD > info.maxRequestSize)) await flush();
      batch.push(p);
      batchBytes += p.body.length + PART_OVERHEAD;
    }
    await flush();
    const url = `${base}/api/0/organizations/${h.organization.slug}/chunk-upload/`;
    let seconds: number;
    try {
      const client = chunkUploadClient(url, h.token, requests, Math.max(1, info.concurrency));
      await client.ready;
      const started = performance.now();
      await client.send();
      seconds = (performance.now() - started) / 1000;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    last = chunks;
    return { seconds, bytes: chunks.reduce((n, c) => n + c.length, 0) };
  };
  const ours = (gzip: boolean) => async () => upload(await open(), gzip);
  const floor = async () => {
    const h = await open();
    const source = join(h.assembly.tempDir, 'dd-source');
    const target = join(h.assembly.storageDir, 'dd-target');
    await writeFile(source, Buffer.concat(last));
    // Drop the source from the picture as far as we can: it was just written, so dd reads it from the page cache.
    const seconds = timeSync(() => execFileSync('dd', [`if=${source}`, `of=${target}`, 'bs=8M', 'conv=fsync', 'status=none']));
    await rm(target);
    // Not the floor, shown beside it: the same bytes written as the blob store writes them (O_DIRECT), the disk itself.
    const direct = timeSync(() => execFileSync('dd', [`if=${source}`, `of=${target}`, 'bs=8M', 'oflag=direct', 'conv=fsync', 'status=none']));
    await rm(source);
    await rm(target);
    return { seconds, bytes: last.reduce((n, c) => n + c.length, 0), parts: { dd: seconds, 'dd oflag=direct': direct } };
  };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await api?.stop();
    await harness?.close();
  };
  return [
    { name: 'chunk upload, plain (MB/s; floor: dd)', key: 'chunk_upload', floorKey: 'dd', ratioKey: 'chunk_upload_vs_dd', unit: 'MB/s', ours: ours(false), floor, close },
    { name: 'chunk upload, gzip (MB/s; floor: dd)', key: 'chunk_upload_gzip', floorKey: 'dd_for_gzip', ratioKey: 'chunk_upload_gzip_vs_dd', unit: 'MB/s', ours: ours(true), floor, close },
  ];
}
