import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { withCompressedFrame } from '../src/adapters/compression/zstd.js';
import { freeInflated } from '../src/http/uploads/decodeChunkPart.js';
import { DEFAULT_CHUNK_SIZE } from '../src/domain/blobPolicy.js';
import { ApiHarness } from '../test/http/apiHarness.js';
import { harnessWorkerEnv, WorkerProcess } from '../test/support/workerProcess.js';
import { endedChildrenCpuSeconds, processCpuSince, timeSync } from './benchHelpers.js';
import type { BenchRowSpec } from './rows.js';

/** Bytes uploaded per run: twelve 8 MiB chunks. Random bytes, as the chunks of a zip are (already deflated). */
const CHUNKS = 12;
/** The cores that the API, the client and the kernel share during an upload (two on the development machine). */
const CORES = availableParallelism();
/** sentry-cli's multipart framing per part is well under this; it keeps a request within maxRequestSize */
const PART_OVERHEAD = 512;

/** The part of `GET chunk-upload/`'s answer that decides how a client groups and sends chunks. */
interface ChunkUploadInfo {
  chunkSize: number;
  chunksPerRequest: number;
  maxRequestSize: number;
  concurrency: number;
}

async function uploadOptions(url: string, token: string): Promise<ChunkUploadInfo> {
  return (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as ChunkUploadInfo;
}

/**
 * The request bodies a client sends for these chunks, one file each, as sentry-cli groups them (at most
 * `chunksPerRequest` chunks and `maxRequestSize` bytes per request); `bodies` are the parts' bytes when already made.
 */
async function writeRequests(
  chunks: Buffer[],
  gzip: boolean,
  info: ChunkUploadInfo,
  bodies = chunks.map((data) => (gzip ? gzipSync(data, { level: 1 }) : data)),
): Promise<{ requests: Array<{ file: string; type: string }>; remove(): Promise<void> }> {
  const parts = chunks.map((data, i) => ({ name: createHash('sha1').update(data).digest('hex'), body: bodies[i]! }));
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
  return { requests, remove: () => rm(dir, { recursive: true, force: true }) };
}

const totalBytes = (chunks: Buffer[]) => chunks.reduce((n, c) => n + c.length, 0);

/**
 * CPU seconds this thread spends in `fn` (process.threadCpuUsage: the bench's other threads are not counted). `fn`
 * awaits nothing but its own steps, so no other work of the bench runs on the thread meanwhile.
 */
async function threadCpuSeconds(fn: () => void | Promise<void>): Promise<number> {
  const before = process.threadCpuUsage();
  await fn();
  const used = process.threadCpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/**
 * The client: a process of its own (`bench/chunkUploadClient.ts`), as sentry-cli is, started before the clock (starting
 * a process from the bench's large one takes some 30 ms of the server's event loop) and told to send when `send` is
 * called. `send` resolves with the client's CPU seconds for the upload when every request is answered, and fails
 * unless every answer is 200.
 */
function chunkUploadClient(url: string, token: string, requests: Array<{ file: string; type: string }>, lanes: number): { ready: Promise<void>; send(): Promise<number> } {
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
      const lines = output.trim().split('\n').slice(1);
      const cpu = /^cpu (\S+)$/.exec(lines.at(-1) ?? '');
      const codes = cpu ? lines.slice(0, -1) : lines;
      if (codes.length !== requests.length || codes.some((code) => code !== '200')) throw new Error(`chunk upload: HTTP ${codes.join(', ')}`);
      return Number(cpu?.[1] ?? NaN);
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
 * same bytes: the disk itself, as the blob store writes to it (see FsBlobStore's direct writes). Beside the times, the
 * CPU each side used: the API process's (and its event loop's alone) and the client's during an upload, dd's, and
 * a lower bound on an upload's (`leastWork`). n cores give at most n times the wall time in CPU, so each pair also
 * gets the best ratio that bound allows against its `dd` (docs/performance.md, "Chunk upload").
 */
export function chunkUploadRows(): Array<BenchRowSpec & { close(): Promise<void> }> {
  let harness: ApiHarness | undefined;
  let api: WorkerProcess | undefined;
  let base = '';
  let last: { chunks: Buffer[]; info: ChunkUploadInfo; token: string } | undefined;
  let sink: { child: ChildProcess; port: number } | undefined;
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
    const url = `${base}/api/0/organizations/${h.organization.slug}/chunk-upload/`;
    const info = await uploadOptions(url, h.token);
    const chunks = Array.from({ length: CHUNKS }, () => randomBytes(info.chunkSize || DEFAULT_CHUNK_SIZE));
    const prepared = await writeRequests(chunks, gzip, info);
    let seconds: number;
    let cpu: Record<string, number>;
    try {
      const client = chunkUploadClient(url, h.token, prepared.requests, Math.max(1, info.concurrency));
      await client.ready;
      const apiCpu = processCpuSince(api?.child.pid);
      const started = performance.now();
      const clientCpu = await client.send();
      seconds = (performance.now() - started) / 1000;
      const { all, eventLoop } = apiCpu();
      cpu = { 'API CPU': all, 'API main thread CPU': eventLoop, 'client CPU': clientCpu };
    } finally {
      await prepared.remove();
    }
    last = { chunks, info, token: h.token };
    return { seconds, bytes: totalBytes(chunks), parts: cpu };
  };
  const ours = (gzip: boolean) => async () => upload(await open(), gzip);
  const floor = (gzip: boolean) => async () => {
    const h = await open();
    const uploaded = last!;
    const { chunks } = uploaded;
    const source = join(h.assembly.tempDir, 'dd-source');
    const target = join(h.assembly.storageDir, 'dd-target');
    await writeFile(source, Buffer.concat(chunks));
    // Drop the source from the picture as far as we can: it was just written, so dd reads it from the page cache.
    const cpuBefore = endedChildrenCpuSeconds();
    const seconds = timeSync(() => execFileSync('dd', [`if=${source}`, `of=${target}`, 'bs=8M', 'conv=fsync', 'status=none']));
    const cpu = endedChildrenCpuSeconds() - cpuBefore;
    await rm(target);
    // Not the floor, shown beside it: the same bytes written as the blob store writes them (O_DIRECT), the disk itself.
    const direct = timeSync(() => execFileSync('dd', [`if=${source}`, `of=${target}`, 'bs=8M', 'oflag=direct', 'conv=fsync', 'status=none']));
    await rm(source);
    await rm(target);
    const least = await leastWork(uploaded, gzip);
    return {
      seconds,
      bytes: totalBytes(chunks),
      parts: { dd: seconds, 'dd CPU': cpu, 'dd oflag=direct': direct, ...least },
      // an upload takes no less than its least CPU spread over every core, so against this dd its ratio is at most this
      ratios: { [`best ratio ${CORES} cores allow`]: (seconds * CORES) / (least['least CPU'] ?? NaN) },
    };
  };
  /**
   * Not the floor either: a lower bound on the CPU of an upload of the same chunks in this design, each step timed
   * alone on the same bytes: Node's HTTP carrying them (a bare server that drops them, `chunkUploadSink.ts`, all its
   * threads, and its event loop apart; and the same client), their SHA-1 (the checksum every chunk is named by and
   * checked against), the zstd frame the blob store keeps (DESIGN.md stores blobs compressed), and for gzip parts the
   * inflate (with its CRC-32). It leaves out the multipart parsing, the copies and the disk writes. Spread over every
   * core, it is the shortest an upload could take if nothing else cost anything.
   */
  const leastWork = async ({ chunks, info, token }: NonNullable<typeof last>, gzip: boolean): Promise<Record<string, number>> => {
    const bodies = chunks.map((data) => (gzip ? gzipSync(data, { level: 1 }) : data));
    const prepared = await writeRequests(chunks, gzip, info, bodies);
    let server: { all: number; eventLoop: number };
    let client: number;
    try {
      const sinkProcess = await openSink();
      const sender = chunkUploadClient(`http://127.0.0.1:${sinkProcess.port}/`, token, prepared.requests, Math.max(1, info.concurrency));
      await sender.ready;
      const sinkCpu = processCpuSince(sinkProcess.child.pid);
      client = await sender.send();
      server = sinkCpu();
    } finally {
      await prepared.remove();
    }
    const sha1 = await threadCpuSeconds(() => chunks.forEach((data) => createHash('sha1').update(data).digest()));
    const zstd = await threadCpuSeconds(async () => {
      for (const data of chunks) await withCompressedFrame(data, async () => undefined);
    });
    // each inflated chunk freed before the next, as the chunk thread does, so that the allocator reuses its memory
    const gunzip = gzip ? await threadCpuSeconds(() => bodies.forEach((body) => freeInflated(gunzipSync(body)))) : 0;
    return {
      'HTTP only: server CPU': server.all,
      'HTTP only: server event loop CPU': server.eventLoop,
      'HTTP only: client CPU': client,
      'SHA-1 CPU': sha1,
      'zstd CPU': zstd,
      ...(gzip ? { 'gunzip CPU': gunzip } : {}),
      'least CPU': server.all + client + sha1 + zstd + gunzip,
    };
  };
  const openSink = async () => {
    if (!sink) {
      const child = spawn(process.execPath, [fileURLToPath(new URL('./chunkUploadSink.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          output += d.toString();
          const m = /^listening (\d+)\n/.exec(output);
          if (m) resolve(Number(m[1]));
        });
        child.on('error', reject);
        child.on('exit', () => reject(new Error(`chunk upload sink exited: ${output}`)));
      });
      sink = { child, port };
    }
    return sink;
  };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    sink?.child.kill();
    await api?.stop();
    await harness?.close();
  };
  return [
    { name: 'chunk upload, plain (MB/s; floor: dd)', key: 'chunk_upload', floorKey: 'dd', ratioKey: 'chunk_upload_vs_dd', unit: 'MB/s', oursPartsName: 'CPU', ours: ours(false), floor: floor(false), close },
    { name: 'chunk upload, gzip (MB/s; floor: dd)', key: 'chunk_upload_gzip', floorKey: 'dd_for_gzip', ratioKey: 'chunk_upload_gzip_vs_dd', unit: 'MB/s', oursPartsName: 'CPU', ours: ours(true), floor: floor(true), close },
  ];
}
