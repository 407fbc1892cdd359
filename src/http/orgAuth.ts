import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { isBigintId } from '../adapters/db/bigintId.js';
import { findOrganizationById, findOrganizationBySlug } from '../adapters/db/organizations.js';
import { findProjectsBySlugsOrIds } from '../adapters/db/projects.js';
import type { Database } from '../adapters/db/schema.js';
import { authenticateBearer } from '../auth/apiTokens.js';
import { NOT_FOUND_DETAIL } from './errorHandler.js';
import './requestContext.js';

export const ORGANIZATION_PREFIX = '/api/0/organizations/:organization_id_or_slug';
export const PROJECT_PREFIX = '/api/0/projects/:organization_id_or_slug/:project_id_or_slug';

/**
 * Authenticates the Bearer token (401 when missing, unknown or revoked) and resolves the URL's organisation, by slug
 * or id. A token of another organisation gets the same 404 as a missing organisation, so it learns nothing.
 * Runs on onRequest, before any body is read. Sets `request.organization` and `request.actor`.
 */
export function installOrganizationAuth(scope: FastifyInstance, db: Kysely<Database>): void {
  scope.addHook('onRequest', async (request, reply) => {
    const auth = await authenticateBearer(db, request.headers.authorization);
    if (!auth.ok) return reply.code(401).send({ detail: auth.detail });
    const ref = (request.params as { organization_id_or_slug?: string }).organization_id_or_slug ?? '';
    const organization = (await findOrganizationBySlug(db, ref)) ?? (isBigintId(ref) ? await findOrganizationById(db, ref) : undefined);
    if (!organization || organization.id !== auth.organizationId) return reply.code(404).send({ detail: NOT_FOUND_DETAIL });
    request.organization = { id: organization.id, slug: organization.slug };
    request.actor = { userId: auth.userId, isSuperuser: auth.isSuperuser };
  });
}

/**
 * For routes under PROJECT_PREFIX: the organisation auth above, then the URL's project (slug, or id) within that
 * organisation; an unknown project is the same 404. Sets `request.project` as well.
 */
export function installProjectAuth(scope: FastifyInstance, db: Kysely<Database>): void {
  installOrganizationAuth(scope, db);
  scope.addHook('onRequest', async (request, reply) => {
    const ref = (request.params as { project_id_or_slug?: string }).project_id_or_slug ?? '';
    const [project] = await findProjectsBySlugsOrIds(db, request.organization.id, [ref]);
    if (!project) return reply.code(404).send({ detail: NOT_FOUND_DETAIL });
    request.project = { id: project.id, slug: project.slug };
  });
}
