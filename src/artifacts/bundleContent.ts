import { isBigintId } from '../adapters/db/bigintId.js';
import { findProjectBundles, type ProjectBundle } from '../adapters/db/artifactBundleReads.js';
import { collectStream, openFileStream, openStoredZip, type DownloadContent, type FileStoreDeps, type StoredZip } from '../adapters/files/index.js';
import type { BundleListing } from '../domain/artifactLookup.js';
import { normalizeContentType } from '../domain/contentType.js';
import { AppError } from '../domain/errors.js';
import { parseBundleManifest, type BundleManifest } from '../domain/manifest.js';

/** The organisation and project of a request: a bundle outside them does not exist. */
export interface ArtifactScope {
  organizationId: string;
  projectId: string;
}

export const ARTIFACT_NOT_FOUND = 'The requested resource does not exist';
const MANIFEST_MEMBER = 'manifest.json';
/** A manifest is JSON about the files, not the files: far below this even for bundles of thousands of files. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** The scoped bundle by its API id (artifact_bundle.id); `not_found` for malformed ids and other projects' bundles. */
export async function findScopedBundle(deps: FileStoreDeps, scope: ArtifactScope, artifactBundleId: string): Promise<ProjectBundle> {
  const [bundle] = isBigintId(artifactBundleId)
    ? await findProjectBundles(deps.db, { ...scope, artifactBundleIds: [artifactBundleId] })
    : [];
  if (!bundle) throw new AppError('not_found', ARTIFACT_NOT_FOUND);
  return bundle;
}

/** The manifest of a stored bundle, read through the zip's directory (only that member's bytes are fetched). */
export async function readBundleManifest(zip: StoredZip): Promise<BundleManifest> {
  if (!zip.has(MANIFEST_MEMBER)) throw new AppError('internal', `Stored bundle file ${zip.fileId} has no manifest`);
  const member = zip.openMember(MANIFEST_MEMBER);
  return parseBundleManifest(await collectStream(member.stream, MAX_MANIFEST_BYTES));
}

/**
 * The listings of several bundles, read concurrently. Each is a directory read plus the manifest member: the sizes
 * of the other members come from the directory, so no other member's bytes are read.
 */
export async function readBundleListings(deps: FileStoreDeps, fileIds: readonly string[]): Promise<Map<string, BundleListing>> {
  const unique = [...new Set(fileIds)];
  const listings = await Promise.all(unique.map(async (fileId) => readBundleListing(await openStoredZip(deps, fileId))));
  return new Map(unique.map((fileId, i) => [fileId, listings[i]!]));
}

async function readBundleListing(zip: StoredZip): Promise<BundleListing> {
  const manifest = await readBundleManifest(zip);
  const memberSizes = new Map<string, number>();
  for (const { key } of manifest.files) {
    const size = zip.memberSize(key);
    if (size !== null) memberSizes.set(key, size);
  }
  return { manifest, memberSizes };
}

/** The whole stored bundle file, as uploaded (the SYSB header included, so sentry-cli's tooling reads it back). */
export async function openBundleFile(deps: FileStoreDeps, bundle: ProjectBundle): Promise<DownloadContent> {
  if (bundle.size === null) throw new AppError('internal', `Bundle file ${bundle.fileId} has no size`);
  return {
    stream: await openFileStream(deps, bundle.fileId),
    size: bundle.size,
    contentType: 'application/octet-stream',
    filename: `${bundle.checksum}.bundle.zip`,
  };
}

/**
 * One member of a stored bundle, inflated, without reading the other members. Its Content-Type is the one the
 * manifest gives it (any case), else a guess from its URL or path; it is saved under the last segment of its URL.
 */
export async function openBundleMember(deps: FileStoreDeps, bundle: ProjectBundle, memberName: string): Promise<DownloadContent> {
  const zip = await openStoredZip(deps, bundle.fileId);
  if (!zip.has(memberName)) throw new AppError('not_found', ARTIFACT_NOT_FOUND);
  const manifest = await readBundleManifest(zip);
  const entry = manifest.files.find((file) => file.key === memberName);
  const filename = lastSegment(entry?.url ?? memberName);
  const member = zip.openMember(memberName);
  return { stream: member.stream, size: member.size, contentType: memberContentType(entry?.headers ?? {}, filename), filename };
}

function lastSegment(name: string): string {
  const collapsed = name.split(/\s+/).filter((part) => part !== '').join(' ');
  const withoutQuery = collapsed.split(/[?#]/, 1)[0]!;
  return withoutQuery.slice(withoutQuery.lastIndexOf('/') + 1) || 'file';
}

function memberContentType(headers: Record<string, string>, filename: string): string {
  const given = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1]?.trim();
  // a value Node would refuse to send (control characters, non-ASCII) is not worth a failed download
  if (given && /^[\x20-\x7e]+$/.test(given)) return given;
  return normalizeContentType(null, filename);
}
