import { createHash } from 'node:crypto';

/** Name of the per-(release, dist) artifact index release file. */
export const ARTIFACT_INDEX_FILENAME = 'artifact-index.json';

/** `file.type` values used by the release-artifact pipeline (Sentry's strings). */
export const FILE_TYPES = {
  releaseBundle: 'release.bundle',
  releaseFile: 'release.file',
  artifactIndex: 'release.artifact-index',
  artifactBundle: 'artifact.bundle',
} as const;

export type FileType = (typeof FILE_TYPES)[keyof typeof FILE_TYPES];

/**
 * The release file's unique key within its release: sha1 of the name, with the dist folded in so that one name may
 * exist once per dist. A falsy dist (null, undefined, '') means "no dist", as in Sentry.
 */
export function releaseFileIdent(name: string, dist?: string | null): string {
  const input = dist ? `${name}\u0000\u0000${dist}` : name;
  return createHash('sha1').update(input, 'utf8').digest('hex');
}

/** The stored file name of an extracted artifact: the part of its URL after the last `/` (`~/a/b/app.js` -> `app.js`). */
export function releaseFileBasename(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}
