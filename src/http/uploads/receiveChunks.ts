import type { Multipart, MultipartFile } from '@fastify/multipart';
import { storeBlob } from '../../adapters/files/blobs.js';
import type { ChunkDigestThread } from '../../adapters/hashing/ChunkDigestThread.js';
import type { FileStoreDeps } from '../../adapters/files/types.js';
import {
  admitChunkCount,
  admitChunkSize,
  CHUNK_FIELDS,
  INVALID_CHUNK_NAME_ERROR,
  isChunkChecksum,
  partEncoding,
  unexpectedFieldError,
  type ChunkEncoding,
  type ChunkRequestLimits,
  type Decision,
} from '../../domain/chunkUploadLimits.js';
import { AppError } from '../../domain/errors.js';
import type { ChunkBufferPool } from './chunkBuffers.js';
import { decodeChunkPart } from './decodeChunkPart.js';

export interface ReceiveChunksDeps {
  files: FileStoreDeps;
  limits: ChunkRequestLimits;
  /** where parts are received; its buffers hold a part's largest wire size (maxPartWireBytes), at least the chunk size */
  buffers: ChunkBufferPool;
  /** hashes a part where it lies, and inflates a gzip part there, off the main thread when the receive buffer is shared memory */
  checksums: Pick<ChunkDigestThread, 'sha1' | 'gunzipAndSha1'>;
  /** called once per stored chunk with its decoded size (metrics) */
  onChunkStored?: (bytes: number) => void;
}

export interface ChunkRequest {
  organizationId: string;
  /** how `file` parts are encoded, from the request's Content-Encoding */
  encoding: ChunkEncoding;
  hasContentEncoding: boolean;
}

export interface ReceivedChunks {
  chunks: number;
  bytes: number;
}

/**
 * Stores the chunks of one multipart request as they stream in, one part in memory at a time (a gzip part twice: as
 * received and inflated). Each part is checked in Sentry's order (count, decoded size, running total, checksum)
 * before it is stored as a blob owned by the organisation. The first refusal ends the request with `validation_failed`
 * (or `checksum_mismatch`); chunks stored before it stay stored, as in Sentry, where an upload is not atomic either.
 * The same digest may come several times.
 */
export async function receiveChunks(parts: AsyncIterable<Multipart>, deps: ReceiveChunksDeps, request: ChunkRequest): Promise<ReceivedChunks> {
  const received: ReceivedChunks = { chunks: 0, bytes: 0 };
  const iterator = parts[Symbol.asyncIterator]();
  try {
    for (let part = await nextPart(iterator); part !== undefined; part = await nextPart(iterator)) {
      await receivePart(part, deps, request, received);
    }
  } finally {
    await iterator.return?.().catch(() => undefined);
  }
  return received;
}

async function receivePart(part: Multipart, deps: ReceiveChunksDeps, request: ChunkRequest, received: ReceivedChunks): Promise<void> {
  const file = chunkFile(part);
  const encoding = decided(partEncoding(file.fieldname, request.encoding, request.hasContentEncoding));
  received.chunks = decided(admitChunkCount(received.chunks, deps.limits));
  if (!isChunkChecksum(file.filename)) throw new AppError('validation_failed', INVALID_CHUNK_NAME_ERROR);
  const buffer = deps.buffers.take();
  const decoded = await decodeChunkPart(file.file, encoding, buffer, deps.limits.chunkSize, deps.checksums);
  const size = decoded.bytes.length;
  received.bytes = decided(admitChunkSize(received.bytes, size, deps.limits));
  const checksum = decoded.sha1 ?? (await deps.checksums.sha1(decoded.bytes));
  // storeBlob refuses a mismatch (AppError checksum_mismatch, "Checksum mismatch") before writing
  await storeBlob(deps.files, decoded.bytes, { expectedChecksum: file.filename, checksum, organizationId: request.organizationId });
  // Only after a blob is stored is nothing left holding its bytes; after a failure they are left to the GC, not reused.
  deps.buffers.give(buffer);
  deps.onChunkStored?.(size);
}

/** Chunks are file parts; a plain field is refused, with a hint when it has a chunk field's name. */
function chunkFile(part: Multipart): MultipartFile {
  if (part.type === 'file') return part;
  if ((CHUNK_FIELDS as readonly string[]).includes(part.fieldname)) {
    throw new AppError('validation_failed', `Chunk part ${JSON.stringify(part.fieldname)} has no filename: send it as a file named by its SHA-1`);
  }
  throw new AppError('validation_failed', unexpectedFieldError(part.fieldname));
}

function decided<T>(decision: Decision<T>): T {
  if (!decision.ok) throw new AppError('validation_failed', decision.error);
  return decision.value;
}

/** The next part; the parser's own failures (truncated or malformed body, its limits) are the client's fault. */
async function nextPart(iterator: AsyncIterator<Multipart>): Promise<Multipart | undefined> {
  try {
    const next = await iterator.next();
    return next.done ? undefined : next.value;
  } catch (err) {
    throw new AppError('validation_failed', `Malformed multipart body: ${(err as Error).message}`, { cause: err });
  }
}
