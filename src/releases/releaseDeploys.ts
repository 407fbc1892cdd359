import { countReleaseDeploys, findDeploysByIds, getOrCreateEnvironment, insertDeploy, listReleaseDeploys } from '../adapters/db/deploys.js';
import { updateReleaseColumns } from '../adapters/db/releaseQueries.js';
import type { DeployView } from '../domain/releases/serializeDeploy.js';
import { findScopedRelease, lockScopedRelease } from './findScopedRelease.js';
import type { ReleaseDeps, ReleaseScope } from './releaseDeps.js';

export interface CreateDeployInput {
  scope: ReleaseScope;
  version: string;
  environment: string;
  name?: string | null;
  url?: string | null;
  dateStarted?: Date | null;
  /** now when not given */
  dateFinished?: Date | null;
}

/**
 * Records a deploy of a release to an environment (created on first use) and updates the release's deploy count
 * and last deploy, under the release's row lock so concurrent deploys count right.
 */
export async function createDeploy(deps: ReleaseDeps, input: CreateDeployInput): Promise<DeployView> {
  const { organizationId } = input.scope;
  return deps.db.transaction().execute(async (tx) => {
    const release = await lockScopedRelease(tx, input.scope, input.version);
    const environmentId = await getOrCreateEnvironment(tx, organizationId, input.environment);
    const id = await insertDeploy(tx, {
      organizationId,
      releaseId: release.id,
      environmentId,
      name: input.name ?? null,
      url: input.url ?? null,
      dateStarted: input.dateStarted ?? null,
      dateFinished: input.dateFinished ?? null,
    });
    await updateReleaseColumns(tx, release.id, { totalDeploys: await countReleaseDeploys(tx, release.id), lastDeployId: id });
    return (await findDeploysByIds(tx, [id])).get(id) as DeployView;
  });
}

export async function listDeploys(
  deps: ReleaseDeps,
  scope: ReleaseScope,
  version: string,
  page: { offset: number; limit: number },
): Promise<DeployView[]> {
  const release = await findScopedRelease(deps.db, scope, version);
  return listReleaseDeploys(deps.db, release.id, page);
}
