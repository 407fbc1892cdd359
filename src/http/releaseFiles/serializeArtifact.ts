import type { ReleaseArtifact } from '../../releases/listReleaseArtifacts.js';

/** The Artifact JSON of Sentry's release-file API (list, details and upload answer the same shape). */
export function serializeArtifact(artifact: ReleaseArtifact) {
  return {
    id: artifact.id,
    name: artifact.name,
    dist: artifact.dist,
    headers: artifact.headers,
    size: artifact.size,
    sha1: artifact.sha1,
    dateCreated: artifact.dateCreated.toISOString(),
  };
}

export type ArtifactJson = ReturnType<typeof serializeArtifact>;
