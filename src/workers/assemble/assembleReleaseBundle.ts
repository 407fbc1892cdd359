import type { Logger } from 'pino';
import type { FileStoreDeps } from '../../adapters/files/index.js';
import type { ZipEntryHashThreads } from '../../adapters/hashing/ZipEntryHashThreads.js';
import { findOrganizationById } from '../../adapters/db/organizations.js';
import { recordReleaseBundleUpload } from '../../adapters/db/releaseBundleUploads.js';
import { findReleaseByVersion, getOrCreateDistribution } from '../../adapters/db/releases.js';
import { AppError, isTransientCode } from '../../domain/errors.js';
import { requireUrls, type BundleManifest } from '../../domain/manifest.js';
import { ASSEMBLE_JOB, type ReleaseBundlePayload } from '../../jobs/assembleJobs.js';
import { timeStage } from '../jobMetrics.js';
import { openUploadedBundle } from './openUploadedBundle.js';
import type { BundleArchive, BundleLimits } from './bundleArchive.js';
import type { ReleaseTarget } from './releaseTarget.js';
import { storeReleaseArchive } from './storeReleaseArchive.js';
import { storeSingleReleaseFiles } from './storeSingleReleaseFiles.js';
import { withTempDir } from './withTempDir.js';

const JOB = ASSEMBLE_JOB.releaseBundle;

/** Per-job temp folders are `assemble-<pid>-<random>` under TEMP_DIR. */
export const ASSEMBLE_TEMP_PREFIX = 'assemble-';

export interface AssembleSettings {
  tempDir: string;
  releaseArchiveMinFiles: number;
  maxFileSize: number;
  bundleLimits: BundleLimits;
}

export interface AssembleDeps extends FileStoreDeps {
  settings: AssembleSettings;
  logger: Logger;
  /** where an archive's small entries are inflated and hashed (ARCHIVE_HASH_THREADS); absent: on this thread */
  entryHashThreads?: Pick<ZipEntryHashThreads, 'hash'> | undefined;
}

export type ReleaseBundleOutcome =
  | { mode: 'empty'; files: 0 }
  | { mode: 'archive'; files: number; bytes: number }
  | { mode: 'single'; files: number; bytes: number };

/**
 * Turns an uploaded release bundle into release files (reference sections 1.6-1.8 and 3; DESIGN.md section 5).
 * Throws AppError: permanent codes carry the message clients see in the assemble status.
 */
export async function assembleReleaseBundle(deps: AssembleDeps, payload: ReleaseBundlePayload): Promise<ReleaseBundleOutcome> {
  const organization = await findOrganizationById(deps.db, payload.organizationId);
  if (!organization) throw new AppError('not_found', 'organization does not exist');
  return withTempDir(deps.settings.tempDir, ASSEMBLE_TEMP_PREFIX, async (dir) => {
    const { assembled, archive } = await openUploadedBundle(deps, JOB, payload, {
      dir,
      fileName: `release-artifacts-${payload.checksum}.zip`,
    });
    const manifest = archive.manifest;
    if (manifest.files.length === 0) {
      await recordEmptyUpload(deps, payload);
      return { mode: 'empty', files: 0 };
    }
    requireUrls(manifest);
    const target = await resolveTarget(deps, payload, organization.slug, manifest);
    const bytes = assembled.size;
    return timeStage(JOB, 'store', async (): Promise<ReleaseBundleOutcome> => {
      if (manifest.files.length >= deps.settings.releaseArchiveMinFiles) {
        const archived = await tryArchive(deps, archive, target, { checksum: payload.checksum, blobs: assembled.blobs });
        if (archived) return { mode: 'archive', files: manifest.files.length, bytes };
      }
      const { stored } = await storeSingleReleaseFiles(deps, archive, target, payload.checksum);
      return { mode: 'single', files: stored, bytes };
    });
  });
}

/**
 * An empty manifest ends `ok` with nothing to store, before any check of the manifest (as in Sentry). It is recorded
 * all the same, when the release exists, so that the answer stays `ok` after the Redis status expired and after the
 * chunk blobs (referenced by no file) were collected: asking again must not turn into a missing-chunks error.
 */
async function recordEmptyUpload(deps: AssembleDeps, payload: ReleaseBundlePayload): Promise<void> {
  const release = await findReleaseByVersion(deps.db, payload.organizationId, payload.version);
  if (!release) return;
  const upload = { organizationId: payload.organizationId, releaseId: release.id, checksum: payload.checksum, fileCount: 0 };
  await deps.db.transaction().execute((tx) => recordReleaseBundleUpload(tx, upload));
}

/** Sentry's `_create_release_file` checks, in its order: org, release, release exists, dist. */
async function resolveTarget(
  deps: AssembleDeps,
  payload: ReleaseBundlePayload,
  organizationSlug: string,
  manifest: BundleManifest,
): Promise<ReleaseTarget> {
  if (manifest.org !== organizationSlug) throw new AppError('org_mismatch', 'organization does not match uploaded bundle');
  if (manifest.release !== payload.version) throw new AppError('release_mismatch', 'release does not match uploaded bundle');
  const release = await findReleaseByVersion(deps.db, payload.organizationId, payload.version);
  if (!release) throw new AppError('release_not_found', 'release does not exist');
  const dist = manifest.dist
    ? await getOrCreateDistribution(deps.db, { organizationId: payload.organizationId, releaseId: release.id, name: manifest.dist })
    : null;
  return { organizationId: payload.organizationId, releaseId: release.id, distId: dist?.id ?? null, distName: dist?.name ?? null };
}

const BUNDLE_FAULTS = new Set(['bundle_invalid', 'bundle_limit_exceeded']);

/**
 * As in Sentry, a failed index update falls back to single files, but not for transient failures (lost connection,
 * deadlock), which are the job's to retry, nor for a bad entry, which would fail the single-file path just the same.
 */
async function tryArchive(
  deps: AssembleDeps,
  archive: BundleArchive,
  target: ReleaseTarget,
  bundle: { checksum: string; blobs: Array<{ id: string; size: number }> },
): Promise<boolean> {
  try {
    await storeReleaseArchive(deps, archive, target, bundle);
    return true;
  } catch (err) {
    if (err instanceof AppError && (isTransientCode(err.code) || BUNDLE_FAULTS.has(err.code))) throw err;
    deps.logger.warn({ err, releaseId: target.releaseId }, 'Unable to update artifact index; storing single files');
    return false;
  }
}
