import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createReadStream } from 'node:fs';
import { crc32, createInflateRaw, inflateRaw } from 'node:zlib';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pMap from 'p-map';
import { loadUnzipper } from '../../adapters/files/unzipperLoader.js';
import { BATCH_ENTRIES, type ZipEntryDigest, type ZipEntryHashThreads } from '../../adapters/hashing/ZipEntryHashThreads.js';
import { AppError } from '../../domain/errors.js';
import { parseBundleManifest, validateManifestKeys, type BundleManifest } from '../../domain/manifest.js';
import {
  dataOffsetInLocalHeader,
  LOCAL_HEADER,
  locateCentralDirectory,
  parseCentralDirectory,
  ZIP_TAIL_BYTES,
  type ZipDirectoryRecord,
} from '../../domain/zipCentralDirectory.js';

export interface BundleLimits {
  maxBundleFiles: number;
  maxBundleUncompressedBytes: number;
  maxManifestBytes: number;
}

/** A directory record and, for what the reads here do not handle themselves, the zip library's stream of it. */
type ZipFile = ZipDirectoryRecord & { stream(): Readable };
type EntryKind = 'File' | 'Directory' | 'SymbolicLink';

const MANIFEST_NAME = 'manifest.json';
const UNIX_HOST = 3;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const ENCRYPTED_FLAG = 0x1;
const STORED = 0;
const DEFLATE = 8;
/**
 * The pieces a streamed entry is read and inflated in: a file read of this size and inflated output of this size
 * (zlib's default is 16 KiB, a callback and a small buffer each, which V8 lets pile up between full GCs).
 */
export const ENTRY_STREAM_PIECE_BYTES = 64 * 1024;
/**
 * Entries whose compressed and inflated sizes are both at most this are read with one positioned read and inflated
 * in one call on libuv's pool (so several entries inflate on both cores at once), instead of through a stream per
 * entry. With storeReleaseArchive's HASH_CONCURRENCY entries in flight this bounds the memory of the hashing to
 * HASH_CONCURRENCY x 2 x ONE_SHOT_ENTRY_MAX_BYTES. Larger entries stream, one piece at a time.
 */
export const ONE_SHOT_ENTRY_MAX_BYTES = 1024 * 1024;

/** Fewer small entries than this are hashed here: starting a thread (some tens of ms) would cost more. */
export const THREADS_MIN_ENTRIES = BATCH_ENTRIES;

const inflateRawAsync = promisify(inflateRaw);
const MIN_ZLIB_CHUNK = 64;

const invalid = (reason: string, cause?: unknown) =>
  new AppError('bundle_invalid', `the bundle is invalid: ${reason}`, cause === undefined ? undefined : { cause });
const overLimit = (reason: string) => new AppError('bundle_limit_exceeded', `the bundle is invalid: ${reason}`);
const inflatesPastDeclared = (key: string, declared: number) =>
  overLimit(`entry "${key}" inflates beyond its declared size of ${declared} bytes`);
/** Python's zipfile (Sentry) refuses such a member when it reads it ("Bad CRC-32 for file"); a permanent error. */
const badCrc = (key: string) => invalid(`entry "${key}" has a bad CRC-32`);

function entryKind(file: ZipFile): EntryKind {
  const madeOnUnix = file.versionMadeBy >> 8 === UNIX_HOST;
  if (madeOnUnix && ((file.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) return 'SymbolicLink';
  return file.type;
}

/**
 * Counts inflated bytes and fails the stream once an entry yields more than its directory record declared; at the end,
 * fails it when the bytes do not match the directory's CRC-32 (zlib's crc32 over bytes already in hand costs little).
 */
class EntryCheck extends Transform {
  private seen = 0;
  private crc = 0;
  constructor(
    private readonly path: string,
    private readonly declared: number,
    private readonly expectedCrc: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.declared) {
      done(inflatesPastDeclared(this.path, this.declared));
      return;
    }
    this.crc = crc32(chunk, this.crc);
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    done(this.crc === this.expectedCrc ? null : badCrc(this.path));
  }
}

/**
 * A bundle zip opened through its central directory (the 8-byte `SYSB` header that sentry-cli puts in front of the
 * zip stays in place: offsets count from the start of the file). Entries are read by manifest key from the zip,
 * never from a path on disk built from the key. Every refusal has its own message, prefixed like Sentry's.
 */
export class BundleArchive {
  private constructor(
    readonly manifest: BundleManifest,
    private readonly entries: ReadonlyMap<string, ZipFile>,
    private readonly path: string,
  ) {}

  static async open(path: string, limits: BundleLimits): Promise<BundleArchive> {
    const files = await readCentralDirectory(path);
    const entries = indexEntries(files, limits);
    const manifestFile = entries.get(MANIFEST_NAME);
    if (!manifestFile) throw invalid('manifest.json is missing');
    if (manifestFile.uncompressedSize > limits.maxManifestBytes) {
      throw overLimit(`manifest.json is larger than ${limits.maxManifestBytes} bytes`);
    }
    const archive = new BundleArchive(emptyManifest(), entries, path);
    const manifest = parseBundleManifest(await archive.readEntry(MANIFEST_NAME));
    validateManifestKeys(manifest, describeEntries(entries));
    return new BundleArchive(manifest, entries, path);
  }

  declaredSize(key: string): number {
    return this.entry(key).uncompressedSize;
  }

  /** The entry's inflated bytes, guarded against zip bombs; the stream fails at its end if the CRC-32 is wrong. */
  openEntryStream(key: string): Readable {
    const file = this.entry(key);
    const guard = new EntryCheck(key, file.uncompressedSize, file.crc32);
    const fail = (err: unknown) => guard.destroy(asCorruptEntry(key, err));
    this.openEntrySource(file).then(([source, inflate]) => {
      const stop = () => [source, inflate].forEach((stream) => stream?.destroy());
      if (guard.destroyed) return stop(); // its reader went away while the header was read
      for (const stream of [source, inflate]) stream?.on('error', fail);
      // the guard failing (or its reader going away) stops the reads behind it
      guard.once('close', stop);
      (inflate ? source.pipe(inflate) : source).pipe(guard);
    }, fail);
    return guard;
  }

  /**
   * What an entry's bytes come from: for a stored or deflated entry whose local header is where the directory says,
   * a read of exactly its data from the file (inflated in ENTRY_STREAM_PIECE_BYTES pieces); for anything else, the
   * zip library's own stream (it knows the unusual cases and names what is wrong with them).
   */
  private async openEntrySource(file: ZipFile): Promise<[Readable, Transform?]> {
    if (file.compressionMethod === STORED && file.compressedSize === 0) return [Readable.from([])];
    if ((file.compressionMethod === STORED || file.compressionMethod === DEFLATE) && file.compressedSize > 0) {
      const dataAt = await localDataOffset(this.path, file);
      if (dataAt !== null) {
        const range = { start: dataAt, end: dataAt + file.compressedSize - 1, highWaterMark: ENTRY_STREAM_PIECE_BYTES };
        const data = createReadStream(this.path, range);
        return file.compressionMethod === STORED ? [data] : [data, createInflateRaw({ chunkSize: ENTRY_STREAM_PIECE_BYTES })];
      }
    }
    return [file.stream()];
  }

  async readEntry(key: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    await pipeline(this.openEntryStream(key), async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) parts.push(chunk);
    }).catch((err: unknown) => {
      throw asCorruptEntry(key, err);
    });
    return Buffer.concat(parts);
  }

  /**
   * SHA-1 and size of each entry's inflated bytes, in the order of `keys`, each CRC-32 checked on the way: the one
   * place a member's bytes pass through when they are stored as an archive. Small entries go to `threads` when given
   * (see ZipEntryHashThreads); what they do not answer, and everything without them, is hashed here, `concurrency`
   * entries at a time, through one handle on the zip (not one per entry: 10,000 opens and closes cost the threadpool
   * more than the reads).
   */
  async hashEntries(
    keys: readonly string[],
    concurrency: number,
    threads?: Pick<ZipEntryHashThreads, 'hash'>,
  ): Promise<Array<{ sha1: string; size: number }>> {
    const fromThreads = threads ? await this.hashOnThreads(keys, threads) : new Map<string, ZipEntryDigest>();
    const handle = await open(this.path, 'r');
    try {
      return await pMap(keys, (key) => this.digestFrom(fromThreads.get(key), key) ?? this.hashEntry(key, handle), { concurrency });
    } finally {
      await handle.close();
    }
  }

  /** The threads' digests of the small stored and deflated entries; none when there are too few or a thread failed. */
  private async hashOnThreads(keys: readonly string[], threads: Pick<ZipEntryHashThreads, 'hash'>): Promise<Map<string, ZipEntryDigest>> {
    const small = keys.map((key) => ({ key, file: this.entry(key) })).filter(({ file }) => isSmallEntry(file));
    if (small.length < THREADS_MIN_ENTRIES) return new Map();
    const spans = small.map(({ file }) => {
      const method: 0 | 8 = file.compressionMethod === STORED ? 0 : 8;
      return { localHeaderOffset: file.offsetToLocalFileHeader, compressedSize: file.compressedSize, uncompressedSize: file.uncompressedSize, crc32: file.crc32, method };
    });
    // a thread that died or could not read the zip costs the time of its batch, not the job: the entries are hashed here
    const digests = await threads.hash(this.path, spans).catch(() => []);
    return new Map(digests.map((digest, i) => [small[i]!.key, digest]));
  }

  /** A thread's digest, the fault it found, or undefined when this thread is to read the entry itself. */
  private digestFrom(digest: ZipEntryDigest | undefined, key: string): { sha1: string; size: number } | undefined {
    if (!digest) return undefined;
    if (!('refused' in digest)) return digest;
    if (digest.refused === 'bad_crc') throw badCrc(key);
    if (digest.refused === 'too_large') throw inflatesPastDeclared(key, this.entry(key).uncompressedSize);
    return undefined;
  }

  private async hashEntry(key: string, handle: FileHandle): Promise<{ sha1: string; size: number }> {
    const file = this.entry(key);
    const whole = await readSmallEntry(key, file, handle);
    if (whole) {
      if (crc32(whole) !== file.crc32) throw badCrc(key);
      return digest([whole]);
    }
    let size = 0;
    const hash = createHash('sha1');
    await pipeline(this.openEntryStream(key), async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        size += chunk.length;
      }
    }).catch((err: unknown) => {
      throw asCorruptEntry(key, err);
    });
    return { sha1: hash.digest('hex'), size };
  }

  private entry(key: string): ZipFile {
    const file = this.entries.get(key);
    if (!file) throw invalid(`manifest entry "${key}" is missing from the zip`);
    return file;
  }
}

/** What a hashing thread takes: stored or deflated, data at most ONE_SHOT_ENTRY_MAX_BYTES each way. */
function isSmallEntry(file: ZipFile): boolean {
  if (file.compressionMethod !== STORED && file.compressionMethod !== DEFLATE) return false;
  return file.compressedSize > 0 && file.compressedSize <= ONE_SHOT_ENTRY_MAX_BYTES && file.uncompressedSize <= ONE_SHOT_ENTRY_MAX_BYTES;
}

function digest(chunks: Buffer[]): { sha1: string; size: number } {
  const hash = createHash('sha1');
  let size = 0;
  for (const chunk of chunks) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha1: hash.digest('hex'), size };
}

/**
 * The inflated bytes of a small deflated entry, or null when the entry is not one (or anything about it is unusual:
 * then the streaming path reads it and reports what is wrong, with the same words as before).
 */
async function readSmallEntry(key: string, file: ZipFile, handle: FileHandle): Promise<Buffer | null> {
  const declared = file.uncompressedSize;
  if (file.compressionMethod !== DEFLATE || declared < 1 || declared > ONE_SHOT_ENTRY_MAX_BYTES) return null;
  if (file.compressedSize > ONE_SHOT_ENTRY_MAX_BYTES) return null;
  const compressed = await readLocalData(handle, file);
  if (!compressed) return null;
  try {
    // one output buffer of the declared size: zlib's default 16 KiB chunks would cost a callback and a copy each
    return await inflateRawAsync(compressed, { maxOutputLength: declared, chunkSize: Math.max(MIN_ZLIB_CHUNK, declared) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw inflatesPastDeclared(key, declared);
    }
    return null;
  }
}

/** Where an entry's data starts in the file, from its local header; null when the header is not where it should be. */
async function localDataOffset(path: string, file: ZipFile): Promise<number | null> {
  const handle = await open(path, 'r');
  try {
    const header = Buffer.alloc(LOCAL_HEADER.headerBytes);
    const { bytesRead } = await handle.read(header, 0, LOCAL_HEADER.headerBytes, file.offsetToLocalFileHeader);
    const dataOffset = dataOffsetInLocalHeader(header, bytesRead);
    return dataOffset === null ? null : file.offsetToLocalFileHeader + dataOffset;
  } finally {
    await handle.close();
  }
}

/**
 * An entry's compressed bytes, found through its local header; null when the header is not where it should be. One
 * read takes the header, a guess at its name and extra field, and the data; a header longer than the guess costs a
 * second read.
 */
async function readLocalData(handle: FileHandle, file: ZipFile): Promise<Buffer | null> {
  const at = file.offsetToLocalFileHeader;
  const first = Buffer.allocUnsafe(LOCAL_HEADER.headerBytes + LOCAL_HEADER.nameAndExtraGuess + file.compressedSize);
  const { bytesRead } = await handle.read(first, 0, first.length, at);
  const dataOffset = dataOffsetInLocalHeader(first, bytesRead);
  if (dataOffset === null) return null;
  const dataEnd = dataOffset + file.compressedSize;
  if (dataEnd <= bytesRead) return first.subarray(dataOffset, dataEnd);
  const data = Buffer.allocUnsafe(file.compressedSize);
  const read = await handle.read(data, 0, data.length, at + dataOffset);
  return read.bytesRead === data.length ? data : null;
}

function asCorruptEntry(key: string, err: unknown): AppError {
  if (err instanceof AppError) return err;
  return invalid(`entry "${key}" is corrupt (${err instanceof Error ? err.message : String(err)})`, err);
}

/**
 * The zip's directory: read here for a plain zip (one read of its tail, one of the directory), by the zip library
 * (loaded then) for zip64 and anything unusual, which also names what is wrong with a broken one.
 */
async function readCentralDirectory(path: string): Promise<ZipFile[]> {
  try {
    const records = await readPlainDirectory(path);
    if (records) {
      // the library reads the directory again only if an entry needs it, and then once for all of them
      let libraryFiles: Promise<readonly ZipFile[]> | undefined;
      const library = () => (libraryFiles ??= loadUnzipper().then(async (unzipper) => (await unzipper.Open.file(path)).files));
      return records.map((record) => ({ ...record, stream: () => libraryEntryStream(library(), record.path) }));
    }
    return (await (await loadUnzipper()).Open.file(path)).files;
  } catch (err) {
    throw invalid('not a readable zip archive', err);
  }
}

async function readPlainDirectory(path: string): Promise<ZipDirectoryRecord[] | null> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const tail = Buffer.alloc(Math.min(size, ZIP_TAIL_BYTES));
    await handle.read(tail, 0, tail.length, size - tail.length);
    const location = locateCentralDirectory(tail);
    if (!location || location.offset + location.size > size) return null;
    const directory = Buffer.alloc(location.size);
    const { bytesRead } = await handle.read(directory, 0, location.size, location.offset);
    return bytesRead === location.size ? parseCentralDirectory(directory, location.records) : null;
  } finally {
    await handle.close();
  }
}

/** The zip library's stream of one entry (the last of that name, as the index keeps), for entries read unusually. */
function libraryEntryStream(libraryFiles: Promise<readonly ZipFile[]>, entryPath: string): Readable {
  const out = new PassThrough();
  libraryFiles
    .then((files) => {
      const file = files.findLast((candidate) => candidate.path === entryPath);
      if (!file) throw new Error(`entry "${entryPath}" is not in the zip's directory`);
      const source = file.stream();
      source.on('error', (err) => out.destroy(err));
      source.pipe(out);
    })
    .catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

function indexEntries(files: ZipFile[], limits: BundleLimits): Map<string, ZipFile> {
  if (files.length > limits.maxBundleFiles) {
    throw overLimit(`it has ${files.length} entries, more than the limit of ${limits.maxBundleFiles}`);
  }
  let total = 0;
  const entries = new Map<string, ZipFile>();
  for (const file of files) {
    if (file.flags & ENCRYPTED_FLAG) throw invalid(`entry "${file.path}" is encrypted`);
    if (entryKind(file) === 'SymbolicLink') throw invalid(`entry "${file.path}" is a symbolic link`);
    total += file.uncompressedSize;
    if (total > limits.maxBundleUncompressedBytes) {
      throw overLimit(`its entries inflate to more than the limit of ${limits.maxBundleUncompressedBytes} bytes`);
    }
    entries.set(file.path, file);
  }
  return entries;
}

function describeEntries(entries: ReadonlyMap<string, ZipFile>) {
  const described = new Map<string, { type: EntryKind; declaredSize: number }>();
  for (const [path, file] of entries) described.set(path, { type: entryKind(file), declaredSize: file.uncompressedSize });
  return described;
}

function emptyManifest(): BundleManifest {
  return { org: null, release: null, dist: null, project: null, debugId: null, files: [] };
}
