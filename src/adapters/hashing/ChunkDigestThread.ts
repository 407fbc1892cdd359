import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * A thread of its own for the heavy per-chunk work of an upload on bytes in shared memory: SHA-1, and for a gzip part
 * the inflate too. The API's main thread is what limits a chunk upload once blobs are written directly: per 96 MiB it
 * spent about 95 ms of its ~390 ms in SHA-1 (`--cpu-prof`) while the second core idled 40% of the time. Node hashes
 * only on the calling thread (WebCrypto's digest runs on libuv's pool but first copies its input into fresh memory,
 * which cost the main thread as much as hashing), so the chunk's receive buffer is a SharedArrayBuffer and this
 * thread reads it where it lies: no copy, no transfer.
 *
 * Inflating here rather than in libuv's pool: zlib writes into a fresh buffer of its own each time, and four parts
 * inflating at once on the pool's threads took fresh pages from the kernel for most of them (2,000-18,000 page faults
 * and 50-110 ms of kernel time per 96 MiB, `/proc`); one thread inflating one part at a time frees each buffer before
 * it asks for the next, which the allocator hands back without a fault. It also spares the main thread the copy of
 * the inflated bytes into the receive buffer.
 *
 * Bytes that are not shared, or smaller than SHA1_THREAD_MIN_BYTES, are hashed on the calling thread, as is
 * everything once the thread has failed to start or died (it is started again at the next call); a gzip part that
 * the thread cannot take is left to the caller (`gunzipAndSha1` answers undefined).
 */

/** Smaller inputs cost less to hash here than a round trip to the thread (about 0.1 ms). */
export const SHA1_THREAD_MIN_BYTES = 256 * 1024;

/**
 * The thread's whole program: CommonJS, evaluated from this string, so the bundle needs no file of its own. A gzip
 * part is inflated into memory of the thread's own, hashed, and only then copied over its wire bytes, after the
 * thread has marked `state` (so a caller whose thread died knows whether the wire bytes are still whole); fill()
 * copies into shared memory with memcpy (see copyIntoReceiveBuffer). Its inflated copy is freed at once, so that the
 * next part's inflate gets the same memory back.
 */
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { gunzipSync } = require('node:zlib');
const sha1 = (bytes) => createHash('sha1').update(bytes).digest('hex');
parentPort.on('message', ({ id, memory, offset, length, gunzip }) => {
  const bytes = new Uint8Array(memory, offset, length);
  if (!gunzip) return parentPort.postMessage({ id, hex: sha1(bytes) });
  let inflated;
  try {
    inflated = gunzipSync(bytes, { maxOutputLength: gunzip.maxOutputLength, chunkSize: gunzip.chunkSize });
  } catch (err) {
    return parentPort.postMessage({ id, failure: { code: err.code, message: err.message } });
  }
  const hex = sha1(inflated);
  const size = inflated.length;
  Atomics.store(new Int32Array(gunzip.state), 0, 1);
  if (size > 0) Buffer.from(memory, offset, size).fill(inflated);
  // as freeInflated does on the main thread: Node's shared pool holds small Buffers only and is not detachable, and
  // memory that cannot be detached after all is left to the collector, not a failure of a part already written
  try {
    if (inflated.buffer.byteLength > Buffer.poolSize) inflated.buffer.transfer(0);
  } catch {}
  parentPort.postMessage({ id, hex, size });
});
`;

/** A part inflated in place by the thread: its first `size` bytes are now the chunk, whose SHA-1 is `sha1`. */
export interface InflatedPart {
  size: number;
  sha1: string;
}

export interface GunzipLimits {
  /** zlib's maxOutputLength: more fails with ERR_BUFFER_TOO_LARGE; at most the receive buffer's length */
  maxOutputLength: number;
  /** zlib's output buffer size (chunkSize) */
  chunkSize: number;
}

/** zlib's failure as the thread saw it, with zlib's code (Z_DATA_ERROR, ERR_BUFFER_TOO_LARGE, ...) and words. */
export class ThreadZlibError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ThreadZlibError';
  }
}

interface Reply {
  id: number;
  hex?: string;
  size?: number;
  failure?: { code?: string; message: string };
}

interface Pending {
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  /** what this thread was asked and has not answered */
  pending: Map<number, Pending>;
}

export class ChunkDigestThread {
  private thread: Thread | undefined;
  private nextId = 0;
  private closed = false;

  /** The lowercase hex SHA-1 of `bytes`; the caller must not change them until it resolves. */
  sha1(bytes: Uint8Array): Promise<string> {
    if (!(bytes.buffer instanceof SharedArrayBuffer) || bytes.length < SHA1_THREAD_MIN_BYTES || this.closed) {
      return Promise.resolve(sha1Here(bytes));
    }
    return this.ask(bytes)
      .then((reply) => reply.hex!)
      .catch(() => sha1Here(bytes)); // the thread died under it: the bytes are still here, hash them here
  }

  /**
   * Inflates the gzip member in the first `wireLength` bytes of `buffer` (shared memory) into `buffer` from its
   * start, and hashes it. Undefined when the thread cannot take it (the buffer is not shared, the thread is closed or
   * died before it wrote): `buffer` still holds the wire bytes, for the caller to inflate itself. Fails with a
   * ThreadZlibError when zlib refuses the part, and with a plain Error when the thread died while it was writing.
   */
  async gunzipAndSha1(buffer: Buffer, wireLength: number, limits: GunzipLimits): Promise<InflatedPart | undefined> {
    if (!(buffer.buffer instanceof SharedArrayBuffer) || this.closed) return undefined;
    const state = new SharedArrayBuffer(4);
    let reply: Reply;
    try {
      reply = await this.ask(buffer.subarray(0, wireLength), { ...limits, maxOutputLength: Math.min(limits.maxOutputLength, buffer.length), state });
    } catch (err) {
      if (Atomics.load(new Int32Array(state), 0) === 0) return undefined;
      throw new Error('The chunk thread stopped while it was writing an inflated part', { cause: err });
    }
    if (reply.failure) throw new ThreadZlibError(reply.failure.code, reply.failure.message);
    return { size: reply.size!, sha1: reply.hex! };
  }

  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    this.thread = undefined;
    await thread?.worker.terminate();
  }

  private ask(bytes: Uint8Array, gunzip?: GunzipLimits & { state: SharedArrayBuffer }): Promise<Reply> {
    const thread = this.started();
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, memory: bytes.buffer, offset: bytes.byteOffset, length: bytes.length, gunzip });
    });
  }

  private started(): Thread {
    if (this.thread) return this.thread;
    const thread: Thread = { worker: new Worker(THREAD_SOURCE, { eval: true }), pending: new Map() };
    // never what keeps the process alive: a process that is done exits with the thread idle
    thread.worker.unref();
    thread.worker.on('message', (reply: Reply) => {
      thread.pending.get(reply.id)?.resolve(reply);
      thread.pending.delete(reply.id);
    });
    const fail = (err: Error) => {
      if (this.thread === thread) this.thread = undefined;
      for (const waiting of thread.pending.values()) waiting.reject(err);
      thread.pending.clear();
    };
    thread.worker.on('error', fail);
    thread.worker.on('exit', (code) => fail(new Error(`Chunk thread exited with code ${code}`)));
    this.thread = thread;
    return thread;
  }
}

function sha1Here(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}
