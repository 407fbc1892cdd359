import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  createFileFromBlobs,
  findMissingChunks,
  findOwnedBlobs,
  readFileBuffer,
  storeBlob,
  storeChunks,
  type FileStoreDeps,
} from '../../src/adapters/files/index.js';
import type { TestDatabase } from '../support/database.js';
import { ageBlobs, blobRows, type TempFsStore, useFileStoreFixture } from './helpers.js';
import { sha1 } from '../support/sha1.js';

const ORG_A = '1001';
const ORG_B = '1002';

describe('chunks: intake, ownership and assembly from blobs', () => {
  let database: TestDatabase;
  let fsStore: TempFsStore;
  let deps: FileStoreDeps;

  useFileStoreFixture((fixture) => {
    ({ database, fsStore, deps } = fixture);
  });

  it('reports as missing what the organisation does not own, de-duplicated, in request order', async () => {
    const ownedByA = await storeBlob(deps, randomBytes(500), { organizationId: ORG_A });
    const ownedByB = await storeBlob(deps, randomBytes(500), { organizationId: ORG_B });
    const ownerless = await storeBlob(deps, randomBytes(500));
    const unknown = sha1(Buffer.from('never uploaded'));
    const request = [unknown, ownedByB.checksum, ownedByA.checksum, ownerless.checksum, unknown, ownedByB.checksum];
    expect(await findMissingChunks(database.db, ORG_A, request)).toEqual([unknown, ownedByB.checksum, ownerless.checksum]);
    expect(await findMissingChunks(database.db, ORG_B, request)).toEqual([unknown, ownedByA.checksum, ownerless.checksum]);
    expect(await findMissingChunks(database.db, ORG_A, [])).toEqual([]);
  });

  it('a re-upload by another organisation makes the chunk present for it too', async () => {
    const data = randomBytes(700);
    await storeBlob(deps, data, { organizationId: ORG_A });
    expect(await findMissingChunks(database.db, ORG_B, [sha1(data)])).toEqual([sha1(data)]);
    await storeBlob(deps, data, { organizationId: ORG_B });
    expect(await findMissingChunks(database.db, ORG_B, [sha1(data)])).toEqual([]);
  });

  it('maps owned checksums to blob ids and sizes', async () => {
    const data = randomBytes(321);
    const blob = await storeBlob(deps, data, { organizationId: ORG_A });
    const owned = await findOwnedBlobs(database.db, ORG_A, [blob.checksum, blob.checksum, sha1(Buffer.from('x'))]);
    expect([...owned]).toEqual([[blob.checksum, { id: blob.id, size: 321 }]]);
    expect((await findOwnedBlobs(database.db, ORG_B, [blob.checksum])).size).toBe(0);
  });

  it('renews stale blobs it reports as present, so the GC spares them', async () => {
    const blob = await storeBlob(deps, randomBytes(222), { organizationId: ORG_A });
    await ageBlobs(database.db, [blob.id], 20 * 3600);
    expect(await findMissingChunks(database.db, ORG_A, [blob.checksum])).toEqual([]);
    const row = (await blobRows(database.db)).find((r) => r.id === blob.id)!;
    expect(Date.now() - row.timestamp.getTime()).toBeLessThan(60_000);
  });

  it('cuts a stream into chunks the organisation owns, and the chunks rebuild the bytes', async () => {
    const content = randomBytes(2_500_000);
    const source = Readable.from([content.subarray(0, 700_000), content.subarray(700_000)], { objectMode: false });
    const stored = await storeChunks(deps, ORG_A, source, { chunkSize: 1024 * 1024 });
    expect(stored.size).toBe(content.length);
    expect(stored.checksum).toBe(sha1(content));
    expect(stored.chunks).toEqual([
      sha1(content.subarray(0, 1024 * 1024)),
      sha1(content.subarray(1024 * 1024, 2 * 1024 * 1024)),
      sha1(content.subarray(2 * 1024 * 1024)),
    ]);
    expect(await findMissingChunks(database.db, ORG_A, stored.chunks)).toEqual([]);
    expect(await findMissingChunks(database.db, ORG_B, stored.chunks)).toEqual(stored.chunks);

    const owned = await findOwnedBlobs(database.db, ORG_A, stored.chunks);
    const file = await createFileFromBlobs(
      database.db,
      { name: 'bundle.zip', type: 'release.bundle', checksum: stored.checksum },
      stored.chunks.map((checksum) => owned.get(checksum)!),
    );
    expect(file.size).toBe(content.length);
    expect(sha1(await readFileBuffer(deps, file.id))).toBe(sha1(content));
  });

  it('rebuilds content whose chunk list repeats a chunk', async () => {
    const unit = randomBytes(64 * 1024);
    const other = randomBytes(64 * 1024);
    const content = Buffer.concat([unit, other, unit, unit, other.subarray(0, 1000)]);
    const stored = await storeChunks(deps, ORG_B, content, { chunkSize: 64 * 1024 });
    expect(stored.chunks).toEqual([sha1(unit), sha1(other), sha1(unit), sha1(unit), sha1(other.subarray(0, 1000))]);
    const owned = await findOwnedBlobs(database.db, ORG_B, stored.chunks);
    expect(owned.size).toBe(3);
    const file = await createFileFromBlobs(
      database.db,
      { name: 'repeats.bin', type: 'default', checksum: stored.checksum },
      stored.chunks.map((checksum) => owned.get(checksum)!),
    );
    expect(await readFileBuffer(deps, file.id)).toEqual(content);
  });
});
