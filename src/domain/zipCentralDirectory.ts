/**
 * A zip's central directory, read from its bytes (no I/O here). Only the plain case: a zip64 archive, or anything
 * this reader does not expect, answers null, and the caller hands the file to the zip library instead, which knows
 * the rest (and names what is wrong). Offsets count from the start of the file, as they are written (sentry-cli's
 * `SYSB` header in front of a bundle's zip is part of the file).
 */

export type ZipEntryType = 'File' | 'Directory';

export interface ZipDirectoryRecord {
  path: string;
  versionMadeBy: number;
  flags: number;
  compressionMethod: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  externalFileAttributes: number;
  offsetToLocalFileHeader: number;
  type: ZipEntryType;
}

export interface CentralDirectoryLocation {
  offset: number;
  size: number;
  records: number;
}

const END_SIGNATURE = 0x06054b50;
const END_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
const RECORD_SIGNATURE = 0x02014b50;
const RECORD_BYTES = 46;
/** A field at its maximum means the real value is in a zip64 field. */
const ZIP64_16 = 0xffff;
const ZIP64_32 = 0xffffffff;

/** A local file header's layout (APPNOTE 4.3.7), and how much past it one read takes for its name and extra field. */
export const LOCAL_HEADER = {
  headerBytes: 30,
  signature: 0x04034b50,
  /** usually far more than an entry's name and extra field take; a longer header costs its reader a second read */
  nameAndExtraGuess: 512,
} as const;

/**
 * How far past its local header's start an entry's data begins (the header, its file name and extra field), from
 * bytes read at that start; null when they are not a local header.
 */
export function dataOffsetInLocalHeader(header: Buffer, bytesRead: number): number | null {
  if (bytesRead < LOCAL_HEADER.headerBytes || header.readUInt32LE(0) !== LOCAL_HEADER.signature) return null;
  return LOCAL_HEADER.headerBytes + header.readUInt16LE(26) + header.readUInt16LE(28);
}

/** How many bytes at the end of a file hold its end-of-central-directory record, whatever its comment. */
export const ZIP_TAIL_BYTES = END_BYTES + MAX_COMMENT_BYTES;

/**
 * Where the central directory is, from the last `ZIP_TAIL_BYTES` (or fewer) of the file: the last end record whose
 * comment fits in what follows it. Null when there is none, or the archive is zip64.
 */
export function locateCentralDirectory(tail: Buffer): CentralDirectoryLocation | null {
  for (let at = tail.length - END_BYTES; at >= 0; at -= 1) {
    if (tail.readUInt32LE(at) !== END_SIGNATURE) continue;
    if (at + END_BYTES + tail.readUInt16LE(at + 20) > tail.length) continue; // the signature's bytes inside a comment
    const disk = tail.readUInt16LE(at + 4);
    const records = tail.readUInt16LE(at + 10);
    const size = tail.readUInt32LE(at + 12);
    const offset = tail.readUInt32LE(at + 16);
    if (disk === ZIP64_16 || records === ZIP64_16 || size === ZIP64_32 || offset === ZIP64_32) return null;
    return { offset, size, records };
  }
  return null;
}

/** The directory's records, in order; null when a record is not where or what it should be, or carries zip64 sizes. */
export function parseCentralDirectory(bytes: Buffer, records: number): ZipDirectoryRecord[] | null {
  const entries: ZipDirectoryRecord[] = [];
  let at = 0;
  for (let i = 0; i < records; i += 1) {
    if (at + RECORD_BYTES > bytes.length || bytes.readUInt32LE(at) !== RECORD_SIGNATURE) return null;
    const compressedSize = bytes.readUInt32LE(at + 20);
    const uncompressedSize = bytes.readUInt32LE(at + 24);
    const offsetToLocalFileHeader = bytes.readUInt32LE(at + 42);
    if (compressedSize === ZIP64_32 || uncompressedSize === ZIP64_32 || offsetToLocalFileHeader === ZIP64_32) return null;
    const nameEnd = at + RECORD_BYTES + bytes.readUInt16LE(at + 28);
    const next = nameEnd + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    if (next > bytes.length) return null;
    // names are UTF-8 whatever the flag says, as the zip library reads them (a manifest key must match byte for byte)
    const path = bytes.toString('utf8', at + RECORD_BYTES, nameEnd);
    entries.push({
      path,
      versionMadeBy: bytes.readUInt16LE(at + 4),
      flags: bytes.readUInt16LE(at + 8),
      compressionMethod: bytes.readUInt16LE(at + 10),
      crc32: bytes.readUInt32LE(at + 16),
      compressedSize,
      uncompressedSize,
      externalFileAttributes: bytes.readUInt32LE(at + 38),
      offsetToLocalFileHeader,
      type: uncompressedSize === 0 && /[/\\]$/.test(path) ? 'Directory' : 'File',
    });
    at = next;
  }
  return entries;
}
