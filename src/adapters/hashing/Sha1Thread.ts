import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * SHA-1 on a thread of its own, for bytes in shared memory. The API's main thread is what limits a chunk upload
 * once blobs are written directly: per 96 MiB it spent about 95 ms of its ~390 ms in SHA-1 (`--cpu-prof`) while the
 * second core idled 40% of the time. Node hashes only on the calling thread (WebCrypto's digest runs on libuv's pool
 * but first copies its input into fresh memory, which cost the main thread as much as hashing), so the chunk's
 * receive buffer is a SharedArrayBuffer and this thread reads it where it lies: no copy, no transfer.
 *
 * Bytes that are not shared, or smaller than SHA1_THREAD_MIN_BYTES, are hashed on the calling thread, as is
 * everything once the thread has failed to start or died (it is started again at the next call).
 */

/** Smaller inputs cost less to hash here than a round trip to the thread (about 0.1 ms). */
export const SHA1_THREAD_MIN_BYTES = 256 * 1024;

/** The thread's whole program: CommonJS, evaluated from this string, so the bundle needs no file of its own. */
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ id, memory, offset, length }) => {
  parentPort.postMessage({ id, hex: createHash('sha1').update(new Uint8Array(memory, offset, length)).digest('hex') });
});
`;

interface Pending {
  resolve(hex: string): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  /** what this thread was asked and has not answered */
  pending: Map<number, Pending>;
}

export class Sha1Thread {
  private thread: Thread | undefined;
  private nextId = 0;
  private closed = false;

  /** The lowercase hex SHA-1 of `bytes`; the caller must not change them until it resolves. */
  sha1(bytes: Uint8Array): Promise<string> {
    if (!(bytes.buffer instanceof SharedArrayBuffer) || bytes.length < SHA1_THREAD_MIN_BYTES || this.closed) {
      return Promise.resolve(sha1Here(bytes));
    }
    const thread = this.started();
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, memory: bytes.buffer, offset: bytes.byteOffset, length: bytes.length });
    }).catch(() => sha1Here(bytes)); // the thread died under it: the bytes are still here, hash them here
  }

  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    this.thread = undefined;
    await thread?.worker.terminate();
  }

  private started(): Thread {
    if (this.thread) return this.thread;
    const thread: Thread = { worker: new Worker(THREAD_SOURCE, { eval: true }), pending: new Map() };
    // never what keeps the process alive: a process that is done exits with the thread idle
    thread.worker.unref();
    thread.worker.on('message', ({ id, hex }: { id: number; hex: string }) => {
      thread.pending.get(id)?.resolve(hex);
      thread.pending.delete(id);
    });
    const fail = (err: Error) => {
      if (this.thread === thread) this.thread = undefined;
      for (const waiting of thread.pending.values()) waiting.reject(err);
      thread.pending.clear();
    };
    thread.worker.on('error', fail);
    thread.worker.on('exit', (code) => fail(new Error(`SHA-1 thread exited with code ${code}`)));
    this.thread = thread;
    return thread;
  }
}

function sha1Here(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}
