import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiHarness } from '../http/apiHarness.js';
import { buildBundle, type BundleFile } from '../support/bundles.js';
import { harnessWorkerEnv, WorkerProcess } from '../support/workerProcess.js';

// Issue 11 item 3: while bundles are written into one release (copy-on-write: every bundle rewrites the artifact
// index, single files replace the file of the same name), readers of that release must never see a half-replaced
// index or file. 5 writers and 2 readers for 30 s through the real HTTP front and a real worker process; every answer
// a reader gets is 2xx, and every download is one whole version of its file.
// Failed before the fix: 500s ("the artifact index is corrupt: ... Unexpected end of JSON input") and 404s ("File
// <id> not found"), because a file's blob list was read in a statement of its own after the file row.

const VERSION = 'race-1.0';
const RUN_MS = 30_000;
const WRITERS = 5;
const READERS = 2;
/** bundles with this many files or more become archives (artifact index entries); fewer, single release files */
const ARCHIVE_MIN_FILES = 4;

let api: ApiHarness;
let base: string;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  api = await ApiHarness.create({ worker: false });
  base = await api.listen();
});

afterAll(async () => {
  await worker?.kill();
  await api?.close();
});

const sha1 = (data: Buffer | string) => createHash('sha1').update(data).digest('hex');

/** Every content ever written per URL: a download must be exactly one of them. */
const written = new Map<string, Set<string>>();

function remember(files: BundleFile[]): void {
  for (const file of files) {
    const url = file.url!;
    if (!written.has(url)) written.set(url, new Set());
    written.get(url)!.add(sha1(file.content));
  }
}

/** Writer w, round n: archive bundles rewrite the shared index (and its entries), single ones replace single files. */
function filesFor(writer: number, round: number): BundleFile[] {
  const archive = round % 2 === 0;
  const count = archive ? ARCHIVE_MIN_FILES + 2 : 2;
  return Array.from({ length: count }, (_, i) => {
    const url = archive ? `~/w${writer}/indexed${i}.js` : `~/w${writer}/single${i}.js`;
    // several KiB and several versions: a download cut short or mixed from two versions has no known SHA-1
    const content = `/* ${url} round ${round} */\n` + `console.log(${JSON.stringify(url)}, ${round});\n`.repeat(100 + round);
    return { path: `files/_/_/${url.slice(2)}`, url, content, headers: { 'Content-Type': 'application/javascript' } };
  });
}

interface Tally {
  requests: number;
  failures: string[];
}

async function get(tally: Tally, path: string): Promise<Response | null> {
  tally.requests += 1;
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${api.token}` } });
  if (response.ok) return response;
  tally.failures.push(`${response.status} GET ${path}: ${await response.text()}`);
  return null;
}

async function checkDownload(tally: Tally, path: string, url: string): Promise<void> {
  const response = await get(tally, path);
  if (!response) return;
  const body = Buffer.from(await response.arrayBuffer());
  if (!written.get(url)?.has(sha1(body))) tally.failures.push(`GET ${path}: ${body.length} bytes that ${url} never held`);
}

const pick = <T>(items: T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

/** One reader round: the release's file list, one download from it, both lookups and a download from each. */
async function readOnce(tally: Tally): Promise<void> {
  const org = `/api/0/organizations/${api.organization.slug}`;
  const project = `/api/0/projects/${api.organization.slug}/web`;
  const release = encodeURIComponent(VERSION);
  const list = await get(tally, `${org}/releases/${release}/files/?per_page=100`);
  const files = list ? ((await list.json()) as Array<{ id: string; name: string }>) : [];
  const file = pick(files);
  if (file) await checkDownload(tally, `${org}/releases/${release}/files/${encodeURIComponent(file.id)}/?download=1`, file.name);

  const url = pick([...written.keys()]) ?? '~/w0/indexed0.js';
  const query = `release=${release}&url=${encodeURIComponent(url)}`;
  const sentry = await get(tally, `${project}/artifact-lookup/?${query}`);
  const sentryEntries = sentry ? ((await sentry.json()) as Array<{ type: string; url: string; abs_path?: string }>) : [];
  const entry = pick(sentryEntries);
  if (entry) {
    const path = new URL(entry.url).pathname + new URL(entry.url).search;
    // a file is one release file; a bundle is a whole release archive (a zip of several files), 2xx is all we check
    if (entry.type === 'file') await checkDownload(tally, path, entry.abs_path!);
    else await (await get(tally, path))?.arrayBuffer();
  }

  const own = await get(tally, `${project}/artifacts/lookup/?${query}`);
  const matches = own ? ((await own.json()) as Array<{ type: string; url: string; abs_path: string }>) : [];
  const match = pick(matches.filter((m) => m.type === 'release_file'));
  if (match) await checkDownload(tally, match.url, match.abs_path);
}

async function writeOnce(writer: number, round: number): Promise<string> {
  const files = filesFor(writer, round);
  remember(files);
  const bundle = await buildBundle({ release: VERSION, files });
  const uploaded = await api.assembly.upload(bundle);
  await api.assembly.request(VERSION, uploaded.checksum, uploaded.chunks);
  const status = await api.assembly.waitForStatus(uploaded.checksum, 20_000);
  return status.state === 'ok' ? 'ok' : `${status.state}: ${status.detail}`;
}

test(`${WRITERS} writers and ${READERS} readers on one release for ${RUN_MS / 1000} s: every read answers 2xx, whole`, async () => {
  const created = await api.inject({
    method: 'POST',
    url: `/api/0/organizations/${api.organization.slug}/releases/`,
    payload: { version: VERSION, projects: ['web'] },
  });
  expect(created.statusCode).toBe(201);
  worker = WorkerProcess.start(
    harnessWorkerEnv(api.assembly, { WORKER_CONCURRENCY: String(WRITERS), RELEASE_ARCHIVE_MIN_FILES: String(ARCHIVE_MIN_FILES) }),
  );
  await worker.waitForLog(/"msg":"started"/);
  // something to read from the first request on
  expect(await writeOnce(0, 0)).toBe('ok');
  expect(await writeOnce(0, 1)).toBe('ok');

  const deadline = Date.now() + RUN_MS;
  const writes: string[] = [];
  const reads: Tally = { requests: 0, failures: [] };
  const writers = Array.from({ length: WRITERS }, async (_, writer) => {
    for (let round = 2; Date.now() < deadline; round++) writes.push(await writeOnce(writer, round));
  });
  const readers = Array.from({ length: READERS }, async () => {
    while (Date.now() < deadline) {
      await readOnce(reads);
      await sleep(0);
    }
  });
  await Promise.all([...writers, ...readers]);

  console.log(`${writes.length} bundles written, ${reads.requests} reads, ${reads.failures.length} not 2xx or not whole`);
  expect(reads.failures.slice(0, 10)).toEqual([]);
  expect(writes.filter((w) => w !== 'ok')).toEqual([]);
  expect(writes.length).toBeGreaterThan(WRITERS * 5);
  expect(reads.requests).toBeGreaterThan(100);
  expect(worker.exited).toBe(false);
}, 60_000);
