import type { SingleReleaseFileTarget } from '../../releases/createSingleReleaseFile.js';

/** Where a release bundle's files go: the release, and the dist when the manifest names one (as for one uploaded file). */
export type ReleaseTarget = SingleReleaseFileTarget;
