import { createRequire } from 'node:module';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

// mime-types evaluates mime-db (about 2,500 types) as it loads: about 1 MB of RSS that an idle worker, or an API
// process that stores no file without a type, never needs. So it loads at the first guess (the service bundle leaves
// it in node_modules: scripts/bundle-service.mjs).
let mimeTypes: typeof import('mime-types') | undefined;
function lookup(name: string): string | false {
  mimeTypes ??= createRequire(import.meta.url)('mime-types') as typeof import('mime-types');
  return mimeTypes.lookup(name);
}

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
