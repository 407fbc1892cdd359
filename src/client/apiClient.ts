import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, detailOf } from './apiError.js';
import type { AssembleAnswer, ChunkUploadOptions, Dashboard, LookupMatch, Release, ReleaseFile } from './apiTypes.js';
import { splitIntoChunks } from './chunks.js';

export interface ApiClientOptions {
  /** the server's base URL, e.g. `https://artifacts.example.com` (no `/api/0`) */
  url: string;
  /** an organisation token, sent as `Authorization: Bearer <token>` */
  token: string;
  /** retries after a 503, a 429 or a connection reset (default 3); no other failure is retried */
  retries?: number;
  /** the first backoff in ms (default 250), doubled per retry; a `Retry-After` header wins when it says more */
  backoffMs?: number;
}

export interface RequestOptions {
  /** query string parameters; arrays repeat the key, undefined values are left out */
  params?: Record<string, string | number | boolean | readonly string[] | undefined>;
  /** a JSON body, or a FormData sent as multipart */
  data?: unknown;
}

const API_PREFIX = '/api/0';
/** Errors Node's fetch reports when the connection dropped under a request (safe to repeat: our routes are idempotent). */
const CONNECTION_RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const RETRY_AFTER_CAP_MS = 30_000;

/**
 * A typed client of this service's HTTP API (Sentry's paths) for other Node services, on Node's own fetch.
 * `request` adds the `/api/0` prefix when the path lacks it, as Sentry's API client does; the typed methods below
 * cover releases, release files, chunk upload and assembly, the artifact lookup and dashboards.
 */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly retries: number;
  private readonly backoffMs: number;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 250;
  }

  /** The absolute URL of `path` (prefixed with `/api/0` unless it already is, or is itself absolute). */
  urlFor(path: string, params?: RequestOptions['params']): URL {
    const url = /^https?:\/\//.test(path) ? new URL(path) : new URL(this.baseUrl + (path.startsWith(API_PREFIX + '/') ? path : API_PREFIX + (path.startsWith('/') ? path : `/${path}`)));
    for (const [key, value] of Object.entries(params ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
    }
    return url;
  }

  /** One call, retried on 503/429/connection resets; the parsed JSON (or null for an empty body), else an ApiError. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  }

  get<T = unknown>(path: string, params?: RequestOptions['params']): Promise<T> {
    return this.request<T>('GET', path, { params });
  }

  post<T = unknown>(path: string, data?: unknown, params?: RequestOptions['params']): Promise<T> {
    return this.request<T>('POST', path, { data, params });
  }

  put<T = unknown>(path: string, data?: unknown, params?: RequestOptions['params']): Promise<T> {
    return this.request<T>('PUT', path, { data, params });
  }

  delete<T = unknown>(path: string, params?: RequestOptions['params']): Promise<T> {
    return this.request<T>('DELETE', path, { params });
  }

  /** The raw bytes of a GET (artifact downloads: a lookup `url` is absolute or relative to the server). */
  async download(path: string): Promise<Buffer> {
    const response = await this.send('GET', path, {});
    return Buffer.from(await response.arrayBuffer());
  }

  // Releases -------------------------------------------------------------------------------------------------------

  createRelease(org: string, release: { version: string; projects: string[]; ref?: string; url?: string; dateReleased?: string }): Promise<Release> {
    return this.post<Release>(orgPath(org, 'releases/'), release);
  }

  getRelease(org: string, version: string): Promise<Release> {
    return this.get<Release>(orgPath(org, `releases/${encodeURIComponent(version)}/`));
  }

  listReleases(org: string, params: { query?: string; per_page?: number; cursor?: string } = {}): Promise<Release[]> {
    return this.get<Release[]>(orgPath(org, 'releases/'), params);
  }

  /** Sets `dateReleased` (finalize), `ref`, `url` and the like. */
  updateRelease(org: string, version: string, changes: { ref?: string; url?: string; dateReleased?: string }): Promise<Release> {
    return this.put<Release>(orgPath(org, `releases/${encodeURIComponent(version)}/`), changes);
  }

  async deleteRelease(org: string, version: string): Promise<void> {
    await this.delete(orgPath(org, `releases/${encodeURIComponent(version)}/`));
  }

  // Release files --------------------------------------------------------------------------------------------------

  listReleaseFiles(org: string, version: string): Promise<ReleaseFile[]> {
    return this.get<ReleaseFile[]>(orgPath(org, `releases/${encodeURIComponent(version)}/files/`));
  }

  /** The legacy single-file upload (`releases files upload`): one multipart part named `file`. */
  uploadReleaseFile(org: string, version: string, file: { name: string; content: Buffer | string; dist?: string; headers?: Record<string, string> }): Promise<ReleaseFile> {
    const form = new FormData();
    form.append('name', file.name);
    if (file.dist) form.append('dist', file.dist);
    for (const [key, value] of Object.entries(file.headers ?? {})) form.append('header', `${key}:${value}`);
    form.append('file', new Blob([typeof file.content === 'string' ? file.content : new Uint8Array(file.content)]), file.name.replace(/^.*\//, ''));
    return this.post<ReleaseFile>(orgPath(org, `releases/${encodeURIComponent(version)}/files/`), form);
  }

  getReleaseFile(org: string, version: string, fileId: string): Promise<ReleaseFile> {
    return this.get<ReleaseFile>(orgPath(org, `releases/${encodeURIComponent(version)}/files/${encodeURIComponent(fileId)}/`));
  }

  downloadReleaseFile(org: string, version: string, fileId: string): Promise<Buffer> {
    return this.download(this.urlFor(orgPath(org, `releases/${encodeURIComponent(version)}/files/${encodeURIComponent(fileId)}/`), { download: '1' }).href);
  }

  async deleteReleaseFile(org: string, version: string, fileId: string): Promise<void> {
    await this.delete(orgPath(org, `releases/${encodeURIComponent(version)}/files/${encodeURIComponent(fileId)}/`));
  }

  // Chunk upload and assembly --------------------------------------------------------------------------------------

  getChunkUploadOptions(org: string): Promise<ChunkUploadOptions> {
    return this.get<ChunkUploadOptions>(orgPath(org, 'chunk-upload/'));
  }

  /** Sends the chunks (SHA-1 named `file` parts) to the advertised `url`, at most `chunksPerRequest` per request. */
  async uploadChunks(options: ChunkUploadOptions, chunks: readonly { sha1: string; bytes: Buffer }[]): Promise<void> {
    for (let start = 0; start < chunks.length; start += options.chunksPerRequest) {
      const form = new FormData();
      for (const chunk of chunks.slice(start, start + options.chunksPerRequest)) form.append('file', new Blob([new Uint8Array(chunk.bytes)]), chunk.sha1);
      await this.request('POST', options.url, { data: form });
    }
  }

  assembleArtifactBundle(org: string, bundle: { checksum: string; chunks: string[]; projects: string[]; version?: string; dist?: string }): Promise<AssembleAnswer> {
    return this.post<AssembleAnswer>(orgPath(org, 'artifactbundle/assemble/'), bundle);
  }

  assembleReleaseBundle(org: string, version: string, bundle: { checksum: string; chunks: string[] }): Promise<AssembleAnswer> {
    return this.post<AssembleAnswer>(orgPath(org, `releases/${encodeURIComponent(version)}/assemble/`), bundle);
  }

  /**
   * Uploads an artifact bundle (a zip with its manifest) the way sentry-cli does: ask which chunks are missing,
   * send those, then poll the assemble endpoint until `ok` or `error` (or the timeout, which throws).
   */
  async uploadArtifactBundle(
    org: string,
    bundle: Buffer,
    target: { projects: string[]; version?: string; dist?: string },
    polling: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<AssembleAnswer> {
    const options = await this.getChunkUploadOptions(org);
    const { checksum, chunks } = splitIntoChunks(bundle, options.chunkSize);
    const body = { checksum, chunks: chunks.map((c) => c.sha1), ...target };
    const deadline = Date.now() + (polling.timeoutMs ?? 300_000);
    let answer = await this.assembleArtifactBundle(org, body);
    const missing = new Set(answer.missingChunks);
    if (missing.size > 0) await this.uploadChunks(options, chunks.filter((c) => missing.has(c.sha1)));
    for (;;) {
      if (answer.state === 'ok' || answer.state === 'error') return answer;
      if (Date.now() >= deadline) throw new Error(`artifact bundle ${checksum} still ${answer.state} after ${polling.timeoutMs ?? 300_000} ms`);
      await sleep(polling.intervalMs ?? 250);
      answer = await this.assembleArtifactBundle(org, body);
    }
  }

  // Artifact lookup ------------------------------------------------------------------------------------------------

  /**
   * Our own richer lookup (`artifacts/lookup/`: bundles and their members, release files, sizes), queried like
   * Symbolicator queries Sentry's `artifact-lookup/`, whose bare `bundle`/`file` answer is not this type.
   */
  lookupArtifacts(org: string, project: string, query: { debug_id?: string[] | string; url?: string[] | string; release?: string; dist?: string }): Promise<LookupMatch[]> {
    return this.get<LookupMatch[]>(`/projects/${encodeURIComponent(org)}/${encodeURIComponent(project)}/artifacts/lookup/`, query);
  }

  // Dashboards -----------------------------------------------------------------------------------------------------

  listDashboards(org: string): Promise<Dashboard[]> {
    return this.get<Dashboard[]>(orgPath(org, 'dashboards/'));
  }

  createDashboard(org: string, dashboard: Dashboard): Promise<Dashboard> {
    return this.post<Dashboard>(orgPath(org, 'dashboards/'), dashboard);
  }

  getDashboard(org: string, id: string): Promise<Dashboard> {
    return this.get<Dashboard>(orgPath(org, `dashboards/${encodeURIComponent(id)}/`));
  }

  updateDashboard(org: string, id: string, dashboard: Dashboard): Promise<Dashboard> {
    return this.put<Dashboard>(orgPath(org, `dashboards/${encodeURIComponent(id)}/`), dashboard);
  }

  async deleteDashboard(org: string, id: string): Promise<void> {
    await this.delete(orgPath(org, `dashboards/${encodeURIComponent(id)}/`));
  }

  // The transport --------------------------------------------------------------------------------------------------

  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const url = this.urlFor(path, options.params);
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(url, { method, headers: this.headersFor(options.data), body: bodyOf(options.data) });
      } catch (err) {
        if (attempt < this.retries && isConnectionReset(err)) {
          await sleep(this.backoffMs * 2 ** attempt);
          continue;
        }
        throw new ApiError(0, null, null, method, url.href, { cause: err });
      }
      if (response.ok) return response;
      if (attempt < this.retries && (response.status === 503 || response.status === 429)) {
        await response.body?.cancel();
        await sleep(Math.max(this.backoffMs * 2 ** attempt, retryAfterMs(response.headers.get('retry-after'))));
        continue;
      }
      const body = await parsedBody(response);
      throw new ApiError(response.status, detailOf(body), body, method, url.href);
    }
  }

  private headersFor(data: unknown): Record<string, string> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}`, accept: 'application/json' };
    if (data !== undefined && !(data instanceof FormData)) headers['content-type'] = 'application/json';
    return headers;
  }
}

function orgPath(org: string, rest: string): string {
  return `/organizations/${encodeURIComponent(org)}/${rest}`;
}

function bodyOf(data: unknown): string | FormData | undefined {
  if (data === undefined) return undefined;
  return data instanceof FormData ? data : JSON.stringify(data);
}

function isConnectionReset(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' && CONNECTION_RESET_CODES.has(cause.code);
}

/** `Retry-After` in seconds (the form we send); an HTTP date or garbage counts as no hint. */
function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return header && Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, RETRY_AFTER_CAP_MS) : 0;
}

async function parsedBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
