import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import type unzipper from 'unzipper';
import { loadUnzipper } from './unzipperLoader.js';
import { AppError } from '../../domain/errors.js';
import { openFileRangeReader, type FileRangeReader } from './fileRange.js';
import type { FileStoreDeps } from './types.js';

/** One member of a stored zip, opened for reading: its inflated bytes as a stream, and how many there will be. */
export interface ZipMember {
  name: string;
  /** uncompressed size, from the central directory (the stream fails rather than deliver more or fewer bytes) */
  size: number;
  stream: Readable;
}

/** A stored zip whose central directory has been read; members are opened one at a time, each from its own range. */
export interface StoredZip {
  readonly fileId: string;
  /** member names in directory order, directories included (they end in `/`) */
  readonly memberNames: readonly string[];
  has(memberName: string): boolean;
  /**
   * The uncompressed size the directory declares for a member `openMember` would open, null for any other name.
   * Nothing is read: listings can say how big a member is without inflating it (its stream is held to this size).
   */
  memberSize(memberName: string): number | null;
  /** Rejects unknown names and directories with `not_found`, unreadable members (encrypted, exotic methods) with `internal`. */
  openMember(memberName: string): ZipMember;
}

type ZipEntry = unzipper.File;

const STORED = 0;
const DEFLATED = 8;
const ENCRYPTED_FLAG = 0x1;

/**
 * Opens a stored zip through its central directory, reading only the file's tail and directory (and later each
 * opened member's own range) instead of the whole archive. Offsets are taken as they are in the directory, i.e.
 * counted from the start of the stored file, so a zip behind a prefix whose offsets include it (sentry-cli's
 * `SYSB` artifact bundles) reads like any other.
 */
export async function openStoredZip(deps: FileStoreDeps, fileId: string): Promise<StoredZip> {
  const source = new TrackedRangeSource(await openFileRangeReader(deps, fileId));
  let entries: ZipEntry[];
  try {
    entries = (await (await loadUnzipper()).Open.custom(source.forUnzipper())).files;
  } catch (err) {
    throw new AppError('internal', `File ${fileId} is not a readable zip archive`, { cause: err, details: { fileId } });
  } finally {
    // the directory reads stop short of the end of their ranges; nothing else would close them
    source.destroyOpened();
  }
  const byName = new Map(entries.map((entry) => [entry.path, entry]));
  return {
    fileId,
    memberNames: entries.map((entry) => entry.path),
    has: (memberName) => byName.get(memberName)?.type === 'File',
    memberSize: (memberName) => {
      const entry = byName.get(memberName);
      return entry && isReadableFile(entry) ? entry.uncompressedSize : null;
    },
    openMember: (memberName) => openEntry(source, fileId, memberName, byName.get(memberName)),
  };
}

/** One member of a stored zip, streamed and inflated, without reading the rest of the archive. */
export async function openZipMember(deps: FileStoreDeps, fileId: string, memberName: string): Promise<ZipMember> {
  return (await openStoredZip(deps, fileId)).openMember(memberName);
}

function openEntry(source: TrackedRangeSource, fileId: string, name: string, entry: ZipEntry | undefined): ZipMember {
  if (!entry || entry.type !== 'File') {
    throw new AppError('not_found', `The archive has no member ${JSON.stringify(name)}`, { details: { fileId, name } });
  }
  if (!isReadableFile(entry)) {
    throw new AppError('internal', `Member ${JSON.stringify(name)} of file ${fileId} cannot be read`, { details: { fileId, name } });
  }
  const { result: inflated, opened } = source.capture(() => entry.stream());
  const guard = new MemberCheck(name, entry.uncompressedSize, entry.crc32);
  // pipeline destroys the inflater when the reader goes away early; the range read is closed on top of that
  pipeline(inflated, guard, () => undefined);
  guard.once('close', () => opened.forEach((stream) => stream.destroy()));
  return { name, size: entry.uncompressedSize, stream: guard };
}

/** A file member this module can inflate: unencrypted, and stored or deflated. */
function isReadableFile(entry: ZipEntry): boolean {
  const knownMethod = entry.compressionMethod === STORED || entry.compressionMethod === DEFLATED;
  return entry.type === 'File' && !(entry.flags & ENCRYPTED_FLAG) && knownMethod;
}

/**
 * unzipper's random-access source over a file's byte ranges. It remembers the streams it hands out, because
 * unzipper leaves the directory reads (and a member read cut short) open.
 */
class TrackedRangeSource {
  private opened: Readable[] = [];

  constructor(private readonly reader: FileRangeReader) {}

  forUnzipper() {
    return {
      size: async () => this.reader.size,
      // unzipper passes no length for "to the end", and lengths past the end for member reads (it pads them)
      stream: (offset: number, length?: number) => {
        const stream = this.reader.stream(offset, length ? offset + length : this.reader.size);
        this.opened.push(stream);
        return stream;
      },
    };
  }

  /** Runs `open` and returns the streams it opened, which are then no longer tracked here. */
  capture<T>(open: () => T): { result: T; opened: Readable[] } {
    const before = this.opened.length;
    const result = open();
    const opened = this.opened.splice(before);
    return { result, opened };
  }

  destroyOpened(): void {
    for (const stream of this.opened.splice(0)) stream.destroy();
  }
}

/**
 * Fails the member stream when it inflates to more, or fewer, bytes than the directory declared (bomb, corruption), or
 * when its bytes do not match the directory's CRC-32 (as Python's zipfile and Symbolicator's zip reader would): a
 * download then ends in an error instead of handing out bytes the archive does not vouch for.
 */
class MemberCheck extends Transform {
  private seen = 0;
  private crc = 0;

  constructor(
    private readonly memberName: string,
    private readonly declared: number,
    private readonly expectedCrc: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.declared) return done(this.mismatch('more'));
    this.crc = crc32(chunk, this.crc);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.seen < this.declared) return done(this.mismatch('fewer'));
    done(this.crc === this.expectedCrc ? null : new AppError('internal', `Zip member ${JSON.stringify(this.memberName)} has a bad CRC-32`));
  }

  private mismatch(what: 'more' | 'fewer'): AppError {
    return new AppError('internal', `Zip member ${JSON.stringify(this.memberName)} has ${what} than its declared ${this.declared} bytes`);
  }
}
