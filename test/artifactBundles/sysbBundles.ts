import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBundle, sha1, type BundleFile } from '../support/bundles.js';

export const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'sentry-cli');

/** sentry-cli's bundle header: "SYSB" and a u32 LE format version 2, in front of the zip (cli protocol 2.7). */
export const SYSB_HEADER = Buffer.from([0x53, 0x59, 0x53, 0x42, 0x02, 0x00, 0x00, 0x00]);

const EOCD = 0x06054b50;
const CENTRAL_HEADER = 0x02014b50;

/**
 * Puts the SYSB header in front of a plain (non-zip64) zip the way sentry-cli lays it out: the offsets in the central
 * directory and the end record count from the start of the whole file, so they move by 8. (Prepending the bytes
 * without moving the offsets gives a file that unzipper cannot open: "FILE_ENDED".)
 */
export function withSysbHeader(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  let eocd = -1;
  for (let i = out.length - 22; i >= 0; i--) {
    if (out.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('no end of central directory record');
  const entries = out.readUInt16LE(eocd + 10);
  const cdOffset = out.readUInt32LE(eocd + 16);
  let pos = cdOffset;
  for (let n = 0; n < entries; n++) {
    if (out.readUInt32LE(pos) !== CENTRAL_HEADER) throw new Error(`bad central directory record at ${pos}`);
    out.writeUInt32LE(out.readUInt32LE(pos + 42) + SYSB_HEADER.length, pos + 42);
    pos += 46 + out.readUInt16LE(pos + 28) + out.readUInt16LE(pos + 30) + out.readUInt16LE(pos + 32);
  }
  out.writeUInt32LE(cdOffset + SYSB_HEADER.length, eocd + 16);
  return Buffer.concat([SYSB_HEADER, out]);
}

export interface ArtifactBundleSpec {
  files: BundleFile[];
  release?: string | null;
  dist?: string | null;
  debugId?: string | null;
  /** extra top-level manifest keys */
  extra?: Record<string, unknown>;
}

/** An artifact bundle as sentry-cli builds it: files/_/_/..., manifest.json last, SYSB header in front. */
export async function buildArtifactBundle(spec: ArtifactBundleSpec): Promise<Buffer> {
  const files: Record<string, unknown> = {};
  for (const f of spec.files) {
    files[f.path] = { type: f.type ?? 'minified_source', url: f.url ?? `~/${f.path.replace(/^files\/_\/_\//, '')}`, ...(f.headers ? { headers: f.headers } : {}) };
  }
  const manifest: Record<string, unknown> = { files, org: 'acme', ...spec.extra };
  if (spec.debugId) manifest.debug_id = spec.debugId;
  if (spec.release) manifest.release = spec.release;
  if (spec.dist) manifest.dist = spec.dist;
  return withSysbHeader(await buildBundle({ files: spec.files, rawManifest: JSON.stringify(manifest) }));
}

/** Files with debug ids: a script and its map per debug id (both types, so two debug-id rows each). */
export function debugIdFiles(count: number, prefix = 'app', seed = 0): BundleFile[] {
  return Array.from({ length: count }, (_, i): BundleFile[] => {
    const h = sha1(`${prefix}|${seed}|${i}`);
    const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    return [
      { path: `files/_/_/${prefix}/f${i}.js`, url: `~/${prefix}/f${i}.js`, content: `console.log(${i}, ${seed})`, headers: { 'debug-id': id, sourcemap: `f${i}.js.map` } },
      { path: `files/_/_/${prefix}/f${i}.js.map`, url: `~/${prefix}/f${i}.js.map`, type: 'source_map', content: `{"version":3,"n":${i}}`, headers: { 'debug-id': id } },
    ];
  }).flat();
}

export const fixture = (checksum: string) => readFile(join(FIXTURES, `${checksum}.bundle.zip`));

/** Real sentry-cli 2.58.6 bundles (cli protocol 2.7). */
export const FIXTURE = {
  /** --release 1.0.0, no debug ids; debug_id d16bfdee-e19b-517d-9c7b-b6166fabe3b6 */
  plain: '9f112449d1ec2a8747b9ab78cb2e2d72dd1fd287',
  /** --dist web-1 --url-prefix app:///static; debug_id 220d0df0-... */
  dist: '476ccf3e3d416c9403a7d38a9755fa399e22cc7e',
  /** injected debug ids, --release 1.0.0 */
  injected: 'ff43c5a3157ab15f2464b5d51284ea2e6dd7a526',
  /** injected debug ids, no release */
  injectedNoRelease: 'f61ec9b94866e7a52cc242efda2e7f4602d100c8',
} as const;
