import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { storeContent } from '../../adapters/files/index.js';
import { AppError, isAppError } from '../../domain/errors.js';
import { findScopedRelease } from '../../releases/findScopedRelease.js';
import type { ReleaseScope } from '../../releases/releaseDeps.js';
import { uploadReleaseFile } from '../../releases/uploadReleaseFile.js';
import '../requestContext.js';
import type { HttpRouteDeps } from '../routeDeps.js';
import { discardUnreadBody } from '../uploads/discardUnreadBody.js';
import { fileTooLarge, receiveUploadForm } from './receiveUploadForm.js';
import { serializeArtifact } from './serializeArtifact.js';
import { parseUploadForm } from './uploadForm.js';

/** Room for the text fields and the multipart framing around the file, on top of `maxFileSize`. */
const FORM_LIMITS = { fields: 100, fieldSize: 16 * 1024, headerPairs: 64 };
const FORM_OVERHEAD_BYTES = FORM_LIMITS.fields * FORM_LIMITS.fieldSize + 64 * 1024;

const paramsSchema = z.object({ version: z.string().min(1) });

/**
 * `POST releases/{version}/files/`: the legacy single-file upload sentry-cli still uses (`releases files upload`,
 * and `sourcemaps upload` when the server does not accept `release_files` chunks). Its own child scope takes only
 * multipart, streamed, with a body limit of `maxFileSize` plus the form around it rather than the JSON default.
 */
export function releaseFileUploadRoutes(deps: HttpRouteDeps, scopeOf: (request: FastifyRequest) => ReleaseScope): FastifyPluginAsync {
  const files = { db: deps.db, blobs: deps.blobs };
  const bodyLimit = deps.maxFileSize + FORM_OVERHEAD_BYTES;
  return async (scope) => {
    scope.removeAllContentTypeParsers();
    await scope.register(multipart, {
      throwFileSizeLimit: false, // receiveUploadForm counts the bytes itself and answers 413 past maxFileSize
      limits: { ...FORM_LIMITS, files: 1, parts: FORM_LIMITS.fields + 1, fileSize: deps.maxFileSize + 1 },
    });

    scope.post('/releases/:version/files/', { bodyLimit }, async (request, reply) => {
      // the multipart parser does not apply bodyLimit: refuse a declared length over it before reading a byte
      if (Number(request.headers['content-length'] ?? 0) > bodyLimit) return refuse(request, reply, 413, fileTooLarge(deps.maxFileSize).message, bodyLimit);
      const { version } = parse(paramsSchema, request.params);
      const release = await findScopedRelease(deps.db, scopeOf(request), version);
      if (!request.isMultipart()) throw new AppError('validation_failed', 'Missing uploaded file');
      let received;
      try {
        received = await receiveUploadForm(request.parts(), { maxFileSize: deps.maxFileSize, store: (content) => storeContent(files, content) });
      } catch (err) {
        if (isAppError(err, 'file_too_large')) return refuse(request, reply, 413, err.message, bodyLimit);
        discardUnreadBody(request.raw, bodyLimit);
        throw err;
      }
      const parsed = parseUploadForm(received);
      if (!parsed.ok || !received.content) throw new AppError('validation_failed', parsed.ok ? 'Missing uploaded file' : parsed.error);
      const artifact = await uploadReleaseFile(files, release, { ...parsed.form, content: received.content });
      return reply.code(201).send(serializeArtifact(artifact));
    });
  };
}

/** Answers at once and drops the rest of the body, so a client still sending gets the answer. */
function refuse(request: FastifyRequest, reply: FastifyReply, status: number, detail: string, bodyLimit: number): FastifyReply {
  discardUnreadBody(request.raw, bodyLimit);
  return reply.code(status).send({ detail });
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('validation_failed', result.error.issues[0]?.message ?? 'Invalid request');
  return result.data;
}
