import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { findProjectsBySlugsOrIds } from '../../adapters/db/projects.js';
import { isAppError } from '../../domain/errors.js';
import { DIST_WITHOUT_RELEASE_MESSAGE, requestArtifactBundleAssembly } from '../../jobs/artifactBundleProducer.js';
import type { HttpRouteDeps } from '../routeDeps.js';
import { parseAssembleBody } from './assembleBody.js';
import { lookupRoutes } from './lookupRoutes.js';

/** Room for 100 000 chunk digests (about 4.3 MB of JSON), whatever the default body limit is. */
const ASSEMBLE_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * Organisation scope: POST artifactbundle/assemble/ (reference 1.4.2; cli protocol 2.6 and 2.11). The body is parsed
 * here, not by fastify, so that bad JSON and schema errors get Sentry's `{"error": ...}` bodies. Every check that can
 * refuse the request runs before any status is written (DESIGN.md section 3).
 */
export function artifactBundleAssembleRoutes(deps: HttpRouteDeps): FastifyPluginAsync {
  return async (scope) => {
    // Encapsulated: only this plugin's routes take their body as text.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    scope.post('/artifactbundle/assemble/', { bodyLimit: Math.max(deps.bodyLimitBytes, ASSEMBLE_BODY_LIMIT_BYTES) }, async (request, reply) => {
      const parsed = parseAssembleBody(typeof request.body === 'string' ? request.body : '');
      if (!parsed.ok) return badRequest(reply, parsed.error);
      const { body } = parsed;
      if (body.projects.length === 0) return badRequest(reply, 'You need to specify at least one project');
      const projectIds = await resolveProjects(deps, request.organization.id, body.projects);
      if (!projectIds) return badRequest(reply, 'One or more projects are invalid');
      if (body.dist && !body.version) return badRequest(reply, DIST_WITHOUT_RELEASE_MESSAGE);
      try {
        const answer = await requestArtifactBundleAssembly(
          { db: deps.db, queue: deps.assembleQueue, statusStore: deps.statusStore },
          {
            organizationId: request.organization.id,
            projectIds,
            version: body.version ?? null,
            dist: body.dist || null,
            checksum: body.checksum,
            chunks: body.chunks,
          },
        );
        request.log.info(
          { organizationId: request.organization.id, checksum: body.checksum, release: body.version, state: answer.state },
          'artifact bundle assemble request',
        );
        return reply.send(answer);
      } catch (err) {
        if (isAppError(err, 'validation_failed')) return badRequest(reply, err.message);
        throw err;
      }
    });
  };
}

/** Every ref must name an active project of the organisation, by slug or (all digits) by id; else null. */
async function resolveProjects(deps: HttpRouteDeps, organizationId: string, refs: string[]): Promise<string[] | null> {
  const unique = [...new Set(refs)];
  const found = await findProjectsBySlugsOrIds(deps.db, organizationId, unique);
  const matched = unique.every((ref) => found.some((p) => p.slug === ref || p.id === ref));
  return matched ? [...new Set(found.map((p) => p.id))] : null;
}

function badRequest(reply: FastifyReply, error: string) {
  return reply.code(400).send({ error });
}

/** Project scope: Sentry's GET artifact-lookup/ (and ?download=), our own GET artifacts/lookup/ with its downloads. */
export function artifactLookupRoutes(deps: HttpRouteDeps): FastifyPluginAsync {
  return lookupRoutes(deps);
}
