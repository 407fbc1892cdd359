import type { Multipart } from '@fastify/multipart';
import { Readable } from 'node:stream';
import type { StoredContent } from '../../adapters/files/index.js';
import { AppError, isAppError } from '../../domain/errors.js';
import type { UploadFormInput } from './uploadForm.js';

export interface ReceivedUploadForm extends UploadFormInput {
  /** the `file` part's content, stored as blobs as it streamed in */
  content: StoredContent | undefined;
}

/**
 * Reads a single-file upload form part by part. The `file` part streams straight into `store` (one blob-sized piece
 * in memory at a time) through a counter that fails with `file_too_large` past `maxFileSize`; text fields are
 * collected. The parts may come in any order: sentry-cli sends the file before its name. Any other file part, or a
 * second `file`, is refused, so nothing is read that would only be dropped.
 */
export async function receiveUploadForm(
  parts: AsyncIterable<Multipart>,
  options: { maxFileSize: number; store: (content: Readable) => Promise<StoredContent> },
): Promise<ReceivedUploadForm> {
  const received: ReceivedUploadForm = { fields: {}, file: undefined, content: undefined };
  const iterator = parts[Symbol.asyncIterator]();
  try {
    for (let part = await nextPart(iterator); part !== undefined; part = await nextPart(iterator)) {
      if (part.type === 'field') {
        if (part.valueTruncated || part.fieldnameTruncated) throw new AppError('validation_failed', `Form field ${JSON.stringify(part.fieldname)} is too long`);
        (received.fields[part.fieldname] ??= []).push(String(part.value));
      } else {
        if (part.fieldname !== 'file' || received.file) throw new AppError('validation_failed', `Unexpected file part ${JSON.stringify(part.fieldname)}: send one part named "file"`);
        received.file = { filename: part.filename, mimetype: part.mimetype || undefined };
        received.content = await options.store(Readable.from(capped(part.file, options.maxFileSize)));
      }
    }
  } finally {
    await iterator.return?.().catch(() => undefined);
  }
  return received;
}

export function fileTooLarge(maxFileSize: number): AppError {
  return new AppError('file_too_large', `File too large: the limit is ${maxFileSize} bytes (maxFileSize)`);
}

/** Passes the stream's bytes on until they pass `maxBytes`, then fails instead of storing any more of them. */
async function* capped(source: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const piece of source) {
    size += piece.length;
    if (size > maxBytes) throw fileTooLarge(maxBytes);
    yield piece;
  }
}

/** The next part; the parser's own failures (a cut or malformed body, its limits) are the client's fault. */
async function nextPart(iterator: AsyncIterator<Multipart>): Promise<Multipart | undefined> {
  try {
    const next = await iterator.next();
    return next.done ? undefined : next.value;
  } catch (err) {
    if (isAppError(err)) throw err;
    throw new AppError('validation_failed', `Malformed multipart body: ${(err as Error).message}`, { cause: err });
  }
}
