import { isValidReleaseVersion } from './releaseVersion.js';

/** Longest release version a client may create (Sentry's MAX_VERSION_LENGTH; the column allows 250). */
export const MAX_RELEASE_VERSION_LENGTH = 200;

/**
 * Why a release version cannot be created, in the words Sentry's serializer uses (DRF's field checks first, then
 * `Release.is_valid_version`), or undefined when it is fine. Whitespace-only counts as blank: DRF trims first.
 */
export function releaseVersionProblem(version: string): string | undefined {
  if (version.trim() === '') return 'This field may not be blank.';
  // Python counts code points, not UTF-16 units.
  if ([...version].length > MAX_RELEASE_VERSION_LENGTH) {
    return `Ensure this field has no more than ${MAX_RELEASE_VERSION_LENGTH} characters.`;
  }
  return isValidReleaseVersion(version) ? undefined : `Release with name ${version} is not allowed`;
}
