/**
 * Release-file lookup candidates for a URL (Sentry's `ReleaseFile.normalize`): the URL without its fragment, then
 * without its query, then the same two with scheme and host replaced by `~` ("any origin").
 *
 * Splitting is our own best-effort parser rather than a strict URL parser: release file names are whatever the
 * client uploaded (`~/app.js`, `app:///x.js`, `webpack://./src`, malformed IPv6 hosts), so it never throws and it
 * keeps the original spelling of scheme and authority. That differs from Python's `urlunsplit`, which would turn
 * `app:///x.js` into `app:/x.js`; keeping the uploaded spelling lets the first candidate match the stored name.
 */
export function releaseFileUrlCandidates(url: string): string[] {
  const { origin, path, query } = splitUrlBestEffort(url);
  const candidates = [origin + path + (query ? `?${query}` : '')];
  if (query) candidates.push(origin + path);
  candidates.push(`~${path}${query ? `?${query}` : ''}`);
  if (query) candidates.push(`~${path}`);
  return candidates;
}

interface SplitUrl {
  /** `scheme:` and `//authority` exactly as written (either may be empty). */
  origin: string;
  path: string;
  query: string;
}

// RFC 3986 scheme: a letter, then letters, digits, '+', '-', '.'.
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

function splitUrlBestEffort(url: string): SplitUrl {
  const hash = url.indexOf('#');
  let rest = hash === -1 ? url : url.slice(0, hash);

  const scheme = SCHEME.exec(rest)?.[0] ?? '';
  rest = rest.slice(scheme.length);

  let authority = '';
  if (rest.startsWith('//')) {
    const end = firstIndexOf(rest, ['/', '?'], 2);
    authority = rest.slice(0, end);
    rest = rest.slice(end);
  }

  const questionMark = rest.indexOf('?');
  const path = questionMark === -1 ? rest : rest.slice(0, questionMark);
  const query = questionMark === -1 ? '' : rest.slice(questionMark + 1);
  return { origin: scheme + authority, path, query };
}

function firstIndexOf(text: string, needles: string[], from: number): number {
  let first = text.length;
  for (const needle of needles) {
    const at = text.indexOf(needle, from);
    if (at !== -1 && at < first) first = at;
  }
  return first;
}
