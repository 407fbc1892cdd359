import { createHash, randomBytes } from 'node:crypto';
import { SHA1_THREAD_MIN_BYTES, Sha1Thread } from './Sha1Thread.js';

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

describe('Sha1Thread', () => {
  let thread: Sha1Thread;
  beforeEach(() => (thread = new Sha1Thread()));
  afterEach(() => thread.close());

  it('hashes shared bytes on its thread, at any offset, while this thread goes on', async () => {
    const bytes = shared(randomBytes(32 * 1024 * 1024));
    expect(await loopTurnedDuring(thread.sha1(bytes).then((hex) => expect(hex).toBe(sha1(bytes))))).toBe(true);
    const views = [bytes.subarray(0, SHA1_THREAD_MIN_BYTES), bytes.subarray(7, 7 + 3 * SHA1_THREAD_MIN_BYTES)];
    expect(await Promise.all(views.map((v) => thread.sha1(v)))).toEqual(views.map(sha1));
  });

  it('hashes bytes that are not shared, or small, here', async () => {
    const plain = randomBytes(4 * 1024 * 1024);
    expect(await loopTurnedDuring(thread.sha1(plain).then((hex) => expect(hex).toBe(sha1(plain))))).toBe(false);
    const small = shared(randomBytes(SHA1_THREAD_MIN_BYTES - 1));
    expect(await loopTurnedDuring(thread.sha1(small).then((hex) => expect(hex).toBe(sha1(small))))).toBe(false);
  });

  it('answers every waiting caller when its thread dies, and starts a new one at the next call', async () => {
    const bytes = shared(randomBytes(16 * 1024 * 1024));
    const waiting = [thread.sha1(bytes), thread.sha1(bytes.subarray(1))];
    // the thread is private; ending it from outside is how a crash of it looks to the callers
    await (thread as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread.worker.terminate();
    expect(await Promise.all(waiting)).toEqual([sha1(bytes), sha1(bytes.subarray(1))]);
    expect(await loopTurnedDuring(thread.sha1(bytes).then((hex) => expect(hex).toBe(sha1(bytes))))).toBe(true);
  });

  it('hashes here once closed', async () => {
    await thread.close();
    const bytes = shared(randomBytes(4 * 1024 * 1024));
    expect(await loopTurnedDuring(thread.sha1(bytes).then((hex) => expect(hex).toBe(sha1(bytes))))).toBe(false);
  });
});
