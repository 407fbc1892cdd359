import { findMissingChunks } from '../adapters/files/index.js';
import type { Db } from '../adapters/db/connect.js';
import { withDbErrors } from '../adapters/db/errors.js';
import {
  addPendingLink,
  findArtifactBundleByChecksum,
  lockBundleChecksum,
  touchArtifactBundle,
  upsertProjectLinks,
  upsertReleaseLinks,
  type ArtifactBundleRecord,
} from '../adapters/db/artifactBundles.js';
import type { AssembleStatus } from '../adapters/redis/assembleStatusStore.js';
import { resolveBundleLinks } from '../domain/artifactBundle.js';
import { ASSEMBLE_TASK } from '../domain/assembleStatus.js';
import { AppError, isAppError } from '../domain/errors.js';
import { ASSEMBLE_JOB, artifactBundleJobId, type ArtifactBundlePayload } from './assembleJobs.js';
import { enqueueAssembleJob, queuedJobState, type AssembleResponse, type AssemblyRequestDeps } from './assembleProducer.js';

export const DIST_WITHOUT_RELEASE_MESSAGE = 'You need to specify a release together with a dist';

/** An artifact-bundle assemble request with its projects already resolved to ids of the organisation. */
export interface ArtifactBundleAssemblyRequest {
  organizationId: string;
  projectIds: string[];
  version?: string | null;
  dist?: string | null;
  checksum: string;
  /** may be empty: a poll */
  chunks: string[];
}

/**
 * Asks for an artifact bundle to be assembled, the way the artifactbundle/assemble endpoint does (reference 1.4.2,
 * DESIGN.md sections 3 and 6): validation first, before anything is written; then the chunks this organisation does
 * not own (`not_found` + `missingChunks`: sentry-cli uploads exactly those); then the status. Only the request that
 * wins `created` (SET NX) enqueues, under the deterministic job id. The answer never lies: `ok` only when the
 * bundle is stored with this request's links, whatever Redis has forgotten; never `not_found` once a job started.
 * Reads no blob contents: a few indexed queries and at most one enqueue.
 */
export async function requestArtifactBundleAssembly(
  deps: AssemblyRequestDeps,
  request: ArtifactBundleAssemblyRequest,
): Promise<AssembleResponse> {
  if (request.dist && !request.version) throw new AppError('validation_failed', DIST_WITHOUT_RELEASE_MESSAGE);
  if (request.projectIds.length === 0) throw new AppError('validation_failed', 'You need to specify at least one project');
  const missingChunks = await findMissingChunks(deps.db, request.organizationId, request.chunks);
  if (missingChunks.length > 0) return { state: 'not_found', detail: null, missingChunks };
  const ref = { scope: request.organizationId, checksum: request.checksum, task: ASSEMBLE_TASK.artifactBundle };
  const existing = await deps.statusStore.answer(ref);
  if (existing) return answerStatus(deps.db, request, existing);
  // No status (never asked, or expired after 10 minutes): Postgres knows whether the bundle is stored.
  const stored = await linkStoredBundle(deps.db, request, { pendingIfAbsent: false, refresh: true });
  if (stored !== 'absent') return stored;
  // Its job may still be waiting or running after the status expired: it answers, and takes this request's links.
  const queued = await queuedJobState(deps.queue, artifactBundleJobId(request));
  if (queued) return answerStatus(deps.db, request, { state: queued, detail: null });
  if (request.chunks.length === 0) return respond('not_found');
  if (await deps.statusStore.createIfAbsent(ref)) {
    const payload: ArtifactBundlePayload = {
      organizationId: request.organizationId,
      projectIds: request.projectIds,
      version: request.version || null,
      dist: request.dist || null,
      checksum: request.checksum,
      chunks: request.chunks,
    };
    try {
      await enqueueAssembleJob(deps.queue, ASSEMBLE_JOB.artifactBundle, payload, artifactBundleJobId(payload));
    } catch (err) {
      // A `created` with no job behind it would keep clients polling for the whole TTL.
      await deps.statusStore.delete(ref).catch(() => undefined);
      throw err;
    }
    return respond('created');
  }
  // Another request won `created` a moment ago: its job will run; ours only adds links.
  const raced = await deps.statusStore.get(ref);
  return answerStatus(deps.db, request, raced ?? { state: 'created', detail: null });
}

/**
 * The status is keyed by checksum alone, so it may belong to a request with other links (another dist, another
 * project). Those of this request are applied to the stored bundle, or left pending for the job that is running.
 */
async function answerStatus(db: Db, request: ArtifactBundleAssemblyRequest, status: AssembleStatus): Promise<AssembleResponse> {
  switch (status.state) {
    case 'created':
    case 'assembling': {
      const linked = await linkStoredBundle(db, request, { pendingIfAbsent: true, refresh: false });
      return linked !== 'absent' && linked.state === 'error' ? linked : respond(status.state);
    }
    case 'ok': {
      // Not stored with an `ok` status: the bundle was empty and discarded, which is a success.
      const linked = await linkStoredBundle(db, request, { pendingIfAbsent: false, refresh: false });
      return linked === 'absent' ? respond('ok') : linked;
    }
    case 'error':
      return respond('error', status.detail);
  }
}

/**
 * Under the per-checksum advisory lock the assemble job also takes: if the bundle is stored, adds this request's
 * release/dist and project links and answers `ok`; if it is not, optionally leaves the links for the job, which
 * applies them in its own transaction. Either way no link is lost. `refresh` (a new upload of stored bytes, not a
 * poll) also dates the bundle and the links to now, as a re-upload does in Sentry.
 */
async function linkStoredBundle(
  db: Db,
  request: ArtifactBundleAssemblyRequest,
  options: { pendingIfAbsent: boolean; refresh: boolean },
): Promise<AssembleResponse | 'absent'> {
  try {
    return await withDbErrors(() =>
      db.transaction().execute(async (tx) => {
        await lockBundleChecksum(tx, request.organizationId, request.checksum);
        const bundle = await findArtifactBundleByChecksum(tx, request.organizationId, request.checksum);
        if (!bundle) {
          if (options.pendingIfAbsent) await addPendingLink(tx, request.organizationId, request.checksum, pendingOf(request));
          return 'absent' as const;
        }
        const links = resolveBundleLinks(request, { ...bundle, hasDebugIds: await hasDebugIds(tx, bundle) });
        const now = new Date();
        const write = { organizationId: request.organizationId, artifactBundleId: bundle.id, now, refresh: options.refresh };
        if (options.refresh) await touchArtifactBundle(tx, bundle.id, now);
        await upsertReleaseLinks(tx, write, links.release ? [links.release] : []);
        await upsertProjectLinks(tx, write, links.projectIds);
        return respond('ok');
      }),
    );
  } catch (err) {
    if (isAppError(err, 'debug_ids_or_release_required')) return respond('error', err.message);
    throw err;
  }
}

async function hasDebugIds(db: Db, bundle: ArtifactBundleRecord): Promise<boolean> {
  const row = await db
    .selectFrom('debug_id_artifact_bundle')
    .select('id')
    .where('artifact_bundle_id', '=', bundle.id)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

function pendingOf(request: ArtifactBundleAssemblyRequest) {
  return { version: request.version || null, dist: request.dist || null, projectIds: [...new Set(request.projectIds)].sort() };
}

function respond(state: AssembleResponse['state'], detail: string | null = null): AssembleResponse {
  return { state, detail, missingChunks: [] };
}
