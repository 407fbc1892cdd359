import { isBigintId } from '../adapters/db/bigintId.js';

/** An index entry's address: the dist of its index (null = no dist) and its URL. */
export interface IndexEntryAddress {
  dist: string | null;
  url: string;
}

/**
 * What a release-file id in a URL names: a release file row (a decimal id), or an artifact index entry, whose id is
 * `base64url(dist + "_" + url)` (see encodeIndexEntryId). A dist may itself contain `_`, so the decoded text can
 * split in several places: every split is a candidate, first `_` first (the split Sentry makes); the caller keeps
 * the first that names an existing dist and URL.
 */
export type ReleaseFileRef =
  | { kind: 'file'; releaseFileId: string }
  | { kind: 'index'; candidates: IndexEntryAddress[] };

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** Null when the id can name nothing (not a bigint, not base64url of UTF-8 text with a `_`). */
export function parseReleaseFileId(id: string): ReleaseFileRef | null {
  if (/^\d+$/.test(id)) return isBigintId(id) ? { kind: 'file', releaseFileId: id } : null;
  if (!BASE64URL.test(id)) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(id, 'base64url'));
  } catch {
    return null;
  }
  const candidates: IndexEntryAddress[] = [];
  for (let at = decoded.indexOf('_'); at !== -1; at = decoded.indexOf('_', at + 1)) {
    const url = decoded.slice(at + 1);
    if (url !== '') candidates.push({ dist: decoded.slice(0, at) || null, url });
  }
  return candidates.length === 0 ? null : { kind: 'index', candidates };
}
