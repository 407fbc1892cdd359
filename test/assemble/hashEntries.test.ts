import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import { BundleArchive } from '../../src/workers/assemble/bundleArchive.js';
import { buildBundle, manifestFor, sha1, type BundleFile } from '../support/bundles.js';

// BundleArchive.openEntryStream reads a stored or deflated entry's data straight from the file (the zip library only
// for unusual entries); BundleArchive.hashEntries reads each small entry's local header and data in one read through one handle on the zip.
// Whatever the header's length or the entry's size, the digests are those of the original bytes, in manifest order.

const limits = { maxBundleFiles: 1000, maxBundleUncompressedBytes: 1 << 30, maxManifestBytes: 1 << 20 };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aa-hash-entries-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function archiveOf(files: BundleFile[]): Promise<BundleArchive> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.zip`);
  await writeFile(path, await buildBundle({ files }));
  return BundleArchive.open(path, limits);
}

/** A bundle zip whose members' options (stored, zip64) the test picks, opened as a BundleArchive. */
async function yazlArchive(files: BundleFile[], options: (file: BundleFile) => Partial<yazl.Options>): Promise<BundleArchive> {
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addBuffer(Buffer.from(f.content), f.path, options(f));
  zip.addBuffer(Buffer.from(JSON.stringify(manifestFor({ files }))), 'manifest.json', options({ path: 'manifest.json', content: '' }));
  zip.end();
  const bytes: Buffer[] = [];
  for await (const piece of zip.outputStream as AsyncIterable<Buffer>) bytes.push(piece);
  const path = join(dir, `${Math.random().toString(36).slice(2)}.zip`);
  await writeFile(path, Buffer.concat(bytes));
  return BundleArchive.open(path, limits);
}

it('digests entries whose local header is longer than one read guesses, small and large entries alike', async () => {
  const longName = `files/_/_/${'deep/'.repeat(150)}app.js`; // 760 bytes of name in the local header
  const files: BundleFile[] = [
    { path: longName, content: 'console.log("long name");\n'.repeat(40) },
    { path: 'files/_/_/small.js', content: 'x'.repeat(100) },
    { path: 'files/_/_/large.js', content: Buffer.from(Array.from({ length: 3 << 20 }, (_, i) => (i * 7919) % 251)) },
    { path: 'files/_/_/empty.js', content: '' },
  ];
  const archive = await archiveOf(files);
  const keys = archive.manifest.files.map((f) => f.key);
  const digests = await archive.hashEntries(keys, 3);
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  expect(digests).toEqual(keys.map((key) => ({ sha1: sha1(byPath.get(key) as string | Buffer), size: Buffer.from(byPath.get(key) as string | Buffer).length })));
});

it('hashes many entries through one handle in manifest order', async () => {
  const files = Array.from({ length: 300 }, (_, i) => ({ path: `files/_/_/f${i}.js`, content: `export const v${i} = ${i};\n`.repeat(i + 1) }));
  const archive = await archiveOf(files);
  const keys = archive.manifest.files.map((f) => f.key);
  const expected = keys.map((key) => {
    const content = files.find((f) => f.path === key)?.content as string;
    return { sha1: sha1(content), size: Buffer.byteLength(content) };
  });
  expect(await archive.hashEntries(keys, 8)).toEqual(expected);
});

it('streams stored and deflated entries of every size from the file, whole and CRC-checked', async () => {
  const big = Buffer.from(Array.from({ length: 5 << 20 }, (_, i) => (i * 31) % 253));
  const files: BundleFile[] = [
    { path: 'files/_/_/stored.js', content: big },
    { path: 'files/_/_/deflated.js', content: big },
    { path: 'files/_/_/tiny-stored.js', content: 'x' },
    { path: 'files/_/_/empty-stored.js', content: '' },
  ];
  const archive = await yazlArchive(files, (f) => ({ compress: !f.path.includes('stored') }));
  for (const f of files) {
    expect([f.path, sha1(await archive.readEntry(f.path))]).toEqual([f.path, sha1(f.content)]);
  }
  // a reader that stops early closes the entry's stream (and with it the file read behind it)
  const stream = archive.openEntryStream('files/_/_/stored.js');
  for await (const piece of stream as AsyncIterable<Buffer>) {
    expect(piece.length).toBeGreaterThan(0);
    break;
  }
  expect(stream.destroyed).toBe(true);
});

it('opens a zip64 bundle through the zip library, with the same digests', async () => {
  const files: BundleFile[] = [
    { path: 'files/_/_/a.js', content: 'console.log("a");\n'.repeat(30) },
    { path: 'files/_/_/b.js', content: Buffer.alloc(2 << 20, 7) },
  ];
  const archive = await yazlArchive(files, () => ({ forceZip64Format: true }));
  const keys = archive.manifest.files.map((f) => f.key);
  expect(await archive.hashEntries(keys, 2)).toEqual(keys.map((key) => {
    const content = files.find((f) => f.path === key)?.content as string | Buffer;
    return { sha1: sha1(content), size: Buffer.from(content).length };
  }));
  expect(sha1(await archive.readEntry('files/_/_/b.js'))).toBe(sha1(files[1]!.content));
});

it('hands entries whose local header it does not recognise to the zip library, which reads them (it does not check that signature)', async () => {
  const files: BundleFile[] = [
    { path: 'files/_/_/a.js', content: 'console.log("a");\n'.repeat(30) },
    { path: 'files/_/_/b.js', content: 'console.log("b");\n'.repeat(30) },
  ];
  const zip = await buildBundle({ files });
  for (const member of ['files/_/_/a.js', 'files/_/_/b.js']) {
    const at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), zip.indexOf(member) - 30);
    zip.writeUInt32LE(0, at); // the local header's signature, gone
  }
  const path = join(dir, 'bad-local-headers.zip');
  await writeFile(path, zip);
  const archive = await BundleArchive.open(path, limits);
  for (const f of files) expect([f.path, (await archive.readEntry(f.path)).toString()]).toEqual([f.path, f.content]);
});
