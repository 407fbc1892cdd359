import type { FastifyReply } from 'fastify';
import type { DownloadContent } from '../adapters/files/index.js';
import { contentDisposition } from './releaseFiles/contentDisposition.js';

/** Answers with a file's bytes as a download (release files and artifact bundles alike): streamed, sized, named. */
export function sendDownload(reply: FastifyReply, content: DownloadContent): FastifyReply {
  return reply
    .header('Content-Type', content.contentType)
    .header('Content-Length', String(content.size))
    .header('Content-Disposition', contentDisposition(content.filename))
    .send(content.stream);
}
