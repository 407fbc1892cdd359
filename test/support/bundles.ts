import yazl from 'yazl';

export interface BundleFile {
  /** the zip member path (the manifest key) */
  path: string;
  content: Buffer | string;
  url?: string;
  type?: string;
  headers?: Record<string, string>;
  /** when false, the file is in the zip but not in the manifest */
  inManifest?: boolean;
}

export interface BundleSpec {
  org?: string | null;
  release?: string | null;
  dist?: string | null;
  files: BundleFile[];
  /** replaces the generated manifest.json bytes entirely */
  rawManifest?: Buffer | string;
  /** extra members added verbatim (e.g. a symlink) */
  extraEntries?: Array<{ path: string; content: Buffer | string; mode?: number }>;
}

export { sha1 } from './sha1.js';

export function manifestFor(spec: BundleSpec): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  for (const f of spec.files) {
    if (f.inManifest === false) continue;
    files[f.path] = {
      url: f.url ?? `~/${f.path.replace(/^files\/_\/_\//, '')}`,
      type: f.type ?? 'minified_source',
      ...(f.headers ? { headers: f.headers } : {}),
    };
  }
  const manifest: Record<string, unknown> = { files };
  if (spec.org !== null) manifest.org = spec.org ?? 'acme';
  if (spec.release !== null) manifest.release = spec.release ?? '1.0.0';
  if (spec.dist) manifest.dist = spec.dist;
  return manifest;
}

/** Builds a release bundle zip in memory, the way sentry-cli lays it out (files/_/_/..., manifest.json last). */
export async function buildBundle(spec: BundleSpec): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const mtime = new Date('2020-01-01T00:00:00Z');
  for (const f of spec.files) zip.addBuffer(Buffer.from(f.content), f.path, { mtime });
  for (const e of spec.extraEntries ?? []) {
    zip.addBuffer(Buffer.from(e.content), e.path, { mtime, ...(e.mode === undefined ? {} : { mode: e.mode }) });
  }
  const manifest = spec.rawManifest ?? JSON.stringify(manifestFor(spec));
  zip.addBuffer(Buffer.from(manifest), 'manifest.json', { mtime });
  zip.end();
  const parts: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}

/** `count` small JS files (+ maps) with distinct, deterministic contents. */
export function generatedFiles(count: number, prefix = 'app', bytesEach = 200): BundleFile[] {
  return Array.from({ length: count }, (_, i) => {
    const body = `/* ${prefix} ${i} */ ` + `console.log(${i});`.repeat(Math.max(1, Math.ceil(bytesEach / 16)));
    return { path: `files/_/_/${prefix}/file${i}.js`, url: `~/${prefix}/file${i}.js`, content: body.slice(0, bytesEach) };
  });
}

const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

/**
 * Rewrites zip header fields of one member, for hostile-input tests (lying sizes, encryption flags, a CRC-32 that
 * does not match the bytes: `flipCrc32` flips its lowest bit in both headers, consistently, as a damaged zip has it).
 */
export function patchZipMember(
  zip: Buffer,
  member: string,
  patch: { uncompressedSize?: number; setEncryptedFlag?: boolean; flipCrc32?: boolean },
): Buffer {
  const out = Buffer.from(zip);
  let patched = 0;
  for (let i = 0; i + 46 <= out.length; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === CENTRAL_HEADER) {
      const nameLength = out.readUInt16LE(i + 28);
      if (out.subarray(i + 46, i + 46 + nameLength).toString('utf8') !== member) continue;
      if (patch.uncompressedSize !== undefined) out.writeUInt32LE(patch.uncompressedSize, i + 24);
      if (patch.setEncryptedFlag) out.writeUInt16LE(out.readUInt16LE(i + 8) | 1, i + 8);
      if (patch.flipCrc32) out.writeUInt32LE((out.readUInt32LE(i + 16) ^ 1) >>> 0, i + 16);
      patched++;
    } else if (sig === LOCAL_HEADER) {
      const nameLength = out.readUInt16LE(i + 26);
      if (out.subarray(i + 30, i + 30 + nameLength).toString('utf8') !== member) continue;
      if (patch.uncompressedSize !== undefined) out.writeUInt32LE(patch.uncompressedSize, i + 22);
      if (patch.setEncryptedFlag) out.writeUInt16LE(out.readUInt16LE(i + 6) | 1, i + 6);
      if (patch.flipCrc32) out.writeUInt32LE((out.readUInt32LE(i + 14) ^ 1) >>> 0, i + 14);
      patched++;
    }
  }
  if (patched === 0) throw new Error(`member ${member} not found in zip`);
  return out;
}
