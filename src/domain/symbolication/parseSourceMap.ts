import { TraceMap, decodedMappings } from '@jridgewell/trace-mapping';

/**
 * A source map's bytes parsed for lookups, or null when they are not a source map (not UTF-8 JSON, not version 3,
 * no `mappings` or `sections`). The mappings are decoded here, once, so every later lookup is a binary search.
 */
export function parseSourceMap(bytes: Buffer): TraceMap | null {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  if (!isSourceMapShape(json)) return null;
  try {
    const map = new TraceMap(json as ConstructorParameters<typeof TraceMap>[0]);
    decodedMappings(map);
    return map;
  } catch {
    return null;
  }
}

function isSourceMapShape(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const map = json as Record<string, unknown>;
  if (map['version'] !== 3) return false;
  if (Array.isArray(map['sections'])) return true;
  return typeof map['mappings'] === 'string' && Array.isArray(map['sources']);
}
