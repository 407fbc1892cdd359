import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import unzipper from 'unzipper';
import yazl from 'yazl';
import { locateCentralDirectory, parseCentralDirectory, ZIP_TAIL_BYTES } from './zipCentralDirectory.js';

// The reader must see exactly what the zip library sees for a plain zip, and step aside (null) for what it does not
// read itself. The library's own reading of the same bytes is the judge.

interface Member {
  path: string;
  content?: string;
  directory?: boolean;
  compress?: boolean;
  mode?: number;
  zip64?: boolean;
}

async function zipOf(members: Member[], comment?: string): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const m of members) {
    if (m.directory) zip.addEmptyDirectory(m.path);
    else zip.addBuffer(Buffer.from(m.content ?? ''), m.path, { compress: m.compress ?? true, mode: m.mode, forceZip64Format: m.zip64 ?? false });
  }
  zip.end({ forceZip64Format: false, comment: comment ?? '' });
  const parts: Buffer[] = [];
  for await (const part of zip.outputStream as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts);
}

function readOwn(file: Buffer) {
  const location = locateCentralDirectory(file.subarray(Math.max(0, file.length - ZIP_TAIL_BYTES)));
  if (!location) return null;
  return parseCentralDirectory(file.subarray(location.offset, location.offset + location.size), location.records);
}

async function readByLibrary(file: Buffer) {
  const directory = await unzipper.Open.buffer(file);
  return directory.files.map((f) => ({
    path: f.path,
    versionMadeBy: f.versionMadeBy,
    flags: f.flags,
    compressionMethod: f.compressionMethod,
    crc32: f.crc32,
    compressedSize: f.compressedSize,
    uncompressedSize: f.uncompressedSize,
    externalFileAttributes: f.externalFileAttributes,
    offsetToLocalFileHeader: f.offsetToLocalFileHeader,
    type: f.type,
  }));
}

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'sentry-cli');

const MEMBERS: Member[] = [
  { path: 'files/_/_/app.js', content: 'console.log(1);\n'.repeat(100) },
  { path: 'files/_/_/stored.txt', content: 'not deflated', compress: false },
  { path: 'files/_/_/dir/', directory: true },
  { path: 'files/_/_/ünïcödé/名前.js', content: 'export {};' },
  { path: 'files/_/_/link.js', content: '/etc/passwd', mode: 0o120777 },
  { path: 'files/_/_/empty.js', content: '' },
  { path: 'manifest.json', content: '{"files":{}}' },
];

it('reads every record of a plain zip as the zip library does', async () => {
  const file = await zipOf(MEMBERS);
  const own = readOwn(file);
  expect(own).toEqual(await readByLibrary(file));
  expect(own?.map((r) => r.type)).toEqual(['File', 'File', 'Directory', 'File', 'File', 'File', 'File']);
});

it('reads the bundles sentry-cli wrote (a SYSB header in front: offsets count from the start of the file) as the zip library does', async () => {
  const bundles = readdirSync(FIXTURES).filter((name) => name.endsWith('.bundle.zip'));
  expect(bundles.length).toBeGreaterThan(0);
  for (const name of bundles) {
    const file = readFileSync(join(FIXTURES, name));
    expect([name, readOwn(file)]).toEqual([name, await readByLibrary(file)]);
  }
});

it('finds the directory behind a zip comment of any length', async () => {
  const comment = 'a comment longer than the eighty bytes some zip readers search for the end record of a zip file';
  const withComment = readOwn(await zipOf(MEMBERS, comment));
  expect(withComment?.length).toBe(MEMBERS.length);
  expect(withComment).toEqual(readOwn(await zipOf(MEMBERS)));
});

it('steps aside for zip64 and for what is not a zip', async () => {
  expect(readOwn(await zipOf([{ path: 'big.js', content: 'x', zip64: true }]))).toBeNull();
  expect(readOwn(Buffer.from('not a zip at all'))).toBeNull();
  const zip = await zipOf(MEMBERS);
  expect(readOwn(zip.subarray(0, zip.length - 10))).toBeNull(); // truncated end record
  const location = locateCentralDirectory(zip) as { offset: number; size: number; records: number };
  const directory = Buffer.from(zip.subarray(location.offset, location.offset + location.size));
  directory.writeUInt32LE(0, 0); // a record without its signature
  expect(parseCentralDirectory(directory, location.records)).toBeNull();
  expect(parseCentralDirectory(zip.subarray(location.offset, location.offset + 60), location.records)).toBeNull(); // cut short
});
