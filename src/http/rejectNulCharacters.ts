import type { FastifyInstance } from 'fastify';
import { AppError } from '../domain/errors.js';
import { findNulCharacter, NUL_CHARACTER_MESSAGE } from '../domain/nulCharacters.js';

/**
 * One check at the HTTP boundary, before any route's schema: a NUL in a path parameter (version, slug), a query value
 * or a JSON body answers 400 naming the field, since Postgres cannot store it. The details are field errors, so the
 * release routes answer Sentry's `{"version": ["Null characters are not allowed."]}` (DRF's own message); other
 * routes answer `{detail}`. Multipart forms are checked where they are parsed (uploadForm).
 */
export function installNulCharacterCheck(app: FastifyInstance): void {
  // onRequest, registered before the organisation auth, so that a slug is refused before it is looked up
  app.addHook('onRequest', async (request) => {
    refuseNul(findNulCharacter(request.params) ?? findNulCharacter(request.query));
  });
  app.addHook('preValidation', async (request) => {
    if (isJsonValue(request.body)) refuseNul(findNulCharacter(request.body));
  });
}

function refuseNul(field: string | undefined): void {
  if (field === undefined) return;
  const name = field === '' ? 'body' : field;
  throw new AppError('validation_failed', `${name}: ${NUL_CHARACTER_MESSAGE}`, { details: { [name]: [NUL_CHARACTER_MESSAGE] } });
}

function isJsonValue(body: unknown): boolean {
  return typeof body === 'string' || (typeof body === 'object' && body !== null && !Buffer.isBuffer(body));
}
