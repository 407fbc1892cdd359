import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../src/adapters/db/connect.js';
import type { BundleFile } from '../test/support/bundles.js';
import { sha1 } from '../test/support/sha1.js';
import { ArtifactBundleHarness } from '../test/artifactBundles/harness.js';
import { buildArtifactBundle } from '../test/artifactBundles/sysbBundles.js';
import {
  jsLikeContent,
  seededRandom,
  STATUS_POLL_MS,
  sumParts,
  timeOnWorkerProcess,
  timeSync,
  withScratchDir,
  type FloorResult,
} from './benchHelpers.js';
import type { BenchRowSpec } from './rows.js';

const RELEASE = 'bench-artifacts-1000';
const DIST = 'web';
const JS_BYTES = 50_000;
/** Source maps run two to four times their minified script; twice keeps the bundle near the release row's size. */
const MAP_BYTES = 100_000;

function uuidOf(text: string): string {
  const h = sha1(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * Deterministic source-map-like JSON: VLQ segments drawn from a small vocabulary, so it deflates about as well as
 * real `mappings` (repetitive, not random).
 */
export function sourceMapLikeContent(seed: number, file: string, bytes: number): string {
  const next = seededRandom(seed);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const vocabulary = Array.from({ length: 256 }, () =>
    Array.from({ length: 4 + (next() % 3) }, () => alphabet[next() % alphabet.length]).join(''),
  );
  const head = `{"version":3,"file":"${file}","sources":["webpack://app/src/${file}.ts"],"names":["a","b","c"],"mappings":"`;
  let mappings = '';
  while (head.length + mappings.length + 2 < bytes) mappings += vocabulary[next() % vocabulary.length] + (next() % 9 === 0 ? ';' : ',');
  return `${head}${mappings.slice(0, Math.max(0, bytes - head.length - 2))}"}`;
}

/** `pairs` minified scripts, each with its source map, both carrying the pair's `debug-id` header. */
export function artifactBenchFiles(pairs: number): BundleFile[] {
  return Array.from({ length: pairs }, (_, i): BundleFile[] => {
    const debugId = uuidOf(`bench-artifacts|${i}`);
    return [
      {
        path: `files/_/_/static/js/chunk${i}.js`,
        url: `~/static/js/chunk${i}.js`,
        type: 'minified_source',
        content: `${jsLikeContent(i + 1, JS_BYTES - 60)}\n//# sourceMappingURL=chunk${i}.js.map`,
        headers: { 'debug-id': debugId, sourcemap: `chunk${i}.js.map` },
      },
      {
        path: `files/_/_/static/js/chunk${i}.js.map`,
        url: `~/static/js/chunk${i}.js.map`,
        type: 'source_map',
        content: sourceMapLikeContent(i + 1, `chunk${i}.js`, MAP_BYTES),
        headers: { 'debug-id': debugId },
      },
    ];
  }).flat();
}

/** What one stored bundle must have left in Postgres; anything else means the timed job did not do its work. */
interface ExpectedRows {
  checksum: string;
  bytes: number;
  files: number;
  debugIds: number;
  release: string;
  dist: string;
}

/**
 * Reads back the bundle, its file, debug-id links, URL index and release/project links. Each debug id has two rows
 * (minified_source and source_map), so `debugIds` distinct ids mean twice as many rows.
 */
export async function verifyStoredBundle(db: Db, expected: ExpectedRows): Promise<void> {
  const { rows } = await sql<Record<string, string | null>>`
    SELECT b.artifact_count::text AS files, f.size::text AS bytes,
      (SELECT count(DISTINCT debug_id) FROM debug_id_artifact_bundle d WHERE d.artifact_bundle_id = b.id)::text AS debug_ids,
      (SELECT count(*) FROM debug_id_artifact_bundle d WHERE d.artifact_bundle_id = b.id)::text AS debug_id_rows,
      (SELECT count(*) FROM artifact_bundle_index u WHERE u.artifact_bundle_id = b.id)::text AS urls,
      (SELECT string_agg(release_name || '/' || dist_name, ',') FROM release_artifact_bundle r WHERE r.artifact_bundle_id = b.id) AS releases,
      (SELECT count(*) FROM project_artifact_bundle p WHERE p.artifact_bundle_id = b.id)::text AS projects
    FROM artifact_bundle b JOIN file f ON f.id = b.file_id
    WHERE b.checksum = ${expected.checksum}`.execute(db);
  if (rows.length !== 1) throw new Error(`artifact bundle ${expected.checksum}: ${rows.length} stored rows, expected 1`);
  const want = {
    files: String(expected.files),
    bytes: String(expected.bytes),
    debug_ids: String(expected.debugIds),
    debug_id_rows: String(expected.debugIds * 2),
    urls: String(expected.files),
    releases: `${expected.release}/${expected.dist}`,
    projects: '1',
  };
  const got = rows[0] ?? {};
  const wrong = Object.entries(want).filter(([key, value]) => got[key] !== value);
  if (wrong.length > 0) {
    throw new Error(`artifact bundle ${expected.checksum} stored wrong: ${wrong.map(([k, v]) => `${k} ${got[k]} (expected ${v})`).join(', ')}`);
  }
}

/** jq: one CSV line per (debug id, source file type), as the worker's collectDebugIds reads the manifest. */
const JQ_DEBUG_IDS = `
  .files[] | . as $f
  | ([($f.headers // {}) | to_entries[] | select(.key | ascii_downcase == "debug-id") | .value][0]) as $id
  | ({"source": 1, "minified_source": 2, "source_map": 3, "indexed_ram_bundle": 4}[$f.type // ""]) as $type
  | select($id != null and $type != null)
  | [$org, 1, ($id | ascii_downcase), $type] | @csv`;
/** jq: the manifest's distinct URLs, as planArtifactBundle indexes them. */
const JQ_URLS = `[.files[].url // empty] | unique[] | [$org, 1, .] | @csv`;

/** The worker's chunk pass: the chunks in order into one file, hashed on the way (one read of each byte). */
const CONCAT_AND_HASH = 'zstd -dcq -- "$@" | tee "$ZIP" | sha1sum';
/** The worker's manifest pass: one member out of the zip (through the central directory), then the rows. */
const MANIFEST_TO_CSV = [
  'unzip -p "$ZIP" manifest.json > "$DIR/m.json"',
  'jq -r --arg org "$ORG" "$1" "$DIR/m.json" > "$DIR/d.csv"',
  'jq -r --arg org "$ORG" "$2" "$DIR/m.json" > "$DIR/u.csv"',
].join(' && ');

/** The chunk objects the worker reads, in the order the client listed them (blobs are never inline: see below). */
async function chunkPaths(db: Db, storageDir: string, chunks: string[]): Promise<string[]> {
  const stored = await db
    .selectFrom('file_blob')
    .select(['checksum', 'path', 'compression'])
    .where('checksum', 'in', chunks)
    .execute();
  const byChecksum = new Map(stored.map((b) => [b.checksum, b]));
  return chunks.map((checksum) => {
    const blob = byChecksum.get(checksum);
    // Only printable blobs of at most 192 bytes are kept inline; every chunk of a zip has binary bytes.
    if (!blob?.path || blob.compression !== 'zstd') throw new Error(`chunk ${checksum} is not a zstd object in storage`);
    return join(storageDir, ...blob.path.split('/'));
  });
}

/** Tables shaped like the real ones (same unique keys and lookup indexes), so the floor maintains the same indexes. */
function createFloorTables(databaseUrl: string): void {
  execFileSync('psql', [databaseUrl, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `
    DROP TABLE IF EXISTS bench_floor_artifact_bundle, bench_floor_debug_id, bench_floor_url;
    CREATE TABLE bench_floor_artifact_bundle (LIKE artifact_bundle INCLUDING ALL);
    CREATE TABLE bench_floor_debug_id (LIKE debug_id_artifact_bundle INCLUDING ALL);
    CREATE TABLE bench_floor_url (LIKE artifact_bundle_index INCLUDING ALL);`]);
}

export interface ArtifactFloorInput {
  databaseUrl: string;
  db: Db;
  storageDir: string;
  organizationId: string;
  checksum: string;
  chunks: string[];
  files: number;
}

/**
 * What the plain tools need for the work the artifact-bundle job does, which is not the release job's work: the
 * bundle is stored whole (its file reuses the chunk blobs) and only its manifest is read, so there is no per-member
 * unzip, hash or zstd here. Steps: `zstd -dc` the stored chunks | `tee` the zip | `sha1sum` (the checksum check);
 * `unzip -p` the manifest and `jq` it into debug-id and URL rows; one `psql` transaction inserting the bundle row
 * and `\copy`ing those rows into tables with the real indexes.
 */
export async function artifactBundleFloor(input: ArtifactFloorInput): Promise<FloorResult> {
  const paths = await chunkPaths(input.db, input.storageDir, input.chunks);
  createFloorTables(input.databaseUrl);
  return withScratchDir('aa-artifact-floor-', async (dir) => {
    const zip = join(dir, 'bundle.zip');
    let digest = '';
    const assemble = timeSync(() => {
      digest = execFileSync('sh', ['-c', CONCAT_AND_HASH, 'sh', ...paths], { env: { ...process.env, ZIP: zip } }).toString();
    });
    if (!digest.startsWith(input.checksum)) throw new Error(`floor: assembled sha1 ${digest.trim()} is not ${input.checksum}`);
    const manifest = timeSync(() =>
      execFileSync('sh', ['-c', MANIFEST_TO_CSV, 'sh', JQ_DEBUG_IDS, JQ_URLS], {
        env: { ...process.env, ZIP: zip, DIR: dir, ORG: input.organizationId },
      }),
    );
    const script = join(dir, 'copy.sql');
    await writeFile(script, floorCopyScript(dir, input));
    const copy = timeSync(() => execFileSync('psql', [input.databaseUrl, '-q', '-v', 'ON_ERROR_STOP=1', '-f', script]));
    return sumParts({ 'zstd -dc | sha1sum': assemble, 'unzip -p manifest | jq': manifest, 'psql \\copy': copy });
  });
}

function floorCopyScript(dir: string, input: ArtifactFloorInput): string {
  return `BEGIN;
INSERT INTO bench_floor_artifact_bundle (organization_id, bundle_id, checksum, file_id, artifact_count)
  VALUES (${input.organizationId}, gen_random_uuid(), '${input.checksum}', 1, ${input.files});
\\copy bench_floor_debug_id (organization_id, artifact_bundle_id, debug_id, source_file_type) FROM '${join(dir, 'd.csv')}' csv
\\copy bench_floor_url (organization_id, artifact_bundle_id, url) FROM '${join(dir, 'u.csv')}' csv
COMMIT;
`;
}

/** Checks the floor wrote what the worker wrote, so the two sides did the same amount of work. */
async function verifyFloorRows(db: Db, expected: { debugIdRows: number; urls: number }): Promise<void> {
  const { rows } = await sql<{ d: string; u: string }>`
    SELECT (SELECT count(*) FROM bench_floor_debug_id)::text AS d, (SELECT count(*) FROM bench_floor_url)::text AS u`.execute(db);
  const got = rows[0];
  if (got?.d !== String(expected.debugIdRows) || got.u !== String(expected.urls)) {
    throw new Error(`floor wrote ${got?.d} debug-id rows and ${got?.u} URLs, expected ${expected.debugIdRows} and ${expected.urls}`);
  }
}

/**
 * The artifact-bundle row: a sentry-cli-shaped artifact bundle (SYSB header, 500 scripts + 500 maps with debug ids,
 * release and dist), uploaded as chunks (not timed), then request -> `ok` timed on a fresh worker process and its
 * rows checked; the floor runs on the chunks of the same upload. Each run's bundle has its own bundle debug id, so
 * its own checksum: no run finds the work of an earlier one done.
 */
export function artifactBundleRow(pairs = 500): BenchRowSpec & { close(): Promise<void> } {
  let ah: ArtifactBundleHarness | undefined;
  let runs = 0;
  const files = pairs * 2;
  let last: { checksum: string; chunks: string[] } | undefined;
  const contents = artifactBenchFiles(pairs);
  return {
    name: `artifact bundle, ${files.toLocaleString('en')} files (JS + maps, debug ids)`,
    key: 'artifact_bundle_1000',
    floorKey: 'artifact_floor_1000',
    files,
    async ours() {
      ah ??= await ArtifactBundleHarness.create({ worker: false });
      const harness = ah;
      runs += 1;
      const debugId = uuidOf(`bench-artifacts|bundle|${runs}`);
      const bundle = await buildArtifactBundle({ files: contents, release: RELEASE, dist: DIST, debugId });
      const uploaded = await harness.h.upload(bundle);
      const sample = await timeOnWorkerProcess(harness.h, [
        {
          name: 'artifact bundle',
          request: () => harness.request(uploaded.checksum, uploaded.chunks, { version: RELEASE, dist: DIST }),
          waitForStatus: () => harness.waitForStatus(uploaded.checksum, 600_000, STATUS_POLL_MS),
        },
      ]);
      await verifyStoredBundle(harness.db, { checksum: uploaded.checksum, bytes: bundle.length, files, debugIds: pairs, release: RELEASE, dist: DIST });
      last = uploaded;
      return { ...sample, bytes: bundle.length };
    },
    async floor() {
      if (!ah || !last) throw new Error('artifact floor: no bundle uploaded yet');
      const result = await artifactBundleFloor({
        databaseUrl: ah.h.testDb.url,
        db: ah.db,
        storageDir: ah.h.storageDir,
        organizationId: ah.h.organization.id,
        checksum: last.checksum,
        chunks: last.chunks,
        files,
      });
      await verifyFloorRows(ah.db, { debugIdRows: pairs * 2, urls: files });
      return result;
    },
    async close() {
      await ah?.close();
    },
  };
}
