/**
 * Slugs for organisations and projects (reference D.3). Pure: randomness comes in as `random(size, alphabet)`,
 * and the database check for "taken" stays with the caller, who walks the candidates in order.
 */

/** Sentry's suffix alphabet, verbatim: `9` appears twice and there is no `8`. */
export const SLUG_SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456790';
export const HEX_ALPHABET = '0123456789abcdef';
/** Length of the random fallback slug (uuid4().hex[:12] in Sentry). */
export const RANDOM_SLUG_LENGTH = 12;
/** Generated project and organisation slugs are capped at 50 characters (the project column allows 100). */
export const GENERATED_SLUG_MAX_LENGTH = 50;

/** Returns `size` characters drawn from `alphabet`. A `(size) => string` function also fits. */
export type RandomString = (size: number, alphabet: string) => string;

export const RESERVED_PROJECT_SLUGS: ReadonlySet<string> = new Set([
  '$all',
  'api-keys',
  'audit-log',
  'auth',
  'members',
  'projects',
  'rate-limits',
  'repos',
  'settings',
  'teams',
  'billing',
  'payments',
  'legal',
  'subscription',
  'support',
  'integrations',
  'developer-settings',
  'usage',
]);

/** [attempts, suffix length]: 2 of 2, 3 of 3, 20 of 5, 1 of 12 (26 suffixed candidates). */
export const SLUG_SUFFIX_SCHEDULE: ReadonlyArray<readonly [attempts: number, size: number]> = [
  [2, 2],
  [3, 3],
  [20, 5],
  [1, 12],
];

// Python's `\s` on ASCII text also matches the separators \x1c-\x1f, which JS `\s` does not.
const PY_ASCII_WHITESPACE = ' \\t\\n\\r\\f\\v\\x1c-\\x1f';
const NOT_SLUG_CHAR = new RegExp(`[^A-Za-z0-9_${PY_ASCII_WHITESPACE}-]`, 'g');
const SEPARATOR_RUN = new RegExp(`[${PY_ASCII_WHITESPACE}-]+`, 'g');
// Strips leading and trailing characters of a set, like Python's str.strip(chars).
const stripChars = (value: string, chars: string): string => {
  let start = 0;
  let end = value.length;
  while (start < end && chars.includes(value[start] as string)) start += 1;
  while (end > start && chars.includes(value[end - 1] as string)) end -= 1;
  return value.slice(start, end);
};

/**
 * Django's `slugify` (non-unicode mode): NFKD, drop non-ASCII, lowercase, keep word characters, whitespace and
 * `-`, collapse whitespace/`-` runs into one `-`, strip `-` and `_` from both ends.
 */
export function djangoSlugify(value: string): string {
  const ascii = value.normalize('NFKD').replace(/[^\x00-\x7f]/g, '');
  const kept = ascii.toLowerCase().replace(NOT_SLUG_CHAR, '');
  return stripChars(kept.replace(SEPARATOR_RUN, '-'), '-_');
}

/** The base slug for a label: slugified, cut to `maxLength`, `-` stripped from both ends (the cut may leave one). */
export function slugifyLabel(label: string, maxLength: number): string {
  return stripChars(djangoSlugify(label).slice(0, maxLength), '-');
}

const isAllDigits = (value: string): boolean => /^[0-9]+$/.test(value);

/**
 * Slug candidates in the order Sentry tries them. The caller takes the first one not taken (case-insensitively);
 * if every one is taken it keeps the last and lets the unique constraint decide.
 * - an empty or reserved base (exact match) becomes 12 random hex characters;
 * - the base itself comes first, unless it is all digits (it would read as an id);
 * - then `base[:maxLength - size - 1]-<size random chars>` per SLUG_SUFFIX_SCHEDULE.
 */
export function* slugCandidates(
  base: string,
  maxLength: number,
  random: RandomString,
  reserved: Iterable<string> = [],
): Generator<string, void, undefined> {
  let value = base.trim();
  if (new Set(reserved).has(value)) value = '';
  if (value === '') value = random(RANDOM_SLUG_LENGTH, HEX_ALPHABET);
  if (!isAllDigits(value)) yield value;
  for (const [attempts, size] of SLUG_SUFFIX_SCHEDULE) {
    const stem = value.slice(0, Math.max(0, maxLength - size - 1));
    for (let i = 0; i < attempts; i += 1) yield `${stem}-${random(size, SLUG_SUFFIX_ALPHABET)}`;
  }
}

/**
 * The first candidate that `isTaken` says is free; when all are taken, the last one (the insert's unique
 * constraint then has the final word, as in Sentry).
 */
export async function pickFreeSlug(
  candidates: Iterable<string>,
  isTaken: (slug: string) => Promise<boolean>,
): Promise<string> {
  let last: string | undefined;
  for (const candidate of candidates) {
    if (!(await isTaken(candidate))) return candidate;
    last = candidate;
  }
  if (last === undefined) throw new Error('slug candidates must not be empty');
  return last;
}

/** Slugs a user may choose: lowercase letters, digits, `_` and `-`, not all digits (an all-digit ref is an id). */
export const SLUG_PATTERN = /^(?![0-9]+$)[a-z0-9_-]+$/;
export const SLUG_ERROR_MESSAGE =
  'Enter a valid slug consisting of lowercase letters, numbers, underscores or hyphens. It cannot be entirely numeric.';

/** Why an explicitly chosen slug is refused, or undefined when it is acceptable. */
export function slugProblem(slug: string, maxLength: number): string | undefined {
  if (!SLUG_PATTERN.test(slug)) return SLUG_ERROR_MESSAGE;
  if (slug.length > maxLength) return `Ensure this field has no more than ${maxLength} characters.`;
  return undefined;
}
