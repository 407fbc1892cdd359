import { findReleaseById, updateReleaseColumns } from '../adapters/db/releaseQueries.js';
import { linkReleaseProjects, type Release } from '../adapters/db/releases.js';
import type { InlineCommit } from '../domain/releases/planReleaseCommits.js';
import { releaseStatusValue, type ReleaseStatusName } from '../domain/releases/releaseStatus.js';
import { lockScopedRelease } from './findScopedRelease.js';
import type { ReleaseDeps, ReleaseScope } from './releaseDeps.js';
import { resolveReleaseProjectIds } from './releaseProjects.js';
import { setReleaseCommits, setReleaseRefs, type HeadRef } from './setReleaseCommits.js';

/** A partial update: absent fields stay, null clears. */
export interface UpdateReleaseInput {
  scope: ReleaseScope;
  version: string;
  /** projects to link as well (existing links stay) */
  projects?: string[];
  ref?: string | null;
  url?: string | null;
  /** finalizing a release sets it */
  dateReleased?: Date | null;
  status?: ReleaseStatusName;
  commits?: InlineCommit[];
  refs?: HeadRef[];
}

/** Updates an existing release (404 when there is none in scope) under its row lock. */
export async function updateRelease(deps: ReleaseDeps, input: UpdateReleaseInput): Promise<Release> {
  const { organizationId } = input.scope;
  const projectIds = await resolveReleaseProjectIds(deps.db, organizationId, input.projects ?? []);
  return deps.db.transaction().execute(async (tx) => {
    const release = await lockScopedRelease(tx, input.scope, input.version);
    await linkReleaseProjects(tx, release.id, projectIds);
    await updateReleaseColumns(tx, release.id, {
      ref: input.ref,
      url: input.url,
      dateReleased: input.dateReleased,
      status: input.status === undefined ? undefined : releaseStatusValue(input.status),
    });
    if (input.commits !== undefined) await setReleaseCommits(tx, release, input.commits);
    if (input.refs !== undefined) await setReleaseRefs(tx, release, input.refs);
    return (await findReleaseById(tx, release.id)) as Release;
  });
}
