import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { ChunkDigestThread, SHA1_THREAD_MIN_BYTES, ThreadZlibError } from './ChunkDigestThread.js';

const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

function shared(bytes: Buffer): Buffer {
  const copy = Buffer.from(new SharedArrayBuffer(bytes.length + 100), 100, bytes.length);
  bytes.copy(copy);
  return copy;
}

/** Whether the event loop turned while `work` was under way: it cannot when the hash runs on this thread. */
async function loopTurnedDuring(work: Promise<unknown>): Promise<boolean> {
  let turned = false;
  setImmediate(() => (turned = true));
  await work;
  return turned;
}

describe('ChunkDigestThread', () => {
  let thread: ChunkDigestThread;
  beforeEach(() => (thread = new ChunkDigestThread()));
  afterEach(() => thread.close());

  it('hashes shared bytes on its thread, at any offset, while this thread goes on', async () => {
    const bytes = shared(randomBytes(32 * 1024 * 1024));
    expect(await loopTurnedDuring(thread.sha1(bytes).then((hex: string) => expect(hex).toBe(sha1(bytes))))).toBe(true);
    const views = [bytes.subarray(0, SHA1_THREAD_MIN_BYTES), bytes.subarray(7, 7 + 3 * SHA1_THREAD_MIN_BYTES)];
    expect(await Promise.all(views.map((v) => thread.sha1(v)))).toEqual(views.map(sha1));
  });

  it('hashes bytes that are not shared, or small, here', async () => {
    const plain = randomBytes(4 * 1024 * 1024);
    expect(await loopTurnedDuring(thread.sha1(plain).then((hex: string) => expect(hex).toBe(sha1(plain))))).toBe(false);
    const small = shared(randomBytes(SHA1_THREAD_MIN_BYTES - 1));
    expect(await loopTurnedDuring(thread.sha1(small).then((hex: string) => expect(hex).toBe(sha1(small))))).toBe(false);
  });

  it('answers every waiting caller when its thread dies, and starts a new one at the next call', async () => {
    const bytes = shared(randomBytes(16 * 1024 * 1024));
    const waiting = [thread.sha1(bytes), thread.sha1(bytes.subarray(1))];
    // the thread is private; ending it from outside is how a crash of it looks to the callers
    await (thread as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread.worker.terminate();
    expect(await Promise.all(waiting)).toEqual([sha1(bytes), sha1(bytes.subarray(1))]);
    expect(await loopTurnedDuring(thread.sha1(bytes).then((hex: string) => expect(hex).toBe(sha1(bytes))))).toBe(true);
  });

  it('hashes here once closed', async () => {
    await thread.close();
    const bytes = shared(randomBytes(4 * 1024 * 1024));
    expect(await loopTurnedDuring(thread.sha1(bytes).then((hex: string) => expect(hex).toBe(sha1(bytes))))).toBe(false);
  });
});

/** A receive buffer (shared memory, room for `room` bytes) holding `wire` at its start, as a gzip part arrives. */
function received(wire: Buffer, room: number, memory: ArrayBufferLike = new SharedArrayBuffer(room)): Buffer {
  const buffer = Buffer.from(memory, 0, room);
  wire.copy(buffer);
  return buffer;
}

describe('ChunkDigestThread.gunzipAndSha1', () => {
  let thread: ChunkDigestThread;
  beforeEach(() => (thread = new ChunkDigestThread()));
  afterEach(() => thread.close());
  const limits = (max: number) => ({ maxOutputLength: max, chunkSize: max + 1024 });

  it('inflates a gzip part over its wire bytes on its thread and hashes the chunk', async () => {
    const chunk = randomBytes(8 * 1024 * 1024);
    const wire = gzipSync(chunk, { level: 1 });
    const buffer = received(wire, wire.length + 4096);
    let answer: unknown;
    expect(await loopTurnedDuring(thread.gunzipAndSha1(buffer, wire.length, limits(chunk.length)).then((a) => (answer = a)))).toBe(true);
    expect(answer).toEqual({ size: chunk.length, sha1: sha1(chunk) });
    expect(buffer.subarray(0, chunk.length).equals(chunk)).toBe(true);
  });

  it('inflates one part after another, compressible or not, empty or not', async () => {
    const chunks = [Buffer.alloc(3 * 1024 * 1024, 'abc'), randomBytes(70_000), Buffer.alloc(0), randomBytes(5)];
    for (const chunk of chunks) {
      const wire = gzipSync(chunk);
      const buffer = received(wire, 4 * 1024 * 1024);
      expect(await thread.gunzipAndSha1(buffer, wire.length, limits(4 * 1024 * 1024))).toEqual({ size: chunk.length, sha1: sha1(chunk) });
      expect(buffer.subarray(0, chunk.length).equals(chunk)).toBe(true);
    }
  });

  it('answers zlib’s refusal with zlib’s code: not gzip, cut short, or more than the limit', async () => {
    const chunk = Buffer.alloc(100_000, 'x');
    const wire = gzipSync(chunk);
    const cases: Array<[Buffer, number, string]> = [
      [Buffer.from('not gzip at all'), chunk.length, 'Z_DATA_ERROR'],
      [wire.subarray(0, wire.length - 10), chunk.length, 'Z_BUF_ERROR'],
      [wire, chunk.length - 1, 'ERR_BUFFER_TOO_LARGE'],
    ];
    for (const [bytes, max, code] of cases) {
      const failure = await thread.gunzipAndSha1(received(bytes, 200_000), bytes.length, limits(max)).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(ThreadZlibError);
      expect((failure as ThreadZlibError).code).toBe(code);
    }
  });

  it('never writes past the receive buffer, whatever limit it is given', async () => {
    const chunk = Buffer.alloc(300_000, 'y');
    const wire = gzipSync(chunk);
    const failure = await thread.gunzipAndSha1(received(wire, 200_000), wire.length, limits(chunk.length)).catch((err: unknown) => err);
    expect((failure as ThreadZlibError).code).toBe('ERR_BUFFER_TOO_LARGE');
  });

  it('leaves to the caller a part in memory that is not shared, and every part once closed, with its wire bytes whole', async () => {
    const wire = gzipSync(randomBytes(1000));
    const notShared = received(wire, 4096, new ArrayBuffer(4096));
    expect(await thread.gunzipAndSha1(notShared, wire.length, limits(4096))).toBeUndefined();
    await thread.close();
    const shared = received(wire, 4096);
    expect(await thread.gunzipAndSha1(shared, wire.length, limits(4096))).toBeUndefined();
    expect(shared.subarray(0, wire.length).equals(wire)).toBe(true);
  });

  it('leaves a part to the caller, wire bytes whole, when its thread dies before writing it, and starts a new one after', async () => {
    const chunk = randomBytes(16 * 1024 * 1024);
    const wire = gzipSync(chunk, { level: 1 });
    const buffer = received(wire, wire.length + 4096);
    const waiting = thread.gunzipAndSha1(buffer, wire.length, limits(chunk.length));
    // the thread is private; ending it from outside is how a crash of it looks to the callers
    await (thread as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread.worker.terminate();
    expect(await waiting).toBeUndefined();
    expect(buffer.subarray(0, wire.length).equals(wire)).toBe(true);
    expect(await thread.gunzipAndSha1(buffer, wire.length, limits(chunk.length))).toEqual({ size: chunk.length, sha1: sha1(chunk) });
  });
});
