import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import unzipper from 'unzipper';
import yazl from 'yazl';
import { collectStream, openStoredZip, openZipMember, putFile, type FileStoreDeps } from '../../src/adapters/files/index.js';
import { patchZipMember } from '../support/bundles.js';
import type { TestDatabase } from '../support/database.js';
import { countingStore, type TempFsStore, useFileStoreFixture } from './helpers.js';

const FIXTURES = join(process.cwd(), 'test/fixtures/sentry-cli');

async function zipOf(members: Array<{ name: string; content: Buffer; compress?: boolean }>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const m of members) zip.addBuffer(m.content, m.name, { compress: m.compress ?? true, mtime: new Date('2020-01-01T00:00:00Z') });
  zip.addEmptyDirectory('files/');
  zip.end();
  return collectStream(zip.outputStream as never);
}

describe('openZipMember over stored files (Postgres + filesystem store)', () => {
  let database: TestDatabase;
  let fsStore: TempFsStore;
  let deps: FileStoreDeps;

  useFileStoreFixture((fixture) => {
    ({ database, fsStore, deps } = fixture);
  });

  const store = (bytes: Buffer, blobSize = 4096) => putFile(deps, { name: 'archive.zip', type: 'release.bundle' }, bytes, { blobSize });

  it('streams deflated and stored members byte for byte, with their declared size', async () => {
    const deflated = Buffer.from('console.log("hello");\n'.repeat(2000));
    const stored = randomBytes(20_000);
    const file = await store(await zipOf([
      { name: 'files/_/_/app.js', content: deflated },
      { name: 'files/_/_/blob.bin', content: stored, compress: false },
      { name: 'empty.txt', content: Buffer.alloc(0) },
    ]));
    for (const [name, content] of [['files/_/_/app.js', deflated], ['files/_/_/blob.bin', stored], ['empty.txt', Buffer.alloc(0)]] as const) {
      const member = await openZipMember(deps, file.id, name);
      expect(member.size).toBe(content.length);
      expect((await collectStream(member.stream)).equals(content)).toBe(true);
    }
  });

  it('lists members and opens several from one directory read', async () => {
    const file = await store(await zipOf([
      { name: 'a.txt', content: Buffer.from('A') },
      { name: 'b.txt', content: Buffer.from('B') },
    ]));
    const zip = await openStoredZip(deps, file.id);
    expect(zip.memberNames).toEqual(['a.txt', 'b.txt', 'files/']);
    expect(zip.has('a.txt')).toBe(true);
    expect(zip.has('files/')).toBe(false);
    const [a, b] = await Promise.all([collectStream(zip.openMember('a.txt').stream), collectStream(zip.openMember('b.txt').stream)]);
    expect([a.toString(), b.toString()]).toEqual(['A', 'B']);
  });

  it('sizes members from the directory alone: uncompressed bytes for files, null for directories and unknown names', async () => {
    const deflated = Buffer.from('console.log("size");\n'.repeat(3000));
    const stored = randomBytes(10_000);
    const file = await store(await zipOf([
      { name: 'app.js', content: deflated },
      { name: 'blob.bin', content: stored, compress: false },
      { name: 'empty.txt', content: Buffer.alloc(0) },
    ]));
    const counting = countingStore(fsStore.store);
    const zip = await openStoredZip({ ...deps, blobs: counting.store }, file.id);
    const directoryReads = counting.reads.length;
    expect(['app.js', 'blob.bin', 'empty.txt', 'files/', 'nope'].map((name) => zip.memberSize(name))).toEqual([
      deflated.length,
      stored.length,
      0,
      null,
      null,
    ]);
    expect(counting.reads).toHaveLength(directoryReads);
  });

  it('reads the tail, the directory and the member, not the rest of the archive', async () => {
    const big = randomBytes(2 * 1024 * 1024);
    const file = await store(await zipOf([
      { name: 'big.bin', content: big, compress: false },
      { name: 'small.js', content: Buffer.from('small') },
    ]), 64 * 1024);
    const counting = countingStore(fsStore.store);
    const member = await openZipMember({ ...deps, blobs: counting.store }, file.id, 'small.js');
    expect((await collectStream(member.stream)).toString()).toBe('small');
    // 33 blobs in all; the small member, the directory and the tail all sit in the last one or two
    expect(new Set(counting.reads).size).toBeLessThanOrEqual(2);
  });

  it('rejects a missing member and a directory with not_found, and a non-zip with internal', async () => {
    const file = await store(await zipOf([{ name: 'a.txt', content: Buffer.from('A') }]));
    await expect(openZipMember(deps, file.id, 'nope.txt')).rejects.toMatchObject({ code: 'not_found' });
    await expect(openZipMember(deps, file.id, 'files/')).rejects.toMatchObject({ code: 'not_found' });
    const notZip = await store(randomBytes(5000));
    await expect(openZipMember(deps, notZip.id, 'a.txt')).rejects.toMatchObject({ code: 'internal' });
    await expect(openZipMember(deps, '999999999', 'a.txt')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('fails the stream when a member inflates beyond its declared size', async () => {
    const content = Buffer.from('x'.repeat(5000));
    const zip = await zipOf([{ name: 'bomb.js', content }]);
    // lower the declared uncompressed size in the central directory record
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(100, central + 24);
    const file = await store(zip);
    const member = await openZipMember(deps, file.id, 'bomb.js');
    expect(member.size).toBe(100);
    await expect(collectStream(member.stream)).rejects.toThrow('more than its declared 100 bytes');
  });

  it('fails the stream when a member\'s bytes do not match its CRC-32 (deflated and stored)', async () => {
    const zip = await zipOf([
      { name: 'deflated.js', content: Buffer.from('console.log("crc");\n'.repeat(500)) },
      { name: 'stored.bin', content: randomBytes(3000), compress: false },
    ]);
    const file = await store(patchZipMember(patchZipMember(zip, 'deflated.js', { flipCrc32: true }), 'stored.bin', { flipCrc32: true }));
    for (const name of ['deflated.js', 'stored.bin']) {
      const member = await openZipMember(deps, file.id, name);
      await expect(collectStream(member.stream)).rejects.toThrow(`Zip member "${name}" has a bad CRC-32`);
    }
  });

  it('reads every member of the real sentry-cli bundles (8-byte SYSB prefix, absolute offsets)', async () => {
    const bundles = (await readdir(FIXTURES)).filter((name) => name.endsWith('.bundle.zip'));
    expect(bundles.length).toBeGreaterThan(0);
    for (const name of bundles) {
      const bytes = await readFile(join(FIXTURES, name));
      expect(bytes.subarray(0, 4).toString()).toBe('SYSB');
      const file = await store(bytes, 256);
      const expected = await unzipper.Open.buffer(bytes);
      const zip = await openStoredZip(deps, file.id);
      expect(zip.memberNames).toEqual(expected.files.map((f) => f.path));
      for (const entry of expected.files) {
        const member = zip.openMember(entry.path);
        expect((await collectStream(member.stream)).equals(await entry.buffer())).toBe(true);
      }
      const manifest = JSON.parse((await collectStream(zip.openMember('manifest.json').stream)).toString());
      expect(manifest).toEqual(JSON.parse(await readFile(join(FIXTURES, name.replace('.bundle.zip', '.manifest.json')), 'utf8')));
    }
  });

  it('stopping a member read early leaves nothing hanging', async () => {
    const file = await store(await zipOf([{ name: 'r.bin', content: randomBytes(200_000), compress: false }]), 8192);
    const member = await openZipMember(deps, file.id, 'r.bin');
    for await (const chunk of member.stream) {
      expect((chunk as Buffer).length).toBeGreaterThan(0);
      break;
    }
    expect(member.stream.destroyed).toBe(true);
  });
});
