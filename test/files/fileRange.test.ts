import { randomBytes } from 'node:crypto';
import { collectStream, openFileRange, openFileRangeReader, putFile, type FileStoreDeps } from '../../src/adapters/files/index.js';
import type { TestDatabase } from '../support/database.js';
import { countingStore, type TempFsStore, useFileStoreFixture } from './helpers.js';

describe('openFileRange on Postgres + filesystem store', () => {
  let database: TestDatabase;
  let fsStore: TempFsStore;
  let deps: FileStoreDeps;
  const content = randomBytes(10_000);
  let fileId: string;

  useFileStoreFixture((fixture) => {
    ({ database, fsStore, deps } = fixture);
  });

  beforeAll(async () => {
    fileId = (await putFile(deps, { name: 'data.bin', type: 'default' }, content, { blobSize: 1000 })).id;
  });

  it.each([
    [0, 10_000],
    [0, 1],
    [999, 1001],
    [1000, 2000],
    [1234, 8765],
    [9_999, 10_000],
    [5_000, 5_000],
    [9_000, 50_000],
    [20_000, 30_000],
  ])('gives back bytes [%d, %d) exactly, clamped to the file', async (start, end) => {
    const bytes = await collectStream(await openFileRange(deps, fileId, start, end));
    expect(bytes.equals(content.subarray(start, end))).toBe(true);
  });

  it('reads only the blobs that overlap the range', async () => {
    const counting = countingStore(fsStore.store);
    const countingDeps = { ...deps, blobs: counting.store };
    await collectStream(await openFileRange(countingDeps, fileId, 2500, 2600));
    expect(counting.reads).toHaveLength(1);
    counting.reads.length = 0;
    await collectStream(await openFileRange(countingDeps, fileId, 2999, 4001));
    expect(counting.reads).toHaveLength(3);
  });

  it('a reader knows the size and serves many ranges from one layout', async () => {
    const reader = await openFileRangeReader(deps, fileId);
    expect(reader.size).toBe(10_000);
    const tail = await collectStream(reader.stream(9_950));
    expect(tail.equals(content.subarray(9_950))).toBe(true);
    const middle = await collectStream(reader.stream(4_000, 4_100));
    expect(middle.equals(content.subarray(4_000, 4_100))).toBe(true);
  });

  it('an empty file has size 0 and empty ranges', async () => {
    const empty = await putFile(deps, { name: 'empty', type: 'default' }, Buffer.alloc(0));
    const reader = await openFileRangeReader(deps, empty.id);
    expect(reader.size).toBe(0);
    expect((await collectStream(reader.stream(0, 10))).length).toBe(0);
  });

  it('rejects a missing file with not_found and a reversed range', async () => {
    await expect(openFileRange(deps, '999999999', 0, 1)).rejects.toMatchObject({ code: 'not_found' });
    await expect(openFileRange(deps, fileId, 10, 5)).rejects.toThrow('Invalid byte range');
  });

  it('stopping early closes the blob being read', async () => {
    const stream = await openFileRange(deps, fileId, 0, 10_000);
    for await (const chunk of stream) {
      expect((chunk as Buffer).length).toBeGreaterThan(0);
      break;
    }
    expect(stream.destroyed).toBe(true);
  });
});
