import type { DbOrTx, Tx } from '../adapters/db/connect.js';
import { isReleaseInProject, lockReleaseByVersion } from '../adapters/db/releaseQueries.js';
import { findReleaseByVersion, type Release } from '../adapters/db/releases.js';
import { AppError } from '../domain/errors.js';
import type { ReleaseScope } from './releaseDeps.js';

export const RELEASE_NOT_FOUND = 'The requested resource does not exist';

/** A release of the scope's organisation (and project, for project routes); 404 otherwise. */
export async function findScopedRelease(db: DbOrTx, scope: ReleaseScope, version: string): Promise<Release> {
  const release = await findReleaseByVersion(db, scope.organizationId, version);
  return ensureInScope(db, scope, release);
}

/** The same, with the release row locked for the rest of the transaction. */
export async function lockScopedRelease(tx: Tx, scope: ReleaseScope, version: string): Promise<Release> {
  return ensureInScope(tx, scope, await lockReleaseByVersion(tx, scope.organizationId, version));
}

async function ensureInScope(db: DbOrTx, scope: ReleaseScope, release: Release | undefined): Promise<Release> {
  if (!release) throw new AppError('not_found', RELEASE_NOT_FOUND);
  if (scope.projectId !== undefined && !(await isReleaseInProject(db, release.id, scope.projectId))) {
    throw new AppError('not_found', RELEASE_NOT_FOUND);
  }
  return release;
}
