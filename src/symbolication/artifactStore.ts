import type { TraceMap } from '@jridgewell/trace-mapping';
import { findBundlesByDebugId, findBundlesByReleaseUrl } from '../adapters/db/artifactBundleReads.js';
import { collectStream, openFileStream, openStoredZip, type FileStoreDeps, type StoredZip } from '../adapters/files/index.js';
import type { ArtifactScope } from '../artifacts/bundleContent.js';
import { readBundleManifest } from '../artifacts/bundleContent.js';
import { normalizeDebugId } from '../domain/debugId.js';
import { isAppError } from '../domain/errors.js';
import type { BundleManifest, ManifestFile } from '../domain/manifest.js';
import type { JsResolvedWith, SourceMapOrigin } from '../domain/symbolication/jsTypes.js';
import { SourceLines } from '../domain/symbolication/contextLines.js';
import { parseSourceMap } from '../domain/symbolication/parseSourceMap.js';
import { releaseFileUrlCandidates } from '../domain/urlCandidates.js';
import { findScopedRelease } from '../releases/findScopedRelease.js';
import { listReleaseArtifacts, type ReleaseArtifact } from '../releases/listReleaseArtifacts.js';
import type { ByteBoundedCache } from './byteBoundedCache.js';

/** A stored file or bundle member that a lookup found, and how. */
export interface FoundArtifact {
  /** the artifact's URL as uploaded (manifest `url`, release file name) */
  url: string;
  headers: Record<string, unknown>;
  resolvedWith: JsResolvedWith;
  origin: SourceMapOrigin;
  /** the bundle it is a member of (so a map or source is looked for there first), else null */
  bundle: BundleLocation | null;
  /** a stable name of these exact bytes, for the cache: stored files never change once written */
  cacheKey: string | null;
  read(): Promise<Buffer>;
}

export interface BundleLocation {
  fileId: string;
  artifactBundleId: string;
}

/** What the cache holds: parsed maps (or the fact that a map is malformed), texts, and bundle listings. */
export type CachedValue = { kind: 'map'; map: TraceMap | null } | { kind: 'text'; text: SourceLines } | { kind: 'bundle'; zip: StoredZip; manifest: BundleManifest };

/** Source files and maps are read whole to parse; anything larger is treated as absent. */
export const MAX_SYMBOLICATION_FILE_BYTES = 64 * 1024 * 1024;
/** A map's parsed form (decoded segments, names, sources) is charged at this multiple of its JSON size. */
const PARSED_MAP_BYTES_PER_BYTE = 3;

/**
 * The artifact reads of one symbolication request, scoped to an organisation and project (every query filters by
 * both), over a cache shared between requests. Cache keys name stored file ids or content checksums, never URLs,
 * so nothing is reachable through the cache that the scoped queries did not already reach.
 */
export class ArtifactStore {
  private releaseArtifacts: Promise<{ releaseId: string; artifacts: ReleaseArtifact[] } | null> | null = null;
  readonly usedBundles = new Set<string>();

  constructor(
    private readonly deps: FileStoreDeps,
    private readonly scope: ArtifactScope,
    private readonly release: { name: string; dist: string } | null,
    private readonly cache: ByteBoundedCache<CachedValue>,
  ) {}

  /** The minified file and the source map that carry this debug id, from the newest bundle holding either. */
  async findByDebugId(debugId: string): Promise<{ minified: FoundArtifact | null; map: FoundArtifact | null }> {
    const normalized = normalizeDebugId(debugId);
    if (normalized === null) return { minified: null, map: null };
    const uuid = normalized.slice(0, 36);
    const hits = await findBundlesByDebugId(this.deps.db, { ...this.scope, debugId: uuid, limit: 5 });
    let minified: FoundArtifact | null = null;
    let map: FoundArtifact | null = null;
    for (const hit of hits) {
      const { zip, manifest } = await this.bundle(hit.fileId);
      for (const file of manifest.files) {
        if (normalizeDebugId(headerValue(file.headers, 'debug-id') ?? '')?.slice(0, 36) !== uuid) continue;
        if (file.type === 'minified_source' && !minified) minified = this.member(zip, hit.artifactBundleId, file, 'debug-id');
        if (file.type === 'source_map' && !map) map = this.member(zip, hit.artifactBundleId, file, 'debug-id');
      }
      if (minified || map) break;
    }
    return { minified, map };
  }

  /**
   * The artifact stored under a URL (or its `~/` and query-less forms): in `inBundle` first (a map beside its
   * minified file), then in the release's bundles by their URL index, then among the release's files.
   */
  async findByUrl(url: string, inBundle: BundleLocation | null = null): Promise<FoundArtifact | null> {
    const candidates = releaseFileUrlCandidates(url);
    if (inBundle) {
      const found = await this.findInBundle(inBundle.fileId, inBundle.artifactBundleId, candidates, 'url');
      if (found) return found;
    }
    if (this.release === null) return null;
    const hits = await findBundlesByReleaseUrl(this.deps.db, { ...this.scope, release: this.release.name, dist: this.release.dist, urls: candidates, limit: 5 });
    for (const hit of hits) {
      const found = await this.findInBundle(hit.fileId, hit.artifactBundleId, candidates, 'index');
      if (found) return found;
    }
    const release = await this.listReleaseArtifacts();
    for (const candidate of candidates) {
      const artifact = release?.artifacts.find((a) => a.name === candidate);
      if (artifact) return this.releaseFile(release!.releaseId, artifact);
    }
    return null;
  }

  /** The artifact's text (UTF-8, replacement characters for bad bytes), cached by its key; null when too large. */
  async readText(artifact: FoundArtifact): Promise<SourceLines | null> {
    const cached = this.cached(artifact, 'text');
    if (cached?.kind === 'text') return cached.text;
    const bytes = await this.readBounded(artifact);
    if (bytes === null) return null;
    const text = new SourceLines(bytes.toString('utf8'));
    // the text and, once split, its lines: about twice the characters, at two bytes each
    this.remember(artifact, 'text', { kind: 'text', text }, text.text.length * 4);
    return text;
  }

  /** The parsed source map, or null when it is malformed (remembered too, so a bad map is parsed once). */
  async readMap(artifact: FoundArtifact): Promise<{ map: TraceMap | null } | 'too_large'> {
    const cached = this.cached(artifact, 'map');
    if (cached?.kind === 'map') return { map: cached.map };
    const bytes = await this.readBounded(artifact);
    if (bytes === null) return 'too_large';
    const map = parseSourceMap(bytes);
    this.remember(artifact, 'map', { kind: 'map', map }, map === null ? 64 : bytes.length * PARSED_MAP_BYTES_PER_BYTE);
    return { map };
  }

  private cached(artifact: FoundArtifact, kind: string): CachedValue | undefined {
    return artifact.cacheKey === null ? undefined : this.cache.get(`${kind}:${artifact.cacheKey}`);
  }

  private remember(artifact: FoundArtifact, kind: string, value: CachedValue, bytes: number): void {
    if (artifact.cacheKey !== null) this.cache.set(`${kind}:${artifact.cacheKey}`, value, bytes);
  }

  private async readBounded(artifact: FoundArtifact): Promise<Buffer | null> {
    try {
      return await artifact.read();
    } catch (err) {
      // too large, or a stored file that cannot be read back (a corrupt member): the frames say the file is missing
      if (isAppError(err, 'file_too_large') || isAppError(err, 'not_found') || isAppError(err, 'internal')) return null;
      throw err;
    }
  }

  private async findInBundle(fileId: string, artifactBundleId: string, candidates: string[], resolvedWith: JsResolvedWith): Promise<FoundArtifact | null> {
    const { zip, manifest } = await this.bundle(fileId);
    for (const candidate of candidates) {
      const file = manifest.files.find((f) => f.url === candidate);
      if (file && zip.has(file.key)) return this.member(zip, artifactBundleId, file, resolvedWith);
    }
    return null;
  }

  /** A bundle's directory and manifest, cached by its stored file id (a stored bundle never changes). */
  private async bundle(fileId: string): Promise<{ zip: StoredZip; manifest: BundleManifest }> {
    const key = `bundle:${fileId}`;
    const cached = this.cache.get(key);
    if (cached?.kind === 'bundle') return cached;
    const zip = await openStoredZip(this.deps, fileId);
    const manifest = await readBundleManifest(zip);
    this.cache.set(key, { kind: 'bundle', zip, manifest }, 1024 + zip.memberNames.length * 256);
    return { zip, manifest };
  }

  private member(zip: StoredZip, artifactBundleId: string, file: ManifestFile, resolvedWith: JsResolvedWith): FoundArtifact {
    this.usedBundles.add(`artifact_bundle/${artifactBundleId}`);
    const url = file.url ?? file.key;
    return {
      url,
      headers: file.headers,
      resolvedWith,
      origin: { bundled: [`artifact_bundle/${artifactBundleId}`, url] },
      bundle: { fileId: zip.fileId, artifactBundleId },
      cacheKey: `${zip.fileId}/${file.key}`,
      read: () => collectStream(zip.openMember(file.key).stream, MAX_SYMBOLICATION_FILE_BYTES),
    };
  }

  private releaseFile(releaseId: string, artifact: ReleaseArtifact): FoundArtifact {
    const deps = this.deps;
    const location = artifact.location;
    return {
      url: artifact.name,
      headers: artifact.headers,
      resolvedWith: 'release-old',
      origin: { individual_file: `release_file/${artifact.id}` },
      bundle: null,
      // release files are content-addressed by their SHA-1 (bytes, not names, decide what a parse gives)
      cacheKey: artifact.sha1 ? `sha1:${artifact.sha1}` : null,
      async read() {
        if (location.kind === 'file') return collectStream(await openFileStream(deps, location.fileId), MAX_SYMBOLICATION_FILE_BYTES);
        const archive = await deps.db
          .selectFrom('release_file')
          .select('file_id')
          .where('release_id', '=', releaseId)
          .where('ident', '=', location.archiveIdent)
          .executeTakeFirst();
        if (!archive) return Buffer.alloc(0);
        const zip = await openStoredZip(deps, archive.file_id);
        return collectStream(zip.openMember(location.member).stream, MAX_SYMBOLICATION_FILE_BYTES);
      },
    };
  }

  private listReleaseArtifacts(): Promise<{ releaseId: string; artifacts: ReleaseArtifact[] } | null> {
    this.releaseArtifacts ??= this.loadReleaseArtifacts();
    return this.releaseArtifacts;
  }

  /** A release that does not exist or is not the project's has no files here. */
  private async loadReleaseArtifacts(): Promise<{ releaseId: string; artifacts: ReleaseArtifact[] } | null> {
    if (this.release === null) return null;
    try {
      const release = await findScopedRelease(this.deps.db, this.scope, this.release.name);
      return { releaseId: release.id, artifacts: await listReleaseArtifacts(this.deps, release.id, { dist: this.release.dist || null }) };
    } catch (err) {
      if (isAppError(err, 'not_found')) return null;
      throw err;
    }
  }
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}
