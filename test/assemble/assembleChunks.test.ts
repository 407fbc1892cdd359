import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeBlob, type FileStoreDeps } from '../../src/adapters/files/index.js';
import { assembleChunks } from '../../src/workers/assemble/assembleChunks.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { sha1 } from '../support/sha1.js';
import { storeBackends } from '../support/storeBackends.js';

const MiB = 1024 * 1024;
const ORG = '42';

describe.each(storeBackends('assemble-chunks'))('assembleChunks on Postgres + $name store', (backend) => {
  let database: TestDatabase;
  let deps: FileStoreDeps;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aa-assemble-chunks-'));
    database = await createTestDatabase();
    deps = { db: database.db, blobs: await backend.setup() };
  });

  afterAll(async () => {
    await backend.teardown();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function upload(chunks: Buffer[]): Promise<string[]> {
    const checksums: string[] = [];
    for (const chunk of chunks) checksums.push((await storeBlob(deps, chunk, { organizationId: ORG })).checksum);
    return checksums;
  }

  it('writes chunks of every size and kind, repeats included, byte for byte in the listed order', async () => {
    // Every chunk is read into the buffers of the one before: a longer one, a shorter one, an inline one, a repeat.
    const big = randomBytes(3 * MiB + 17);
    const compressible = Buffer.from('var a=1;function b(){return a}\n'.repeat(40_000));
    const inline = Buffer.from('tiny printable tail');
    const medium = randomBytes(MiB / 2);
    const order = [big, compressible, big, inline, medium, compressible];
    const chunks = await upload(order);
    const expected = Buffer.concat(order);
    const targetPath = join(dir, 'every-kind.zip');
    const assembled = await assembleChunks(deps, {
      organizationId: ORG,
      checksum: sha1(expected),
      chunks,
      maxFileSize: 64 * MiB,
      name: 'every-kind.zip',
      targetPath,
    });
    expect(assembled.size).toBe(expected.length);
    expect(assembled.blobs.map((b) => b.size)).toEqual(order.map((c) => c.length));
    const written = await readFile(targetPath);
    expect(written.length).toBe(expected.length);
    expect(sha1(written)).toBe(sha1(expected));
  });

  it('refuses a checksum that does not match the concatenated chunks', async () => {
    const chunks = await upload([randomBytes(1000), randomBytes(2000)]);
    const attempt = assembleChunks(deps, {
      organizationId: ORG,
      checksum: sha1('something else'),
      chunks,
      maxFileSize: MiB,
      name: 'wrong.zip',
      targetPath: join(dir, 'wrong.zip'),
    });
    await expect(attempt).rejects.toMatchObject({ code: 'checksum_mismatch' });
  });
});
