import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import { asApiTokenDb } from '../../adapters/db/apiTokenSchema.js';
import type { Database } from '../../adapters/db/schema.js';
import { authenticateBearer } from '../../auth/apiTokens.js';

/**
 * What an organisation token may do when it was created without explicit scopes: Sentry's organisation auth tokens
 * (`sntrys_`) carry `org:ci`, the scope of CI uploads (releases, source maps).
 */
export const DEFAULT_TOKEN_SCOPES = ['org:ci'];

/** Sentry's answer to `GET /api/0/`: the API version, the token's scopes, and its user (if the token has one). */
export interface ApiIndexJson {
  version: '0';
  auth: { scopes: string[] } | null;
  user: { id: string; name: string; username: string; email: string } | null;
}

/**
 * `GET /api/0/` (Sentry's index endpoint), what `sentry-cli info` reads to check a token: `auth.scopes` and
 * `user.email`. No credentials at all is an anonymous 200 (`auth` and `user` null), as in Sentry; a token we do not
 * know, or a revoked one, is a 401, which makes `sentry-cli info` exit 1.
 */
export function apiIndexRoutes(db: Kysely<Database>): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/0/', async (request, reply) => {
      const header = request.headers.authorization;
      if (header === undefined || header.trim() === '') return reply.send({ version: '0', auth: null, user: null } satisfies ApiIndexJson);
      const auth = await authenticateBearer(db, header);
      if (!auth.ok) return reply.code(401).send({ detail: auth.detail });
      const tdb = asApiTokenDb(db);
      const token = await tdb.selectFrom('api_token').select('scopes').where('id', '=', auth.tokenId).executeTakeFirst();
      const user =
        auth.userId === null
          ? undefined
          : await tdb.selectFrom('app_user').select(['id', 'name', 'username', 'email']).where('id', '=', auth.userId).executeTakeFirst();
      const scopes = token && token.scopes.length > 0 ? token.scopes : DEFAULT_TOKEN_SCOPES;
      return reply.send({ version: '0', auth: { scopes }, user: user ?? null } satisfies ApiIndexJson);
    });
  };
}
