import { createFileFromBlobs, deleteFiles } from '../../adapters/files/index.js';
import type { Db, Tx } from '../../adapters/db/connect.js';
import { withDbErrors } from '../../adapters/db/errors.js';
import {
  findArtifactBundleByChecksum,
  insertArtifactBundle,
  insertBundleUrls,
  lockBundleChecksum,
  replaceArtifactBundleFile,
  takePendingLinks,
  upsertDebugIdLinks,
  upsertProjectLinks,
  upsertReleaseLinks,
  type LinkWrite,
} from '../../adapters/db/artifactBundles.js';
import { findProjectsBySlugsOrIds } from '../../adapters/db/projects.js';
import { lenientBundleLinks, mergeBundleLinks, type ArtifactBundlePlan, type BundleLinks } from '../../domain/artifactBundle.js';
import { FILE_TYPES } from '../../domain/releaseFileIdent.js';

export interface StoreArtifactBundleInput {
  organizationId: string;
  checksum: string;
  /** the chunk blobs in file order: the bundle file references them, nothing is copied */
  blobs: ReadonlyArray<{ id: string; size: number }>;
  plan: ArtifactBundlePlan;
  /** the links of the job's own request */
  links: BundleLinks;
  now: Date;
}

export interface StoredArtifactBundle {
  artifactBundleId: string;
  created: boolean;
  releases: Array<{ name: string; dist: string }>;
  projectIds: string[];
}

/** Named after the checksum, not a random uuid, so that a retried job's file is recognisable in the file table. */
export function artifactBundleFileName(checksum: string): string {
  return `bundle-artifacts-${checksum}.zip`;
}

/**
 * Stores the bundle and all its links in ONE transaction (reference 1.10 step 5), serialised per (org, checksum) by
 * an advisory lock: a first upload inserts the bundle; an identical re-upload (same checksum) points the bundle at
 * the new file, deletes the old file row and refreshes the dates. Links are only ever added (and their dates
 * refreshed), never replaced, and include those left pending by requests that arrived while the job ran. A retry
 * after a crash finds the committed bundle and does the same, so running twice leaves the same rows as once.
 */
export async function storeArtifactBundle(db: Db, input: StoreArtifactBundleInput): Promise<StoredArtifactBundle> {
  return withDbErrors(() =>
    db.transaction().execute(async (tx) => {
      await lockBundleChecksum(tx, input.organizationId, input.checksum);
      const { id, created } = await upsertBundle(tx, input);
      const pending = await takePendingLinks(tx, input.organizationId, input.checksum);
      const facts = { ...input.plan, hasDebugIds: input.plan.debugIds.length > 0 };
      const merged = mergeBundleLinks([input.links, ...pending.map((p) => lenientBundleLinks(p, facts))]);
      const projectIds = await existingProjects(tx, input.organizationId, merged.projectIds);
      const write: LinkWrite = { organizationId: input.organizationId, artifactBundleId: id, now: input.now, refresh: true };
      await upsertReleaseLinks(tx, write, merged.releases);
      await upsertProjectLinks(tx, write, projectIds);
      await upsertDebugIdLinks(tx, write, input.plan.debugIds);
      await insertBundleUrls(tx, write, input.plan.urls);
      return { artifactBundleId: id, created, releases: merged.releases, projectIds };
    }),
  );
}

async function upsertBundle(tx: Tx, input: StoreArtifactBundleInput): Promise<{ id: string; created: boolean }> {
  const file = await createFileFromBlobs(
    tx,
    { name: artifactBundleFileName(input.checksum), type: FILE_TYPES.artifactBundle, checksum: input.checksum },
    input.blobs,
  );
  const existing = await findArtifactBundleByChecksum(tx, input.organizationId, input.checksum);
  if (existing) {
    await replaceArtifactBundleFile(tx, existing.id, file.id, input.now);
    await deleteFiles(tx, [existing.fileId]);
    return { id: existing.id, created: false };
  }
  const id = await insertArtifactBundle(
    tx,
    {
      organizationId: input.organizationId,
      bundleId: input.plan.bundleId,
      checksum: input.checksum,
      fileId: file.id,
      artifactCount: input.plan.artifactCount,
      manifestRelease: input.plan.manifestRelease,
      manifestDist: input.plan.manifestDist,
    },
    input.now,
  );
  return { id, created: true };
}

/**
 * The job's own projects were checked before the transaction; pending ones were checked by the endpoint but may
 * have been deleted since, and a vanished project must not fail everyone's upload.
 */
async function existingProjects(tx: Tx, organizationId: string, projectIds: string[]): Promise<string[]> {
  if (projectIds.length === 0) return [];
  const found = await findProjectsBySlugsOrIds(tx, organizationId, projectIds);
  const ids = new Set(found.map((p) => p.id));
  return projectIds.filter((id) => ids.has(id));
}
