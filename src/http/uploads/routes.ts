import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { findReleaseByVersion } from '../../adapters/db/releases.js';
import { ChunkDigestThread } from '../../adapters/hashing/ChunkDigestThread.js';
import { DEFAULT_CHUNK_SIZE } from '../../domain/blobPolicy.js';
import {
  CHUNK_UPLOAD_ERROR,
  chunkUploadBodyLimit,
  maxPartWireBytes,
  requestChunkEncoding,
  type ChunkRequestLimits,
} from '../../domain/chunkUploadLimits.js';
import { isAppError } from '../../domain/errors.js';
import { requestReleaseBundleAssembly } from '../../jobs/assembleProducer.js';
import { NOT_FOUND_DETAIL } from '../errorHandler.js';
import { chunkUploadMetrics } from '../metrics.js';
import '../requestContext.js';
import type { HttpRouteDeps } from '../routeDeps.js';
import { publicBaseUrl } from '../publicBaseUrl.js';
import { chunkUploadOptions } from './chunkUploadOptions.js';
import { ChunkBufferPool } from './chunkBuffers.js';
import { discardUnreadBody } from './discardUnreadBody.js';
import { receiveChunks } from './receiveChunks.js';
import { parseReleaseAssembleBody } from './releaseAssembleBody.js';

/**
 * Organisation scope: chunk-upload GET/POST and POST releases/{version}/assemble/. Each lives in a child scope with
 * only the body parser it needs: multipart for the upload (streamed, never buffered whole), raw text for assemble
 * (so the release lookup comes before any JSON error, and every unparseable body is Sentry's "Invalid json body").
 */
export function uploadRoutes(deps: HttpRouteDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(chunkUploadScope(deps));
    await app.register(releaseAssembleScope(deps));
  };
}

function chunkUploadScope(deps: HttpRouteDeps): FastifyPluginAsync {
  const limits: ChunkRequestLimits = {
    chunkSize: DEFAULT_CHUNK_SIZE,
    chunksPerRequest: deps.uploads.chunksPerRequest,
    maxRequestBytes: deps.uploads.maxRequestBytes,
  };
  const bodyLimit = chunkUploadBodyLimit(limits);
  const buffers = new ChunkBufferPool(maxPartWireBytes(limits));
  const checksums = new ChunkDigestThread();
  return async (scope) => {
    scope.addHook('onClose', () => checksums.close());
    // Only multipart reaches the handler: a JSON or other body gets 415 instead of being buffered up to bodyLimit.
    scope.removeAllContentTypeParsers();
    await scope.register(multipart, {
      throwFileSizeLimit: false, // a part cut at fileSize is reported as "Chunk size too large" by decodeChunkPart
      limits: {
        fileSize: maxPartWireBytes(limits),
        // one part past the chunk limit reaches us (so we answer "Too many chunks"); the parser reads no further
        parts: limits.chunksPerRequest + 1,
        fields: 1,
        fieldSize: 1024,
        headerPairs: 64,
      },
    });
    const stored = scope.metricsRegistry ? chunkUploadMetrics(scope.metricsRegistry) : undefined;

    scope.get('/chunk-upload/', async (request) =>
      chunkUploadOptions({ baseUrl: publicBaseUrl(request, deps.publicUrl), organizationSlug: request.organization.slug, chunkSize: limits.chunkSize, uploads: deps.uploads, maxFileSize: deps.maxFileSize }),
    );

    scope.post('/chunk-upload/', { bodyLimit }, async (request, reply) => {
      const refusal = refuseBeforeReading(request, bodyLimit);
      if (refusal) return refuseUpload(request, reply, refusal, bodyLimit);
      // an empty body never becomes multipart: zero chunks, which Sentry answers with 200
      if (!request.isMultipart()) return reply.code(200).send();
      const contentEncoding = request.headers['content-encoding'];
      const encoding = requestChunkEncoding(contentEncoding);
      if (!encoding.ok) return refuseUpload(request, reply, encoding.error, bodyLimit);
      try {
        await receiveChunks(
          request.parts(),
          {
            files: { db: deps.db, blobs: deps.blobs },
            limits,
            buffers,
            checksums,
            onChunkStored: (bytes) => {
              stored?.chunks.inc();
              stored?.bytes.inc(bytes);
            },
          },
          { organizationId: request.organization.id, encoding: encoding.value, hasContentEncoding: Boolean(contentEncoding?.trim()) },
        );
      } catch (err) {
        if (isAppError(err, 'validation_failed') || isAppError(err, 'checksum_mismatch')) return refuseUpload(request, reply, err.message, bodyLimit);
        discardUnreadBody(request.raw, bodyLimit);
        throw err;
      }
      return reply.code(200).send();
    });
  };
}

/**
 * The multipart parser does not apply fastify's bodyLimit, so a declared length over it is refused here, before a
 * byte is read. (Without a Content-Length, the per-part and part-count limits bound what is read.)
 */
function refuseBeforeReading(request: FastifyRequest, bodyLimit: number): string | undefined {
  const declared = Number(request.headers['content-length'] ?? 0);
  return declared > bodyLimit ? CHUNK_UPLOAD_ERROR.requestTooLarge : undefined;
}

/** Sentry's chunk-upload errors are 400 `{"error": ...}`, which sentry-cli prints; the rest of the body is dropped. */
function refuseUpload(request: FastifyRequest, reply: FastifyReply, error: string, bodyLimit: number): FastifyReply {
  discardUnreadBody(request.raw, bodyLimit);
  return reply.code(400).send({ error });
}

function releaseAssembleScope(deps: HttpRouteDeps): FastifyPluginAsync {
  return async (scope: FastifyInstance) => {
    // Sentry parses the body as JSON whatever its content type; we read it as text and parse it in the handler.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: deps.bodyLimitBytes }, (_request, body, done) => done(null, body));

    scope.post<{ Params: { version: string } }>('/releases/:version/assemble/', async (request, reply) => {
      const organizationId = request.organization.id;
      const release = await findReleaseByVersion(deps.db, organizationId, request.params.version);
      if (!release) return reply.code(404).send({ detail: NOT_FOUND_DETAIL });
      const parsed = parseReleaseAssembleBody(typeof request.body === 'string' ? request.body : undefined);
      if (!parsed.ok) return reply.code(400).send({ error: parsed.error });
      // a lookup and an enqueue: blob contents are only ever read by the worker
      const answer = await requestReleaseBundleAssembly(
        { db: deps.db, queue: deps.assembleQueue, statusStore: deps.statusStore },
        { organizationId, version: release.version, checksum: parsed.body.checksum, chunks: parsed.body.chunks },
      );
      return reply.code(200).send({ state: answer.state, missingChunks: answer.missingChunks, detail: answer.detail });
    });
  };
}
