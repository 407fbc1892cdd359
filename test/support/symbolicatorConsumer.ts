import unzipper from 'unzipper';

/**
 * A test consumer that reads artifacts the way Symbolicator does (getsentry/symbolicator `symbolicator-js`
 * api_lookup.rs; reference sentry-consumers.md): one GET of Sentry's artifact-lookup route, an answer decoded strictly
 * (a list of `bundle` / `file` elements, nothing else, every `url` absolute and under the lookup URL, so that the
 * token may be sent there), each `url` fetched with the bearer token, bundles and release archives unpacked through
 * their `manifest.json` (artifact bundles carry an 8-byte `SYSB` header before the zip, counted by its offsets).
 *
 * Usage (against a listening server, e.g. `ApiHarness.listen()`):
 *
 *   const found = await lookupAsSymbolicator({ lookupUrl: `${base}/api/0/projects/acme/web/artifact-lookup/`,
 *     token, debugIds: [id] });
 *   found.files.find((f) => f.url === '~/app.js')?.bytes
 *
 * Anything a real consumer would choke on throws a `SymbolicatorRuleError`.
 */

export class SymbolicatorRuleError extends Error {
  override name = 'SymbolicatorRuleError';
}

export type ResolvedWith = 'debug-id' | 'url' | 'index' | 'release' | 'release-old' | 'scraping' | 'unknown';

/** One decoded element of the answer. */
export type LookupElement =
  | { type: 'bundle'; id: string; url: string; resolved_with: ResolvedWith }
  | { type: 'file'; id: string; url: string; abs_path: string; headers: Record<string, string>; resolved_with: ResolvedWith };

/** One artifact the consumer ends up with. */
export interface ConsumerFile {
  /** the artifact's URL: a bundle member's manifest `url`, or a single file's `abs_path` */
  url: string;
  bytes: Buffer;
  /** the manifest's headers of a bundle member, a single file's `headers` */
  headers: Record<string, string>;
  /** a bundle member's manifest `type` (`minified_source`, `source_map`, ...); null for a single file */
  fileType: string | null;
  /** the element it came from */
  from: LookupElement;
}

export interface SymbolicatorLookup {
  /** the absolute artifact-lookup URL the consumer is configured with (…/artifact-lookup/) */
  lookupUrl: string;
  token: string;
  debugIds?: string[];
  urls?: string[];
  release?: string;
  dist?: string;
}

const RESOLVED_WITH = new Set(['debug-id', 'url', 'index', 'release', 'release-old', 'scraping', 'unknown']);

/** Looks up, decodes, downloads and unpacks; returns the decoded answer and every file found, in answer order. */
export async function lookupAsSymbolicator(lookup: SymbolicatorLookup): Promise<{ elements: LookupElement[]; files: ConsumerFile[] }> {
  const query = new URLSearchParams();
  for (const id of lookup.debugIds ?? []) query.append('debug_id', id);
  for (const url of lookup.urls ?? []) query.append('url', url);
  if (lookup.release !== undefined) query.append('release', lookup.release);
  if (lookup.dist !== undefined) query.append('dist', lookup.dist);
  const answer = await fetchWithToken(`${lookup.lookupUrl}?${query}`, lookup.token);
  const elements = decodeLookupAnswer(JSON.parse(answer.toString('utf8')), lookup.lookupUrl);
  const files: ConsumerFile[] = [];
  for (const element of elements) {
    const bytes = await fetchWithToken(element.url, lookup.token);
    if (element.type === 'file') files.push({ url: element.abs_path, bytes, headers: element.headers, fileType: null, from: element });
    else for (const member of await unpackBundle(bytes)) files.push({ ...member, from: element });
  }
  return { elements, files };
}

/**
 * Symbolicator's decoding of the answer: a JSON array of elements tagged `bundle` or `file`; an unknown `type` fails
 * the whole answer, as a tagged enum does. `url` must be absolute and start with `lookupUrl` (else the consumer would
 * not send its token and the download would fail). Extra keys are ignored.
 */
export function decodeLookupAnswer(json: unknown, lookupUrl: string): LookupElement[] {
  if (!Array.isArray(json)) throw new SymbolicatorRuleError(`answer is not a list: ${JSON.stringify(json)}`);
  return json.map((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null) throw new SymbolicatorRuleError(`element ${i} is not an object`);
    const value = raw as Record<string, unknown>;
    const id = requireString(value, 'id', i);
    const url = requireString(value, 'url', i);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new SymbolicatorRuleError(`element ${i}: url ${url} is not absolute`);
    }
    if (!parsed.href.startsWith(lookupUrl)) throw new SymbolicatorRuleError(`element ${i}: url ${url} is not under ${lookupUrl}`);
    const resolved = value.resolved_with ?? 'unknown';
    if (typeof resolved !== 'string' || !RESOLVED_WITH.has(resolved)) throw new SymbolicatorRuleError(`element ${i}: resolved_with ${String(resolved)}`);
    const resolved_with = resolved as ResolvedWith;
    switch (value.type) {
      case 'bundle':
        return { type: 'bundle', id, url, resolved_with };
      case 'file': {
        const headers = value.headers ?? {};
        if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw new SymbolicatorRuleError(`element ${i}: headers is not a map`);
        for (const [name, header] of Object.entries(headers)) {
          if (typeof header !== 'string') throw new SymbolicatorRuleError(`element ${i}: header ${name} is not a string`);
        }
        return { type: 'file', id, url, abs_path: requireString(value, 'abs_path', i), headers: headers as Record<string, string>, resolved_with };
      }
      default:
        throw new SymbolicatorRuleError(`element ${i}: unknown type ${JSON.stringify(value.type)}`);
    }
  });
}

/** The members of an artifact bundle (SYSB header first) or a release archive (a plain zip), through manifest.json. */
export async function unpackBundle(bytes: Buffer): Promise<Array<Omit<ConsumerFile, 'from'>>> {
  // an artifact bundle's zip offsets count its 8-byte SYSB header, so the whole file is opened through its central
  // directory; a release archive is a plain zip. Anything else is not a bundle a consumer could read.
  const magic = bytes.subarray(0, 4).toString('latin1');
  if (magic !== 'SYSB' && magic !== 'PK\x03\x04') throw new SymbolicatorRuleError(`not a bundle (starts with ${JSON.stringify(magic)})`);
  const zip = await unzipper.Open.buffer(bytes);
  const entry = (path: string) => zip.files.find((file) => file.path === path);
  const manifestEntry = entry('manifest.json');
  if (!manifestEntry) throw new SymbolicatorRuleError('bundle has no manifest.json');
  const manifest = JSON.parse((await manifestEntry.buffer()).toString('utf8')) as {
    files?: Record<string, { url?: string; type?: string; headers?: Record<string, string> }>;
  };
  const members: Array<Omit<ConsumerFile, 'from'>> = [];
  for (const [path, info] of Object.entries(manifest.files ?? {})) {
    const member = entry(path);
    if (!member) throw new SymbolicatorRuleError(`manifest names ${path}, which the zip does not hold`);
    if (typeof info.url !== 'string') continue;
    members.push({ url: info.url, bytes: await member.buffer(), headers: info.headers ?? {}, fileType: info.type ?? null });
  }
  return members;
}

async function fetchWithToken(url: string, token: string): Promise<Buffer> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new SymbolicatorRuleError(`GET ${url}: ${res.status} ${body.toString('utf8').slice(0, 200)}`);
  return body;
}

function requireString(value: Record<string, unknown>, key: string, i: number): string {
  const field = value[key];
  if (typeof field !== 'string') throw new SymbolicatorRuleError(`element ${i}: ${key} is not a string`);
  return field;
}
