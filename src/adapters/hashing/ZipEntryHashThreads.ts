import { Worker } from 'node:worker_threads';
import { LOCAL_HEADER } from '../../domain/zipCentralDirectory.js';

/**
 * Inflate, CRC-32 and SHA-1 of small zip entries on threads of their own, each reading its entries from the zip file
 * itself. The archive path's `store` stage spends its time on these three per entry; done on the worker's main thread
 * (one libuv round trip to read and one to inflate per entry) a 10,000-entry bundle took about 1.4 s, of which about
 * 1 s was the dispatch of 10,000 `zlib.inflateRaw` calls and their callbacks, not inflating. A thread reads and
 * inflates synchronously, in batches, so the main thread handles one message per BATCH_ENTRIES entries: two threads
 * took 0.48 s for the same bundle, against 0.81 s for Node inflating and hashing it in memory on one thread.
 *
 * Threads start at the first batch, up to the pool's size, and end once the pool has been idle for THREADS_IDLE_MS:
 * a worker that takes no archive job holds none of them.
 */

/** Entries per message to a thread: the round trip (about 0.1 ms) is paid once per batch, not once per entry. */
export const BATCH_ENTRIES = 64;
/** A pool with nothing to do this long ends its threads (a thread holds its isolate, some megabytes). */
export const THREADS_IDLE_MS = 30_000;

/** Where an entry lies in the zip and what its directory record promises of it. */
export interface ZipEntrySpan {
  localHeaderOffset: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  /** 0 stored, 8 deflated; the caller sends no other */
  method: 0 | 8;
}

/**
 * An entry's digest, or why the thread did not give one: `bad_crc` (the inflated bytes do not match the directory's
 * CRC-32), `too_large` (they are more than it declared), `unread` (its local header is not where the directory says,
 * the file ends early, or its data do not inflate: left to the caller's own reader, which names the fault).
 */
export type ZipEntryDigest = { sha1: string; size: number } | { refused: 'bad_crc' | 'too_large' | 'unread' };

/**
 * The thread's whole program: CommonJS, evaluated from this string, so the bundle needs no file of its own. A batch is
 * a flat array of five numbers per entry (offset, compressed size, inflated size, CRC-32, method); the answer is two
 * values per entry (the hex SHA-1 and size, or null and the refusal).
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { inflateRawSync, crc32 } = require('node:zlib');
const { createHash } = require('node:crypto');
const { headerBytes, signature, nameAndExtraGuess } = workerData; // LOCAL_HEADER
// Every Buffer of this thread has memory of its own, not a slice of a shared pool, so that an inflated entry's memory
// is freed (transfer(0)) as soon as it is hashed, not at the next collection: V8 lets the memory of Buffers pile up
// to some 64 MB per isolate before it collects, and the malloc arena of each thread keeps what it once held.
Buffer.poolSize = 0;
let buffer = Buffer.allocUnsafe(0);
function dataOf(fd, offset, compressed) {
  const wanted = headerBytes + nameAndExtraGuess + compressed;
  if (buffer.length < wanted) buffer = Buffer.allocUnsafe(wanted);
  const read = readSync(fd, buffer, 0, wanted, offset);
  if (read < headerBytes || buffer.readUInt32LE(0) !== signature) return null;
  const start = headerBytes + buffer.readUInt16LE(26) + buffer.readUInt16LE(28);
  if (start + compressed <= read) return buffer.subarray(start, start + compressed);
  const data = Buffer.allocUnsafe(compressed);
  return readSync(fd, data, 0, compressed, offset + start) === compressed ? data : null;
}
function digest(fd, offset, compressed, declared, crc, method) {
  const raw = dataOf(fd, offset, compressed);
  if (raw === null) return [null, 'unread'];
  let bytes = raw;
  if (method === 8) {
    try {
      bytes = inflateRawSync(raw, { maxOutputLength: Math.max(1, declared), chunkSize: Math.max(64, declared + 1) });
    } catch (err) {
      return [null, err.code === 'ERR_BUFFER_TOO_LARGE' ? 'too_large' : 'unread'];
    }
  }
  try {
    if (bytes.length > declared) return [null, 'too_large'];
    if (crc32(bytes) !== crc) return [null, 'bad_crc'];
    return [createHash('sha1').update(bytes).digest('hex'), bytes.length];
  } finally {
    if (bytes !== raw) release(bytes);
  }
}
function release(bytes) {
  try {
    bytes.buffer.transfer(0);
  } catch {
    // not detachable after all: nothing is lost, the collector frees it later (and the entry's answer stands)
  }
}
parentPort.on('message', ({ id, path, spans }) => {
  const answers = [];
  let fd;
  try {
    fd = openSync(path, 'r');
    for (let i = 0; i < spans.length; i += 5) answers.push(...digest(fd, spans[i], spans[i + 1], spans[i + 2], spans[i + 3], spans[i + 4]));
    parentPort.postMessage({ id, answers });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;

interface Batch {
  id: number;
  path: string;
  spans: number[];
  resolve(answers: Array<string | number | null>): void;
  reject(err: Error): void;
  /** the batches of the same `hash` call, this one among them */
  call: readonly Batch[];
}

interface Thread {
  worker: Worker;
  /** the batch it is working on, if any */
  batch: Batch | undefined;
}

export class ZipEntryHashThreads {
  private readonly threads = new Set<Thread>();
  private readonly queue: Batch[] = [];
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    /** at most this many threads at once; at least 1 */
    readonly size: number,
    private readonly options: { idleMs?: number; /** a thread died or failed a batch (its entries are hashed elsewhere) */ onFailure?: (err: Error) => void } = {},
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a pool of ${size} threads`);
  }

  /**
   * The digest of each entry of the zip at `path`, in order. Rejects when a thread died or could not read the file
   * (the caller then hashes the entries itself); an entry the thread could not make sense of is `refused`.
   */
  async hash(path: string, entries: readonly ZipEntrySpan[]): Promise<ZipEntryDigest[]> {
    if (this.closed) throw new Error('the entry hashing threads are closed');
    const call: Batch[] = [];
    const answered: Array<Promise<Array<string | number | null>>> = [];
    for (let start = 0; start < entries.length; start += BATCH_ENTRIES) {
      const spans = entries.slice(start, start + BATCH_ENTRIES).flatMap((e) => [e.localHeaderOffset, e.compressedSize, e.uncompressedSize, e.crc32, e.method]);
      answered.push(new Promise((resolve, reject) => call.push({ id: this.nextId++, path, spans, resolve, reject, call })));
    }
    call.forEach((batch) => this.enqueue(batch));
    const answers = (await Promise.all(answered)).flat();
    return entries.map((_, i) => {
      const first = answers[2 * i];
      const second = answers[2 * i + 1];
      return typeof first === 'string' ? { sha1: first, size: second as number } : { refused: second as 'bad_crc' | 'too_large' | 'unread' };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    const closing = new Error('the entry hashing threads are closed');
    for (const batch of this.queue.splice(0)) batch.reject(closing);
    await Promise.all([...this.threads].map((thread) => this.end(thread, closing)));
  }

  private enqueue(batch: Batch): void {
    clearTimeout(this.idleTimer);
    this.queue.push(batch);
    this.dispatch();
  }

  private dispatch(): void {
    for (const thread of this.threads) {
      if (this.queue.length > 0 && !thread.batch) this.give(thread, this.queue.shift()!);
    }
    while (this.queue.length > 0 && this.threads.size < this.size) this.give(this.started(), this.queue.shift()!);
    const idle = this.queue.length === 0 && [...this.threads].every((thread) => !thread.batch);
    if (idle && this.threads.size > 0) this.idleTimer = this.endWhenIdle();
  }

  private give(thread: Thread, batch: Batch): void {
    thread.batch = batch;
    thread.worker.postMessage({ id: batch.id, path: batch.path, spans: batch.spans });
  }

  private started(): Thread {
    const thread: Thread = { worker: new Worker(THREAD_SOURCE, { eval: true, workerData: LOCAL_HEADER }), batch: undefined };
    // never what keeps the process alive: a process that is done exits with its threads idle
    thread.worker.unref();
    thread.worker.on('message', (answer: { id: number; answers?: Array<string | number | null>; error?: string }) => {
      const batch = thread.batch;
      thread.batch = undefined;
      if (batch?.id === answer.id) {
        if (answer.answers) batch.resolve(answer.answers);
        else this.fail(batch, new Error(`entry hashing thread: ${answer.error}`));
      }
      this.dispatch();
    });
    thread.worker.on('error', (err) => void this.end(thread, err, true));
    thread.worker.on('exit', (code) => void this.end(thread, new Error(`entry hashing thread exited with code ${code}`), true));
    this.threads.add(thread);
    return thread;
  }

  /** Ends a thread and fails the batch it held; what is queued goes to the others (or a new one). */
  private async end(thread: Thread, reason: Error, unexpected = false): Promise<void> {
    if (!this.threads.delete(thread)) return;
    if (unexpected) this.options.onFailure?.(reason);
    // reported above, once, when it is a failure at all (not an idle end or a close)
    if (thread.batch) this.fail(thread.batch, reason, false);
    thread.batch = undefined;
    await thread.worker.terminate();
    if (!this.closed) this.dispatch();
  }

  /**
   * Fails a batch, and with it its `hash` call: the caller hashes every entry of the call itself, so the call's
   * batches still queued are dropped (they would be work done twice, and each a failure of its own).
   */
  private fail(batch: Batch, err: Error, report = true): void {
    if (report) this.options.onFailure?.(err);
    const waiting = this.queue.filter((queued) => !batch.call.includes(queued));
    this.queue.splice(0, this.queue.length, ...waiting);
    batch.reject(err);
  }

  private endWhenIdle(): NodeJS.Timeout {
    clearTimeout(this.idleTimer);
    const timer = setTimeout(() => {
      for (const thread of this.threads) void this.end(thread, new Error('idle'));
    }, this.options.idleMs ?? THREADS_IDLE_MS);
    timer.unref();
    return timer;
  }
}
