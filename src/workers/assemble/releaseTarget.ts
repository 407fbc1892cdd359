/** Where a release bundle's files go: the release, and the dist when the manifest names one. */
export interface ReleaseTarget {
  organizationId: string;
  releaseId: string;
  distId: string | null;
  distName: string | null;
}
