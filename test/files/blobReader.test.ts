import { randomBytes } from 'node:crypto';
import { BlobReader, storeBlob, type FileStoreDeps } from '../../src/adapters/files/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { sha1 } from '../support/sha1.js';
import { storeBackends } from '../support/storeBackends.js';

const MiB = 1024 * 1024;

/** A stored object kept as it is, as blobs written before compression was introduced are. */
async function storeUncompressed(deps: FileStoreDeps, data: Buffer, path: string): Promise<string> {
  await deps.blobs.put(path, data);
  const row = await deps.db
    .insertInto('file_blob')
    .values({ checksum: sha1(data), size: data.length, path, inline_data: null, compression: 'none' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe.each(storeBackends('blob-reader'))('BlobReader on Postgres + $name store', (backend) => {
  let database: TestDatabase;
  let deps: FileStoreDeps;

  beforeAll(async () => {
    database = await createTestDatabase();
    deps = { db: database.db, blobs: await backend.setup() };
  });

  afterAll(async () => {
    await backend.teardown();
    await database?.drop();
  });

  it('reads different chunks one after another into the same buffers, each exactly', async () => {
    // incompressible, then compressible and shorter, then incompressible again: every read overwrites the last
    const chunks = [
      randomBytes(2 * MiB + 5),
      Buffer.from('function add(a, b) { return a + b; }\n'.repeat(30_000)),
      randomBytes(MiB),
      randomBytes(2 * MiB + 5),
    ];
    const blobs = [];
    for (const chunk of chunks) blobs.push(await storeBlob(deps, chunk));
    const reader = new BlobReader(deps);
    const views: Buffer[] = [];
    for (const [i, blob] of blobs.entries()) {
      const read = await reader.read(blob.id);
      expect(read.length).toBe(chunks[i]!.length);
      expect(sha1(read)).toBe(sha1(chunks[i]!));
      views.push(read);
    }
    // the reader kept one buffer: the views all share it, so only the order of reads and uses keeps them apart
    expect(new Set(views.map((v) => v.buffer)).size).toBe(1);
  });

  it('reads inline, zstd and uncompressed blobs in any order', async () => {
    const inline = Buffer.from('tiny printable chunk');
    const zstd = randomBytes(300_000);
    const plain = randomBytes(200_000);
    const inlineBlob = await storeBlob(deps, inline);
    const zstdBlob = await storeBlob(deps, zstd);
    const plainId = await storeUncompressed(deps, plain, 'raw/0000/plain-reader');
    const reader = new BlobReader(deps);
    for (const [id, expected] of [
      [zstdBlob.id, zstd],
      [plainId, plain],
      [inlineBlob.id, inline],
      [zstdBlob.id, zstd],
      [plainId, plain],
    ] as const) {
      expect((await reader.read(id)).equals(expected)).toBe(true);
    }
  });

  it('grows its buffers for a larger blob after a smaller one', async () => {
    const small = randomBytes(1000);
    const large = randomBytes(3 * MiB);
    const reader = new BlobReader(deps);
    expect((await reader.read((await storeBlob(deps, small)).id)).equals(small)).toBe(true);
    expect(sha1(await reader.read((await storeBlob(deps, large)).id))).toBe(sha1(large));
    expect((await reader.read((await storeBlob(deps, small)).id)).equals(small)).toBe(true);
  });

  it('refuses a blob whose bytes disagree with its recorded size', async () => {
    const blob = await storeBlob(deps, randomBytes(5000));
    await deps.db.updateTable('file_blob').set({ size: 4000 }).where('id', '=', blob.id).execute();
    await expect(new BlobReader(deps).read(blob.id)).rejects.toThrow();
    await deps.db.updateTable('file_blob').set({ size: 6000 }).where('id', '=', blob.id).execute();
    await expect(new BlobReader(deps).read(blob.id)).rejects.toMatchObject({ code: 'internal' });
  });

  it('reports a missing blob row or object as not_found', async () => {
    const reader = new BlobReader(deps);
    await expect(reader.read('999999')).rejects.toMatchObject({ code: 'not_found' });
    const id = await storeUncompressed(deps, randomBytes(1000), 'raw/0000/deleted-reader');
    await deps.blobs.delete('raw/0000/deleted-reader');
    await expect(reader.read(id)).rejects.toMatchObject({ code: 'not_found' });
  });
});
