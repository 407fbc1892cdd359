/**
 * Symbolicator's JavaScript request and answer (`crates/symbolicator-js/src/interface.rs`), field for field, so a
 * caller written against Symbolicator reads our answer unchanged. Optional fields are omitted when absent, empty
 * context lists are omitted.
 */

/** How the file a frame was resolved from was found (kebab-case, as Symbolicator spells them). */
export type JsResolvedWith = 'debug-id' | 'url' | 'index' | 'release' | 'release-old' | 'scraping' | 'unknown';

export type SourceMapOrigin = { bundled: [string, string] } | { individual_file: string } | 'embedded';

export interface JsFrameData {
  /** the URL of the source map used */
  sourcemap?: string;
  /**
   * Where the source map came from, in the shape of Symbolicator's `CachedFileUri`: `{"bundled": ["artifact_bundle/<id>",
   * "<member url>"]}`, `{"individual_file": "release_file/<id>"}`, or `"embedded"` (a `data:` URL). Never scraped.
   */
  sourcemap_origin?: SourceMapOrigin;
  resolved_with?: JsResolvedWith;
  symbolicated: boolean;
}

export interface JsFrame {
  function?: string;
  filename?: string;
  module?: string;
  abs_path: string;
  lineno: number;
  colno?: number;
  pre_context?: string[];
  context_line?: string;
  post_context?: string[];
  in_app?: boolean;
  data: JsFrameData;
}

export interface JsStacktrace {
  frames: JsFrame[];
}

export interface JsModule {
  type: 'sourcemap';
  code_file: string;
  debug_id: string;
}

export interface SymbolicateJsRequest {
  stacktraces: JsStacktrace[];
  modules: JsModule[];
  release: string | null;
  dist: string | null;
  /** `options.apply_source_context` (default true) */
  applySourceContext: boolean;
}

/** Symbolicator's `JsModuleErrorKind`, tagged by `type`. */
export type JsModuleErrorKind =
  | { type: 'invalid_location'; line: number; col: number | null }
  | { type: 'invalid_abs_path' }
  | { type: 'no_column' }
  | { type: 'missing_source_content'; source: string; sourcemap: string }
  | { type: 'missing_source' }
  | { type: 'malformed_sourcemap'; url: string }
  | { type: 'missing_sourcemap' }
  | { type: 'invalid_base64_sourcemap' }
  | { type: 'scraping_disabled' };

export type JsModuleError = { abs_path: string } & JsModuleErrorKind;

export interface CompletedJsSymbolicationResponse {
  status: 'completed';
  stacktraces: JsStacktrace[];
  raw_stacktraces: JsStacktrace[];
  errors?: JsModuleError[];
  used_artifact_bundles?: string[];
}
