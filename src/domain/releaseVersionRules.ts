/** Longest release version a client may create (Sentry's MAX_VERSION_LENGTH; the column allows 250). */
export const MAX_RELEASE_VERSION_LENGTH = 200;

/** Characters a version may not contain: it is a URL path segment and a single line of text. */
const FORBIDDEN_VERSION_CHARS = ['\r', '\n', '\f', '\t', '/', '\\'];
/** Versions that would read as a path (`.`, `..`) or as the "latest release" alias. */
const FORBIDDEN_VERSIONS = new Set(['.', '..', 'latest']);

/**
 * Why a release version cannot be created, in the words Sentry's serializer uses, or undefined when it is fine.
 * Whitespace-only counts as blank (DRF trims before validating).
 */
export function releaseVersionProblem(version: string): string | undefined {
  if (version.trim() === '') return 'This field may not be blank.';
  // Python counts code points, not UTF-16 units.
  if ([...version].length > MAX_RELEASE_VERSION_LENGTH) {
    return `Ensure this field has no more than ${MAX_RELEASE_VERSION_LENGTH} characters.`;
  }
  const forbidden =
    FORBIDDEN_VERSION_CHARS.some((c) => version.includes(c)) || FORBIDDEN_VERSIONS.has(version.trim().toLowerCase());
  return forbidden ? `Release with name ${version} is not allowed` : undefined;
}
