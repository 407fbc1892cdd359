import { sql } from 'kysely';
import type { ApiHarness } from '../http/apiHarness.js';
import { lookupAsSymbolicator } from '../support/symbolicatorConsumer.js';
import { startCorruptingProxy } from './corruptingProxy.js';
import { expectSuccess, generateDist, runSentryCli, useCliServer, type CliTarget, type GeneratedDist } from './sentryCli.js';

// The unmodified sentry-cli 2.58.6 against the real server on a free port: releases, commits, deploys, and
// `sourcemaps upload` in release-files mode (the server advertises only `release_files`, so the CLI sends release
// bundles), then release files listed and downloaded over the API.
describe('sentry-cli 2.58.6 against the server (releases and release bundles)', () => {
  let api: ApiHarness;
  let target: CliTarget;
  const cli = (args: string[], options: Parameters<typeof runSentryCli>[3] = {}) => runSentryCli(2, target, args, options);

  useCliServer({ uploads: { accept: ['release_files'] } }, (server) => {
    ({ api, target } = server);
  });

  const release = async (version: string) => {
    const res = await api.inject({ method: 'GET', url: `/api/0/organizations/acme/releases/${encodeURIComponent(version)}/` });
    return { status: res.statusCode, body: res.statusCode === 200 ? (res.json() as Record<string, unknown>) : undefined };
  };

  const countRows = async (table: 'file_blob' | 'release_file' | 'file') =>
    Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(api.db)).rows[0]?.n);

  it('creates a release (twice: idempotent), finalizes it, shows it in info and list', async () => {
    expect(expectSuccess(await cli(['releases', 'new', '1.0.0'])).stdout).toContain('Created release 1.0.0');
    expect(expectSuccess(await cli(['releases', 'new', '1.0.0'])).stdout).toContain('1.0.0');
    expect((await release('1.0.0')).body).toMatchObject({ version: '1.0.0', dateReleased: null, projects: [expect.objectContaining({ slug: 'web' })] });

    expect(expectSuccess(await cli(['releases', 'finalize', '1.0.0'])).stdout).toContain('Finalized release 1.0.0');
    const finalized = (await release('1.0.0')).body;
    expect(Date.parse(String(finalized?.dateReleased))).toBeGreaterThan(Date.now() - 60_000);

    const info = expectSuccess(await cli(['releases', 'info', '1.0.0']));
    expect(info.stdout).toContain('1.0.0');
    const missing = await cli(['releases', 'info', '9.9.9']);
    expect([missing.code, missing.stdout.trim()]).toEqual([1, '']);

    expect(expectSuccess(await cli(['releases', 'list'])).stdout).toContain('1.0.0');
  });

  it('records deploys and shows them in the release', async () => {
    const created = expectSuccess(await cli(['releases', 'deploys', '1.0.0', 'new', '-e', 'production']));
    expect(created.stdout).toContain("for 'production'");
    expect(expectSuccess(await cli(['releases', 'deploys', '1.0.0', 'list'])).stdout).toContain('production');
    expect((await release('1.0.0')).body).toMatchObject({ deployCount: 1, lastDeploy: expect.objectContaining({ environment: 'production' }) });
  });

  const listFiles = async (version: string) => {
    const res = await api.inject({ method: 'GET', url: `/api/0/projects/acme/web/releases/${version}/files/?per_page=100` });
    expect(res.statusCode).toBe(200);
    return res.json() as Array<{ id: string; name: string; size: number; sha1: string }>;
  };

  const download = async (version: string, id: string) => {
    const res = await api.inject({ method: 'GET', url: `/api/0/projects/acme/web/releases/${version}/files/${encodeURIComponent(id)}/?download=1` });
    expect(res.statusCode).toBe(200);
    return res.rawPayload;
  };

  /** Every file of the dist is listed under `~/<path>` and downloads to exactly the bytes on disk. */
  const expectStoredExactly = async (version: string, dist: GeneratedDist) => {
    const listed = await listFiles(version);
    expect(listed.map((f) => f.name).sort()).toEqual([...dist.files.keys()].map((p) => `~/${p}`).sort());
    for (const file of listed) {
      const original = dist.files.get(file.name.slice(2));
      expect((await download(version, file.id)).equals(original as Buffer)).toBe(true);
      expect(file.size).toBe(original?.length);
    }
  };

  it.each([
    ['an archive with an artifact index (more files than the threshold)', '2.0.0', 12],
    ['single release files (fewer files than the threshold)', '2.1.0', 2],
  ])('uploads %s with --wait and gives back the exact bytes', async (_label, version, scripts) => {
    const dist = await generateDist(scripts, version);
    const upload = expectSuccess(await cli(['sourcemaps', 'upload', '--release', version, '--wait', '--no-rewrite', dist.dir]));
    expect(upload.stdout).toContain('File processing complete');
    expect(upload.stdout).toMatch(/Upload type: release bundle/);
    await expectStoredExactly(version, dist);

    const cliList = expectSuccess(await cli(['releases', 'files', version, 'list']));
    for (const path of dist.files.keys()) expect(cliList.stdout).toContain(`~/${path}`);
    expect((await release(version)).body).toMatchObject({ fileCount: dist.files.size });

    // read back as Symbolicator reads Sentry's artifact-lookup/: the archive as one bundle, or each single file
    const found = await lookupAsSymbolicator({
      lookupUrl: `${target.url}/api/0/projects/acme/web/artifact-lookup/`,
      token: target.token,
      release: version,
      urls: [...dist.files.keys()].map((path) => `/${path}`),
    });
    const archived = dist.files.size > 10;
    expect(found.elements.map((e) => [e.type, e.id.split('/')[0], e.resolved_with])).toEqual(
      archived ? [['bundle', 'release_file', 'release-old']] : [...dist.files.keys()].map(() => ['file', 'release_file', 'release-old']),
    );
    for (const [path, bytes] of dist.files) expect(found.files.find((f) => f.url === `~/${path}`)?.bytes.equals(bytes)).toBe(true);
  });

  it('refuses a wrong token with the detail the CLI prints, and stores nothing', async () => {
    const before = await countRows('file_blob');
    const dist = await generateDist(2, 'wrong-token');
    const result = await runSentryCli(2, { ...target, token: 'sntrys_not-a-real-token' }, ['sourcemaps', 'upload', '--release', '3.0.0', dist.dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Invalid token (http status: 401)');
    expect(await countRows('file_blob')).toBe(before);
    expect((await release('3.0.0')).status).toBe(404);
  });

  it('refuses an upload for a release of an unknown project with the CLI\'s not-found message, and stores nothing', async () => {
    const before = await countRows('file_blob');
    const dist = await generateDist(2, 'unknown-project');
    const result = await runSentryCli(2, { ...target, project: 'no-such-project' }, ['sourcemaps', 'upload', '--release', '3.1.0', dist.dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Project not found/);
    expect(await countRows('file_blob')).toBe(before);
    expect((await release('3.1.0')).status).toBe(404);
  });

  it('refuses a chunk damaged on the way with "Checksum mismatch", and stores no file', async () => {
    const proxy = await startCorruptingProxy(target.url);
    try {
      const blobsBefore = await countRows('file_blob');
      const dist = await generateDist(2, 'corrupted');
      const result = await runSentryCli(2, { ...target, url: proxy.url }, ['sourcemaps', 'upload', '--release', '3.2.0', '--wait', dist.dir]);
      expect(proxy.corrupted()).toBeGreaterThan(0);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Checksum mismatch');
      expect(await countRows('file_blob')).toBe(blobsBefore);
      const files = await api.inject({ method: 'GET', url: '/api/0/projects/acme/web/releases/3.2.0/files/' });
      expect(files.json()).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
