import { join } from 'node:path';
import type { AssembleJobName } from '../../jobs/assembleJobs.js';
import { timeStage } from '../jobMetrics.js';
import { assembleChunks, type AssembledChunks } from './assembleChunks.js';
import type { AssembleDeps } from './assembleReleaseBundle.js';
import { BundleArchive } from './bundleArchive.js';

export interface UploadedBundle {
  organizationId: string;
  checksum: string;
  chunks: readonly string[];
}

/**
 * The first two stages of both assemble jobs, each timed: join the uploaded chunks into `bundle.zip` in the job's
 * temp folder (size limit and checksum checked), then open it through its central directory and read its manifest.
 * `fileName` is the name the size-limit message gives the bundle.
 */
export async function openUploadedBundle(
  deps: AssembleDeps,
  job: AssembleJobName,
  upload: UploadedBundle,
  paths: { dir: string; fileName: string },
): Promise<{ assembled: AssembledChunks; archive: BundleArchive }> {
  const bundlePath = join(paths.dir, 'bundle.zip');
  const assembled = await timeStage(job, 'join_chunks', () =>
    assembleChunks(deps, {
      organizationId: upload.organizationId,
      checksum: upload.checksum,
      chunks: upload.chunks,
      maxFileSize: deps.settings.maxFileSize,
      name: paths.fileName,
      targetPath: bundlePath,
    }),
  );
  const archive = await timeStage(job, 'open_bundle', () => BundleArchive.open(bundlePath, deps.settings.bundleLimits));
  return { assembled, archive };
}
