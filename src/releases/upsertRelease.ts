import { findReleaseById, updateReleaseColumns } from '../adapters/db/releaseQueries.js';
import { getOrCreateRelease, type Release } from '../adapters/db/releases.js';
import type { InlineCommit } from '../domain/releases/planReleaseCommits.js';
import { releaseStatusValue, type ReleaseStatusName } from '../domain/releases/releaseStatus.js';
import { releaseVersionProblem } from '../domain/releaseVersionRules.js';
import { fieldError } from '../orgs/deps.js';
import { lockScopedRelease } from './findScopedRelease.js';
import type { ReleaseDeps, ReleaseScope } from './releaseDeps.js';
import { resolveReleaseProjectIds } from './releaseProjects.js';
import { setReleaseCommits, setReleaseRefs, type HeadRef } from './setReleaseCommits.js';

export interface UpsertReleaseInput {
  scope: ReleaseScope;
  version: string;
  /** projects to link, by slug or id (organisation routes; a project route links its own project) */
  projects?: string[];
  ref?: string | null;
  url?: string | null;
  dateStarted?: Date | null;
  dateReleased?: Date | null;
  status?: ReleaseStatusName;
  commits?: InlineCommit[];
  refs?: HeadRef[];
  userAgent?: string | null;
}

/**
 * Creates a release, or finds the existing one (idempotent: clients post the same release again), links the
 * projects, and applies `status`, `commits` and `refs` either way; the other fields only describe a new release.
 * `created` tells the route to answer 201 rather than 208.
 */
export async function upsertRelease(deps: ReleaseDeps, input: UpsertReleaseInput): Promise<{ release: Release; created: boolean }> {
  const problem = releaseVersionProblem(input.version);
  if (problem) throw fieldError('version', problem);
  const { organizationId, projectId } = input.scope;
  const projectIds = projectId !== undefined ? [projectId] : await resolveReleaseProjectIds(deps.db, organizationId, input.projects ?? []);
  return deps.db.transaction().execute(async (tx) => {
    const { created } = await getOrCreateRelease(tx, {
      organizationId,
      version: input.version,
      projectIds,
      ref: input.ref ?? null,
      url: input.url ?? null,
      dateStarted: input.dateStarted ?? null,
      dateReleased: input.dateReleased ?? null,
      userAgent: input.userAgent ?? null,
    });
    const release = await lockScopedRelease(tx, { organizationId }, input.version);
    if (input.status !== undefined) await updateReleaseColumns(tx, release.id, { status: releaseStatusValue(input.status) });
    if (input.commits !== undefined) await setReleaseCommits(tx, release, input.commits);
    if (input.refs !== undefined) await setReleaseRefs(tx, release, input.refs);
    return { release: (await findReleaseById(tx, release.id)) as Release, created };
  });
}
