import { lookup } from 'mime-types';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/**
 * Sentry's content-type normalisation: a given type loses its parameters (`; charset=...`); a missing one is
 * guessed from the file name's extension; failing that, `application/octet-stream`.
 */
export function normalizeContentType(contentType: string | undefined | null, name: string): string {
  if (contentType) {
    const bare = contentType.split(';', 1)[0]!.trim();
    if (bare !== '') return bare;
  }
  return lookup(name) || DEFAULT_CONTENT_TYPE;
}
