import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiHarness } from '../http/apiHarness.js';
import { lookupAsSymbolicator } from '../support/symbolicatorConsumer.js';
import { sha1 } from '../support/sha1.js';
import { expectSuccess, generateDist, runSentryCli, useCliServer, type CliTarget, type GeneratedDist } from './sentryCli.js';

// The unmodified sentry-cli 2.58.6 on its legacy single-file paths: `releases files upload` (always one multipart
// POST per file), `sourcemaps upload` against a server that does not accept `release_files` chunks (it lists the
// release's files, deletes same-name ones, then POSTs each file), and `releases files delete --all`.
describe('sentry-cli 2.58.6 legacy single-file uploads against the server', () => {
  let api: ApiHarness;
  let target: CliTarget;
  const cli = (args: string[]) => runSentryCli(2, target, args);

  // artifact bundles without release_files: the CLI falls back to per-file uploads for `sourcemaps upload`
  useCliServer({ uploads: { accept: ['artifact_bundles'] } }, (server) => {
    ({ api, target } = server);
  });

  const listFiles = async (version: string) => {
    const res = await api.inject({ method: 'GET', url: `/api/0/projects/acme/web/releases/${version}/files/?per_page=100` });
    expect(res.statusCode).toBe(200);
    return res.json<Array<{ id: string; name: string; size: number; sha1: string; headers: Record<string, string> }>>();
  };

  const download = async (version: string, id: string) => {
    const res = await api.inject({ method: 'GET', url: `/api/0/projects/acme/web/releases/${version}/files/${id}/?download=1` });
    expect(res.statusCode).toBe(200);
    return res.rawPayload;
  };

  /** Every file of the dist is listed once under `~/<path>` and downloads to exactly the bytes on disk. */
  const expectStoredExactly = async (version: string, dist: GeneratedDist) => {
    const listed = await listFiles(version);
    expect(listed.map((f) => f.name).sort()).toEqual([...dist.files.keys()].map((p) => `~/${p}`).sort());
    for (const file of listed) {
      const original = dist.files.get(file.name.slice(2)) as Buffer;
      expect((await download(version, file.id)).equals(original)).toBe(true);
      expect([file.size, file.sha1]).toEqual([original.length, sha1(original)]);
    }
    return listed;
  };

  /** Sentry's artifact-lookup/ read as Symbolicator reads it: each single file, with its exact bytes. */
  const expectConsumerFinds = async (version: string, files: Map<string, Buffer>) => {
    const found = await lookupAsSymbolicator({
      lookupUrl: `${target.url}/api/0/projects/acme/web/artifact-lookup/`,
      token: target.token,
      release: version,
      urls: [...files.keys()].map((name) => name.slice(1)),
    });
    expect(found.elements.every((e) => e.type === 'file' && e.resolved_with === 'release-old')).toBe(true);
    for (const [name, bytes] of files) expect(found.files.find((f) => f.url === name)?.bytes.equals(bytes)).toBe(true);
  };

  it('uploads one file with `releases files upload`, lists it, gives back the exact bytes, and refuses a second copy', async () => {
    expectSuccess(await cli(['releases', 'new', '1.0.0']));
    const dir = await mkdtemp(join(tmpdir(), 'aa-single-'));
    const content = Buffer.from('function add(n,d){return n+d}console.log(add(1,2));\n//# sourceMappingURL=app.js.map\n');
    await writeFile(join(dir, 'app.js'), content);

    const uploaded = expectSuccess(await cli(['releases', 'files', '1.0.0', 'upload', join(dir, 'app.js'), '~/single/app.js']));
    expect(uploaded.stdout).toContain(`A ${sha1(content)}`);
    expect(uploaded.stdout).toContain(`(${content.length} bytes)`);

    const cliList = expectSuccess(await cli(['releases', 'files', '1.0.0', 'list']));
    expect(cliList.stdout).toContain('~/single/app.js');
    const [listed] = await listFiles('1.0.0');
    expect(listed).toMatchObject({ name: '~/single/app.js', size: content.length, sha1: sha1(content) });
    expect((await download('1.0.0', listed!.id)).equals(content)).toBe(true);
    await expectConsumerFinds('1.0.0', new Map([['~/single/app.js', content]]));

    // `releases files upload` does not delete first: the CLI turns Sentry's 409 into its own message
    const again = await cli(['releases', 'files', '1.0.0', 'upload', join(dir, 'app.js'), '~/single/app.js']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('error: File already present!');
    expect(await listFiles('1.0.0')).toHaveLength(1);
  });

  it('uploads source maps file by file when the server lacks release_files, and replaces them on a re-upload', async () => {
    expectSuccess(await cli(['releases', 'new', '2.0.0']));
    const dist = await generateDist(4, 'legacy');
    const upload = expectSuccess(await cli(['sourcemaps', 'upload', '--release', '2.0.0', '--no-rewrite', dist.dir]));
    expect(upload.stdout).toMatch(/Upload type: single file\/legacy upload/);
    const first = await expectStoredExactly('2.0.0', dist);
    const script = first.find((f) => f.name === '~/page-1.js');
    expect(script?.headers).toMatchObject({ Sourcemap: 'page-1.js.map' });
    await expectConsumerFinds('2.0.0', new Map([...dist.files].map(([path, bytes]) => [`~/${path}`, bytes])));

    // the CLI deletes each same-name file before posting it again: new content, still one file per name
    const rebuilt = await generateDist(4, 'legacy-2');
    expectSuccess(await cli(['sourcemaps', 'upload', '--release', '2.0.0', '--no-rewrite', rebuilt.dir]));
    const second = await expectStoredExactly('2.0.0', rebuilt);
    expect(second.map((f) => f.id).some((id) => first.some((f) => f.id === id))).toBe(false);
  });

  it('fails cleanly when the release does not exist (this mode never creates it)', async () => {
    const dist = await generateDist(1, 'no-release');
    const result = await cli(['sourcemaps', 'upload', '--release', '2.5.0', dist.dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not found|does not exist/i);
    const release = await api.inject({ method: 'GET', url: '/api/0/organizations/acme/releases/2.5.0/' });
    expect(release.statusCode).toBe(404);
  });

  it('empties a release with `releases files delete --all`', async () => {
    expect(await listFiles('1.0.0')).toHaveLength(1);
    const deleted = expectSuccess(await cli(['releases', 'files', '1.0.0', 'delete', '--all']));
    expect(deleted.stdout).toContain('All files deleted');
    expect(await listFiles('1.0.0')).toEqual([]);
    expect(expectSuccess(await cli(['releases', 'files', '1.0.0', 'list'])).stdout).not.toContain('~/single/app.js');
    expect(await listFiles('2.0.0')).toHaveLength(8);
  });
});
