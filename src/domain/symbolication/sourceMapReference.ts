/**
 * Where a minified file says its source map is: the `Sourcemap` / `X-SourceMap` header it was uploaded with, else
 * the last `sourceMappingURL` comment of its text. URLs are resolved against the minified file's own URL, which may
 * be an absolute URL or one of Sentry's `~/path` names (any origin).
 */

/** The value of the `Sourcemap` header, else of `X-SourceMap` (names in any case), or null. */
export function sourceMapUrlFromHeaders(headers: Record<string, unknown>): string | null {
  for (const wanted of ['sourcemap', 'x-sourcemap']) {
    const key = Object.keys(headers).find((name) => name.toLowerCase() === wanted);
    const value = key === undefined ? undefined : headers[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}

// `//# sourceMappingURL=` and the older `//@` form; the URL runs to the end of the line (no spaces)
const COMMENT = /\/\/[#@][ \t]+sourceMappingURL=([^\s'"]+)[ \t]*$/gm;
/** Only the end of a file carries the comment; a bounded tail keeps a 10 MB bundle from being scanned whole. */
const TAIL_CHARS = 64 * 1024;

/** The URL of the last `sourceMappingURL` comment near the end of the text, or null. */
export function sourceMappingUrlComment(source: string): string | null {
  const tail = source.length > TAIL_CHARS ? source.slice(source.length - TAIL_CHARS) : source;
  let found: string | null = null;
  for (const match of tail.matchAll(COMMENT)) found = match[1] ?? null;
  return found;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * `reference` resolved against `base` as a browser would: an absolute reference stays as it is; against an
 * absolute base, WHATWG URL rules; against a `~/path` (or any other non-URL) base, a plain path join with `.` and
 * `..` segments removed, which keeps Sentry's `~/` names working for release-file lookups.
 */
export function resolveUrl(base: string, reference: string): string {
  if (SCHEME.test(reference)) return reference;
  if (SCHEME.test(base)) {
    try {
      return new URL(reference, base).href;
    } catch {
      // fall through to the path join (an unparseable host, for instance)
    }
  }
  const query = base.search(/[?#]/);
  const basePath = query === -1 ? base : base.slice(0, query);
  const joined = reference.startsWith('/') ? joinAfterOrigin(basePath, reference) : basePath.slice(0, basePath.lastIndexOf('/') + 1) + reference;
  return normalizeDots(joined);
}

/** `~/a/b.js` + `/c.js` = `~/c.js`; `app:///x/y.js` + `/c.js` = `app:///c.js`. */
function joinAfterOrigin(basePath: string, absolutePath: string): string {
  if (basePath.startsWith('~/')) return `~${absolutePath}`;
  const origin = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/.exec(basePath)?.[0] ?? '';
  return origin + absolutePath;
}

function normalizeDots(path: string): string {
  const prefix = /^(~|[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*)?/.exec(path)?.[0] ?? '';
  const segments = path.slice(prefix.length).split('/');
  const out: string[] = [];
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '.') {
      if (last) out.push('');
    } else if (segment === '..') {
      if (out.length > 1) out.pop();
      if (last) out.push('');
    } else out.push(segment);
  });
  return prefix + out.join('/');
}

export type InlineSourceMap = { kind: 'inline'; bytes: Buffer } | { kind: 'invalid_base64' };

/**
 * A `data:` URL's map, or null for any other URL. Only base64 and percent-encoded JSON payloads are maps; a base64
 * payload that does not decode is `invalid_base64`.
 */
export function decodeDataUrl(url: string): InlineSourceMap | null {
  if (!url.toLowerCase().startsWith('data:')) return null;
  const comma = url.indexOf(',');
  if (comma === -1) return { kind: 'invalid_base64' };
  const meta = url.slice(5, comma).toLowerCase();
  const payload = url.slice(comma + 1);
  if (!meta.split(';').includes('base64')) {
    try {
      return { kind: 'inline', bytes: Buffer.from(decodeURIComponent(payload), 'utf8') };
    } catch {
      return { kind: 'invalid_base64' };
    }
  }
  const compact = payload.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) return { kind: 'invalid_base64' };
  return { kind: 'inline', bytes: Buffer.from(compact, 'base64') };
}
