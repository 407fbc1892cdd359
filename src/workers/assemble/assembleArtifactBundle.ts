import { takePendingLinks } from '../../adapters/db/artifactBundles.js';
import { withDbErrors } from '../../adapters/db/errors.js';
import { findOrganizationById } from '../../adapters/db/organizations.js';
import { findProjectsBySlugsOrIds } from '../../adapters/db/projects.js';
import { planArtifactBundle, resolveBundleLinks } from '../../domain/artifactBundle.js';
import { AppError, isTransientCode } from '../../domain/errors.js';
import { ASSEMBLE_JOB, type ArtifactBundlePayload } from '../../jobs/assembleJobs.js';
import { timeStage } from '../jobMetrics.js';
import { openUploadedBundle } from './openUploadedBundle.js';
import { ASSEMBLE_TEMP_PREFIX, type AssembleDeps } from './assembleReleaseBundle.js';
import { artifactBundleFileName, storeArtifactBundle } from './storeArtifactBundle.js';
import { withTempDir } from './withTempDir.js';

const JOB = ASSEMBLE_JOB.artifactBundle;

export type ArtifactBundleOutcome =
  | { mode: 'empty'; files: 0 }
  | {
      mode: 'artifact-bundle';
      files: number;
      bytes: number;
      /** false for an identical re-upload (the bundle existed; its file was replaced) */
      created: boolean;
      artifactBundleId: string;
      bundleId: string;
      debugIds: number;
      releases: Array<{ name: string; dist: string }>;
      projectIds: string[];
    };

/**
 * Turns an uploaded artifact bundle into a stored bundle with its links (reference 1.6-1.8 and 1.10; DESIGN.md
 * sections 4-6). The zip itself is kept as one file, header and all; members are served out of it later, so nothing
 * is extracted here. Throws AppError: permanent codes carry the message clients see in the assemble status.
 */
export async function assembleArtifactBundle(deps: AssembleDeps, payload: ArtifactBundlePayload): Promise<ArtifactBundleOutcome> {
  try {
    return await assemble(deps, payload);
  } catch (err) {
    // A refused bundle will not be stored, so links that other requests left pending for it are dropped too;
    // a transient failure keeps them for the retry.
    if (err instanceof AppError && !isTransientCode(err.code)) await dropPendingLinks(deps, payload);
    throw err;
  }
}

async function assemble(deps: AssembleDeps, payload: ArtifactBundlePayload): Promise<ArtifactBundleOutcome> {
  const organization = await findOrganizationById(deps.db, payload.organizationId);
  if (!organization) throw new AppError('not_found', 'organization does not exist');
  await requireProjects(deps, payload);
  return withTempDir(deps.settings.tempDir, ASSEMBLE_TEMP_PREFIX, async (dir) => {
    // Opened through the central directory with sentry-cli's 8-byte SYSB header in place (its offsets count it).
    const { assembled, archive } = await openUploadedBundle(deps, JOB, payload, { dir, fileName: artifactBundleFileName(payload.checksum) });
    const { manifest } = archive;
    if (manifest.files.length === 0) {
      deps.logger.info({ checksum: payload.checksum }, 'discarded empty artifact bundle');
      await dropPendingLinks(deps, payload);
      return { mode: 'empty', files: 0 };
    }
    const plan = planArtifactBundle(manifest, payload.checksum);
    const links = resolveBundleLinks(payload, { ...plan, hasDebugIds: plan.debugIds.length > 0 });
    const stored = await timeStage(JOB, 'store', () =>
      storeArtifactBundle(deps.db, {
        organizationId: payload.organizationId,
        checksum: payload.checksum,
        blobs: assembled.blobs,
        plan,
        links,
        now: new Date(),
      }),
    );
    return {
      mode: 'artifact-bundle',
      files: plan.artifactCount,
      bytes: assembled.size,
      created: stored.created,
      artifactBundleId: stored.artifactBundleId,
      bundleId: plan.bundleId,
      debugIds: plan.debugIds.length,
      releases: stored.releases,
      projectIds: stored.projectIds,
    };
  });
}

/** The endpoint resolved the projects; a producer that skips it must not link another organisation's projects. */
async function requireProjects(deps: AssembleDeps, payload: ArtifactBundlePayload): Promise<void> {
  const wanted = [...new Set(payload.projectIds)];
  const found = await withDbErrors(() => findProjectsBySlugsOrIds(deps.db, payload.organizationId, wanted));
  if (found.length !== wanted.length) throw new AppError('project_required', 'One or more projects are invalid');
}

async function dropPendingLinks(deps: AssembleDeps, payload: ArtifactBundlePayload): Promise<void> {
  await withDbErrors(() => takePendingLinks(deps.db, payload.organizationId, payload.checksum)).catch((err: unknown) =>
    deps.logger.warn({ err, checksum: payload.checksum }, 'could not drop pending artifact bundle links'),
  );
}
