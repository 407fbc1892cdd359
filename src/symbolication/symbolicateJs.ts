import type { FileStoreDeps } from '../adapters/files/index.js';
import type { ArtifactScope } from '../artifacts/bundleContent.js';
import { contextLines, SourceLines } from '../domain/symbolication/contextLines.js';
import type {
  CompletedJsSymbolicationResponse,
  JsFrame,
  JsModuleError,
  JsModuleErrorKind,
  JsStacktrace,
  SymbolicateJsRequest,
} from '../domain/symbolication/jsTypes.js';
import { resolveFrame, type ResolvedSourceMap } from '../domain/symbolication/resolveFrame.js';
import { decodeDataUrl, resolveUrl, sourceMappingUrlComment, sourceMapUrlFromHeaders } from '../domain/symbolication/sourceMapReference.js';
import { parseSourceMap } from '../domain/symbolication/parseSourceMap.js';
import { ArtifactStore, type CachedValue, type FoundArtifact } from './artifactStore.js';
import type { ByteBoundedCache } from './byteBoundedCache.js';

export interface SymbolicationDeps extends FileStoreDeps {
  /** parsed maps, texts and bundle listings, shared by every request of the process */
  cache: ByteBoundedCache<CachedValue>;
}

/** What a minified file resolves to: its text (when read) and its map, or why a frame of it cannot be resolved. */
type ModuleResolution =
  | { kind: 'error'; error: JsModuleErrorKind; minifiedSource: SourceLines | null }
  /** a file with no map reference: its frames are answered as they came, without an error (Symbolicator does so) */
  | { kind: 'no_sourcemap'; minifiedSource: SourceLines | null }
  | {
      kind: 'ok';
      minifiedSource: SourceLines;
      sourceMap: ResolvedSourceMap;
      bundle: FoundArtifact['bundle'];
      /** the map's embedded sources, split once per request */
      embedded: Map<string, SourceLines>;
    };

/**
 * Symbolicator's `symbolicate-js` over the artifacts stored for the scope's organisation and project: every frame
 * is resolved on its own (one minified file's lookup per distinct `abs_path`), and a frame that cannot be resolved
 * is answered as it came, with its error in `errors`.
 */
export async function symbolicateJs(deps: SymbolicationDeps, scope: ArtifactScope, request: SymbolicateJsRequest): Promise<CompletedJsSymbolicationResponse> {
  const release = request.release ? { name: request.release, dist: request.dist ?? '' } : null;
  const store = new ArtifactStore(deps, scope, release, deps.cache);
  const debugIds = new Map(request.modules.map((m) => [m.code_file, m.debug_id]));
  const modules = new Map<string, Promise<ModuleResolution>>();
  const moduleOf = (absPath: string) => {
    let resolution = modules.get(absPath);
    if (!resolution) {
      resolution = resolveModule(store, absPath, debugIds.get(absPath) ?? null);
      modules.set(absPath, resolution);
    }
    return resolution;
  };

  const errors = new Map<string, JsModuleError>();
  const addError = (absPath: string, kind: JsModuleErrorKind) => {
    const error = { abs_path: absPath, ...kind };
    errors.set(JSON.stringify(error), error);
  };
  const stacktraces: JsStacktrace[] = [];
  const rawStacktraces: JsStacktrace[] = [];
  for (const stacktrace of request.stacktraces) {
    const frames: JsFrame[] = [];
    const rawFrames: JsFrame[] = [];
    let callerName: string | null = null;
    for (const raw of stacktrace.frames) {
      const outcome = await symbolicateFrame(store, raw, callerName, request.applySourceContext, moduleOf, addError);
      callerName = outcome.tokenName;
      frames.push(outcome.frame);
      rawFrames.push(outcome.raw);
    }
    stacktraces.push({ frames });
    rawStacktraces.push({ frames: rawFrames });
  }

  const answer: CompletedJsSymbolicationResponse = { status: 'completed', stacktraces, raw_stacktraces: rawStacktraces };
  if (errors.size > 0) answer.errors = [...errors.values()].sort(compareErrors);
  if (store.usedBundles.size > 0) answer.used_artifact_bundles = [...store.usedBundles].sort();
  return answer;
}

async function symbolicateFrame(
  store: ArtifactStore,
  raw: JsFrame,
  callerName: string | null,
  applySourceContext: boolean,
  moduleOf: (absPath: string) => Promise<ModuleResolution>,
  addError: (absPath: string, kind: JsModuleErrorKind) => void,
): Promise<{ frame: JsFrame; raw: JsFrame; tokenName: string | null }> {
  // a line below 1 is refused before any lookup, as Symbolicator does (0s come with non-JavaScript frames)
  if (raw.lineno < 1) {
    addError(raw.abs_path, { type: 'invalid_location', line: raw.lineno, col: raw.colno ?? null });
    return { frame: raw, raw, tokenName: null };
  }
  const module = await moduleOf(raw.abs_path);
  const rawOut = applySourceContext && module.minifiedSource !== null ? withContext(raw, module.minifiedSource) : raw;
  if (module.kind === 'no_sourcemap') return { frame: rawOut, raw: rawOut, tokenName: null };
  if (module.kind === 'error') {
    addError(raw.abs_path, module.error);
    return { frame: rawOut, raw: rawOut, tokenName: null };
  }
  const result = resolveFrame(raw, module.sourceMap, callerName, module.minifiedSource.text);
  if (!result.ok) {
    addError(raw.abs_path, result.error);
    return { frame: rawOut, raw: rawOut, tokenName: null };
  }
  const { frame, source, tokenName } = result.resolved;
  if (!applySourceContext) return { frame, raw: rawOut, tokenName };
  let text: SourceLines | null = null;
  if (source.content !== null) {
    text = module.embedded.get(source.name) ?? new SourceLines(source.content);
    module.embedded.set(source.name, text);
  } else {
    // no `sourcesContent` for this source: the original file, if it was uploaded (beside the map first)
    const original = await store.findByUrl(source.absPath, module.bundle);
    text = original ? await store.readText(original) : null;
    if (text === null) addError(raw.abs_path, { type: 'missing_source_content', source: source.absPath, sourcemap: module.sourceMap.label });
  }
  return { frame: text === null ? frame : withContext(frame, text), raw: rawOut, tokenName };
}

function withContext(frame: JsFrame, source: SourceLines): JsFrame {
  const context = contextLines(source, frame.lineno, frame.colno);
  if (!context) return frame;
  const out: JsFrame = { ...frame, context_line: context.context_line };
  if (context.pre_context.length > 0) out.pre_context = context.pre_context;
  if (context.post_context.length > 0) out.post_context = context.post_context;
  return out;
}

/**
 * The minified file by debug id first, then by release + dist + URL; its map by debug id, else from its
 * `Sourcemap` / `X-SourceMap` header or `sourceMappingURL` comment, resolved against the file's URL and looked up
 * beside it first.
 */
async function resolveModule(store: ArtifactStore, absPath: string, debugId: string | null): Promise<ModuleResolution> {
  const byDebugId = debugId === null ? { minified: null, map: null } : await store.findByDebugId(debugId);
  const minified = byDebugId.minified ?? (await store.findByUrl(absPath));
  if (!minified) return { kind: 'error', error: { type: 'missing_source' }, minifiedSource: null };
  const minifiedSource = await store.readText(minified);
  if (minifiedSource === null) return { kind: 'error', error: { type: 'missing_source' }, minifiedSource: null };

  const reference = sourceMapUrlFromHeaders(minified.headers) ?? sourceMappingUrlComment(minifiedSource.text);
  const referenceUrl = reference === null ? null : resolveUrl(absPath, reference);
  const fail = (error: JsModuleErrorKind): ModuleResolution => ({ kind: 'error', error, minifiedSource });

  if (byDebugId.map) {
    const label = referenceUrl && !referenceUrl.startsWith('data:') ? referenceUrl : byDebugId.map.url;
    return loadMap(store, byDebugId.map, label, absPath, minifiedSource, fail);
  }
  if (referenceUrl === null) return { kind: 'no_sourcemap', minifiedSource };
  const inline = decodeDataUrl(referenceUrl);
  if (inline) {
    if (inline.kind === 'invalid_base64') return fail({ type: 'invalid_base64_sourcemap' });
    const map = parseSourceMap(inline.bytes);
    if (!map) return fail({ type: 'malformed_sourcemap', url: absPath });
    return {
      kind: 'ok',
      minifiedSource,
      bundle: minified.bundle,
      embedded: new Map(),
      sourceMap: { map, label: absPath, sourceBase: absPath, data: { sourcemap_origin: 'embedded', resolved_with: minified.resolvedWith } },
    };
  }
  const mapArtifact = await store.findByUrl(referenceUrl, minified.bundle);
  if (!mapArtifact) return fail({ type: 'missing_sourcemap' });
  return loadMap(store, mapArtifact, referenceUrl, absPath, minifiedSource, fail);
}

async function loadMap(
  store: ArtifactStore,
  artifact: FoundArtifact,
  label: string,
  absPath: string,
  minifiedSource: SourceLines,
  fail: (error: JsModuleErrorKind) => ModuleResolution,
): Promise<ModuleResolution> {
  const read = await store.readMap(artifact);
  if (read === 'too_large') return fail({ type: 'missing_sourcemap' });
  if (read.map === null) return fail({ type: 'malformed_sourcemap', url: label });
  return {
    kind: 'ok',
    minifiedSource,
    bundle: artifact.bundle,
    embedded: new Map(),
    sourceMap: {
      map: read.map,
      label,
      // sources are relative to the map; a `~/` label works too (resolveUrl joins paths), else the minified URL
      sourceBase: label || absPath,
      data: { sourcemap_origin: artifact.origin, resolved_with: artifact.resolvedWith },
    },
  };
}

function compareErrors(a: JsModuleError, b: JsModuleError): number {
  return a.abs_path.localeCompare(b.abs_path) || a.type.localeCompare(b.type);
}
