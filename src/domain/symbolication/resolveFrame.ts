import { originalPositionFor, sourceContentFor, type TraceMap } from '@jridgewell/trace-mapping';
import type { JsFrame, JsFrameData, JsModuleErrorKind } from './jsTypes.js';
import { resolveUrl } from './sourceMapReference.js';

/** A minified file's source map, ready for lookups, and what the answer says about it. */
export interface ResolvedSourceMap {
  map: TraceMap;
  /** `data.sourcemap`: the map's URL */
  label: string;
  /** the URL the map's `sources` are resolved against */
  sourceBase: string;
  data: Pick<JsFrameData, 'sourcemap_origin' | 'resolved_with'>;
}

export interface ResolvedFrame {
  frame: JsFrame;
  /**
   * The original name at this frame's position (the map's `names` entry, else the minified token there): the name
   * of the function this frame calls, which names the next (callee) frame, as Symbolicator and Node do.
   */
  tokenName: string | null;
  /** the original source the position falls in: its name in the map, its URL, and its text when the map embeds it */
  source: { name: string; absPath: string; content: string | null };
}

/**
 * One raw frame through its source map. Frames are 1-based (line and column), trace-mapping's lines 1-based and
 * columns 0-based. A position the map has no segment for (past the end of the file, before the first mapping) is
 * `invalid_location`. The function is named by the caller's call site (`callerName`, the previous frame's
 * `tokenName`), else it keeps the raw (minified) name: the map has no scopes to name an enclosing function.
 */
export function resolveFrame(
  raw: JsFrame,
  sourceMap: ResolvedSourceMap,
  callerName: string | null,
  minifiedSource: string | null,
): { ok: true; resolved: ResolvedFrame } | { ok: false; error: JsModuleErrorKind } {
  const col = raw.colno ?? 0;
  const position = originalPositionFor(sourceMap.map, { line: raw.lineno, column: Math.max(0, col - 1) });
  if (position.source === null || position.line === null || position.column === null) {
    return { ok: false, error: { type: 'invalid_location', line: raw.lineno, col } };
  }
  const absPath = resolveUrl(sourceMap.sourceBase, position.source);
  const frame: JsFrame = {
    ...withoutContext(raw),
    abs_path: absPath,
    filename: displayFilename(position.source),
    lineno: position.line,
    colno: position.column + 1,
    data: { sourcemap: sourceMap.label, ...sourceMap.data, symbolicated: true },
  };
  const fn = callerName ?? raw.function;
  if (fn !== undefined) frame.function = fn;
  else delete frame.function;
  const tokenName = position.name ?? (minifiedSource === null ? null : identifierAt(minifiedSource, raw.lineno, col));
  return {
    ok: true,
    resolved: { frame, tokenName, source: { name: position.source, absPath, content: sourceContentFor(sourceMap.map, position.source) } },
  };
}

function withoutContext(frame: JsFrame): JsFrame {
  const { pre_context: _pre, context_line: _line, post_context: _post, ...rest } = frame;
  return rest;
}

/** The source name as a reader wants it: webpack's `webpack://<namespace>/` prefix dropped, as Sentry does. */
export function displayFilename(source: string): string {
  const webpack = /^webpack:\/\/[^/]*\/(.*)$/.exec(source);
  return webpack ? webpack[1]! : source;
}

const IDENTIFIER = /[A-Za-z_$][\w$]*/y;

/** The identifier starting at a 1-based line and column of the text, or null. */
export function identifierAt(text: string, lineno: number, colno: number): string | null {
  let start = 0;
  for (let line = 1; line < lineno; line += 1) {
    const next = text.indexOf('\n', start);
    if (next === -1) return null;
    start = next + 1;
  }
  IDENTIFIER.lastIndex = start + Math.max(0, colno - 1);
  const match = IDENTIFIER.exec(text);
  return match ? match[0] : null;
}
