/**
 * Dates in request bodies: ISO 8601 / RFC 3339 as clients send them (sentry-cli sends nanoseconds). A date
 * without a zone is UTC, as in Sentry; anything else is refused rather than guessed.
 */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|z|[+-]\d{2}:?\d{2})?$/;
const HAS_ZONE = /(?:Z|z|[+-]\d{2}:?\d{2})$/;

export const DATE_FORMAT_MESSAGE =
  'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';

export function parseApiDate(text: string): Date | null {
  const trimmed = text.trim();
  if (!ISO_DATE.test(trimmed)) return null;
  const hasTime = /[T ]\d{2}:/.test(trimmed);
  const normalised = trimmed.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1');
  const withZone = !hasTime ? `${normalised}T00:00:00Z` : HAS_ZONE.test(trimmed.slice(10)) ? normalised : `${normalised}Z`;
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? null : new Date(ms);
}
