import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import unzipper from 'unzipper';
import { linkReleaseProjects } from '../../src/adapters/db/releases.js';
import { countReleaseArtifacts } from '../../src/adapters/db/releaseFiles.js';
import { createApiToken } from '../../src/auth/apiTokens.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { encodeIndexEntryId } from '../../src/releases/listReleaseArtifacts.js';
import { buildBundle, generatedFiles, type BundleFile } from '../support/bundles.js';
import { sha1 } from '../support/sha1.js';
import type { ArtifactJson as Artifact } from '../../src/http/releaseFiles/serializeArtifact.js';
import { ApiHarness } from './apiHarness.js';

const ORG = '/api/0/organizations/acme';
const PROJECT = '/api/0/projects/acme/web';

/** The next-page cursor of a Link header, or null once `results="false"` (how sentry-cli walks a list). */
function nextCursor(link: string | undefined): string | null {
  const next = link?.split(', ').find((part) => part.includes('rel="next"'));
  if (!next?.includes('results="true"')) return null;
  return /cursor="([^"]+)"/.exec(next)?.[1] ?? null;
}

describe('release files over HTTP', () => {
  let harness: ApiHarness;

  beforeAll(async () => {
    harness = await ApiHarness.create();
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** A release with `files` assembled into it (stored as single files below 10 files, as an archive from 10 on). */
  async function releaseWith(version: string, files: BundleFile[], dist?: string) {
    const release = await harness.assembly.createRelease(version);
    const status = await harness.assembly.assemble(await buildBundle({ release: version, dist, files }), version);
    expect(status.state).toBe('ok');
    return release;
  }

  const list = async (path: string) => {
    const response = await harness.inject({ method: 'GET', url: path });
    expect(response.statusCode).toBe(200);
    return { artifacts: response.json<Artifact[]>(), link: response.headers.link as string | undefined };
  };

  const listAll = async (base: string): Promise<Artifact[]> => (await list(`${base}?per_page=100`)).artifacts;

  const download = (base: string, id: string) => harness.inject({ method: 'GET', url: `${base}${encodeURIComponent(id)}/?download=1` });

  it('lists and downloads single release files (fewer than 10)', async () => {
    const files: BundleFile[] = [
      { path: 'files/_/_/app.js', url: '~/app.js', content: 'console.log("app");', headers: { 'Content-Type': 'text/javascript; charset=utf-8', Sourcemap: 'app.js.map' } },
      { path: 'files/_/_/app.js.map', url: '~/app.js.map', content: '{"version":3}' },
      { path: 'files/_/_/static/img.bin', url: '~/static/img.bin', content: Buffer.from([0, 1, 2, 255]) },
    ];
    await releaseWith('single-1', files);
    const base = `${ORG}/releases/single-1/files/`;
    const artifacts = await listAll(base);
    expect(artifacts.map((a) => a.name)).toEqual(['~/app.js', '~/app.js.map', '~/static/img.bin']);
    for (const artifact of artifacts) expect(artifact.id).toMatch(/^\d+$/);
    expect(artifacts[0]).toMatchObject({ dist: null, size: 19, sha1: sha1(Buffer.from('console.log("app");')), headers: { Sourcemap: 'app.js.map' } });
    expect(new Date(artifacts[0]!.dateCreated).getTime()).not.toBeNaN();

    const details = await harness.inject({ method: 'GET', url: `${base}${artifacts[0]!.id}/` });
    expect(details.json()).toEqual(artifacts[0]);

    for (const file of files) {
      const artifact = artifacts.find((a) => a.name === file.url)!;
      const response = await download(base, artifact.id);
      expect(response.statusCode).toBe(200);
      expect(response.rawPayload.equals(Buffer.from(file.content))).toBe(true);
      expect(response.headers['content-length']).toBe(String(Buffer.from(file.content).length));
      expect(response.headers['content-disposition']).toBe(`attachment; filename="${file.url!.split('/').pop()}"`);
    }
    expect((await download(base, artifacts[0]!.id)).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await download(base, artifacts[1]!.id)).headers['content-type']).toBe('application/json');
    expect((await download(base, artifacts[2]!.id)).headers['content-type']).toBe('application/octet-stream');
  });

  it('lists and downloads artifact index entries out of the archive (10 files or more)', async () => {
    const files = generatedFiles(12, 'arch', 3000);
    await releaseWith('archive-1', files);
    const base = `${ORG}/releases/archive-1/files/`;
    const artifacts = await listAll(base);
    expect(artifacts).toHaveLength(12);
    expect(artifacts.map((a) => a.name)).not.toContain('artifact-index.json');
    for (const file of files) {
      const artifact = artifacts.find((a) => a.name === file.url)!;
      expect(artifact.id).toBe(encodeIndexEntryId(null, file.url!));
      const content = Buffer.from(file.content);
      expect(artifact).toMatchObject({ dist: null, size: content.length, sha1: sha1(content) });
      const response = await download(base, artifact.id);
      expect(response.statusCode).toBe(200);
      expect(response.rawPayload.equals(content)).toBe(true);
      expect(response.headers['content-length']).toBe(String(content.length));
      expect(response.headers['content-type']).toBe('text/javascript');
    }
    const details = await harness.inject({ method: 'GET', url: `${base}${artifacts[3]!.id}/` });
    expect(details.json()).toEqual(artifacts[3]);
  });

  it('pages through a list with per_page, cursor and the Link header, as sentry-cli does', async () => {
    await releaseWith('paged-1', generatedFiles(12, 'page'));
    const base = `${ORG}/releases/paged-1/files/`;
    const all = await listAll(base);
    const seen: Artifact[] = [];
    const sizes: number[] = [];
    // sentry-cli starts with an empty cursor
    let url: string | null = `${base}?per_page=5&cursor=`;
    let first: string | undefined;
    while (url) {
      const page = await list(url);
      first ??= page.link;
      seen.push(...page.artifacts);
      sizes.push(page.artifacts.length);
      const cursor = nextCursor(page.link);
      url = cursor ? `${base}?per_page=5&cursor=${cursor}` : null;
    }
    expect(sizes).toEqual([5, 5, 2]);
    expect(seen).toEqual(all);
    expect(first).toMatch(/^<http:\/\/localhost(:\d+)?\/api\/0\/organizations\/acme\/releases\/paged-1\/files\/\?per_page=5&cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <[^>]+cursor=0:5:0>; rel="next"; results="true"; cursor="0:5:0"$/);

    const second = await list(`${base}?per_page=5&cursor=0:5:0`);
    expect(second.link).toContain('rel="previous"; results="true"; cursor="0:0:1"');
    expect((await list(`${base}?per_page=5&cursor=0:0:1`)).artifacts).toEqual(all.slice(0, 5));
    expect((await list(`${base}?cursor=0:50:0`)).artifacts).toEqual([]);
  });

  it('filters by name with query and refuses bad paging parameters', async () => {
    await releaseWith('query-1', [...generatedFiles(3, 'alpha'), ...generatedFiles(2, 'beta')]);
    const base = `${ORG}/releases/query-1/files/`;
    expect((await list(`${base}?query=BETA`)).artifacts.map((a) => a.name)).toEqual(['~/beta/file0.js', '~/beta/file1.js']);
    expect((await list(`${base}?query=file2&query=beta/file1`)).artifacts.map((a) => a.name)).toEqual(['~/alpha/file2.js', '~/beta/file1.js']);
    for (const bad of ['per_page=0', 'per_page=101', 'per_page=x', 'cursor=nope']) {
      const response = await harness.inject({ method: 'GET', url: `${base}?${bad}` });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ detail: expect.stringMatching(/^Invalid (per_page|cursor) parameter\.$/) });
    }
  });

  it('keeps dists apart: each artifact says its dist, and a dist entry is found and downloaded by its id', async () => {
    const iosFiles = generatedFiles(10, 'mobile');
    await releaseWith('dist-1', iosFiles, 'ios_v2');
    const plain = generatedFiles(2, 'mobile');
    const status = await harness.assembly.assemble(await buildBundle({ release: 'dist-1', files: plain }), 'dist-1');
    expect(status.state).toBe('ok');
    const base = `${ORG}/releases/dist-1/files/`;
    const artifacts = await listAll(base);
    expect(artifacts).toHaveLength(12);
    const ios = artifacts.filter((a) => a.dist === 'ios_v2');
    expect(ios).toHaveLength(10);
    const entry = ios.find((a) => a.name === '~/mobile/file1.js')!;
    expect(entry.id).toBe(encodeIndexEntryId('ios_v2', '~/mobile/file1.js'));
    const response = await download(base, entry.id);
    expect(response.rawPayload.equals(Buffer.from(iosFiles[1]!.content))).toBe(true);
    const noDist = artifacts.find((a) => a.dist === null && a.name === '~/mobile/file1.js')!;
    expect(noDist.id).toMatch(/^\d+$/);
  });

  it('deletes a single release file with its file row; the rest stays listed and counted', async () => {
    const release = await releaseWith('delete-single', generatedFiles(3, 'del'));
    const base = `${ORG}/releases/delete-single/files/`;
    const [victim, ...rest] = await listAll(base);
    const filesBefore = await harness.assembly.count('file');
    expect(await countReleaseArtifacts(harness.db, release.id)).toBe(3);

    const response = await harness.inject({ method: 'DELETE', url: `${base}${victim!.id}/` });
    expect(response.statusCode).toBe(204);
    expect(await listAll(base)).toEqual(rest);
    expect(await harness.assembly.count('file')).toBe(filesBefore - 1);
    expect(await countReleaseArtifacts(harness.db, release.id)).toBe(2);
    expect(await harness.assembly.orphanedFiles()).toBe(0);
    expect((await harness.inject({ method: 'GET', url: `${base}${victim!.id}/` })).statusCode).toBe(404);
    expect((await harness.inject({ method: 'DELETE', url: `${base}${victim!.id}/` })).statusCode).toBe(404);
  });

  it('deletes an index entry copy-on-write; other entries stay downloadable and the archive stays', async () => {
    const files = generatedFiles(11, 'idx');
    const release = await releaseWith('delete-index', files);
    const base = `${ORG}/releases/delete-index/files/`;
    const before = await listAll(base);
    const victim = before.find((a) => a.name === '~/idx/file4.js')!;
    const indexFileBefore = await indexFileId(release.id);

    const response = await harness.inject({ method: 'DELETE', url: `${base}${victim.id}/` });
    expect(response.statusCode).toBe(204);
    expect(await listAll(base)).toEqual(before.filter((a) => a !== victim));
    expect(await countReleaseArtifacts(harness.db, release.id)).toBe(10);
    expect(await indexFileId(release.id)).not.toBe(indexFileBefore);
    const archives = await harness.db.selectFrom('release_file').select('name').where('release_id', '=', release.id).where('name', 'like', 'release-artifacts-%').execute();
    expect(archives).toHaveLength(1);
    expect(await harness.assembly.orphanedFiles()).toBe(0);

    expect((await harness.inject({ method: 'GET', url: `${base}${victim.id}/` })).statusCode).toBe(404);
    expect((await harness.inject({ method: 'DELETE', url: `${base}${victim.id}/` })).statusCode).toBe(404);
    const survivor = before.find((a) => a.name === '~/idx/file5.js')!;
    expect((await download(base, survivor.id)).rawPayload.equals(Buffer.from(files[5]!.content))).toBe(true);
  });

  it('an index delete and a concurrent upload to the same index both land', async () => {
    await releaseWith('delete-race', generatedFiles(10, 'race'));
    const base = `${ORG}/releases/delete-race/files/`;
    const victim = encodeIndexEntryId(null, '~/race/file0.js');
    const [deleted, uploaded] = await Promise.all([
      harness.inject({ method: 'DELETE', url: `${base}${victim}/` }),
      harness.assembly.assemble(await buildBundle({ release: 'delete-race', files: generatedFiles(10, 'more') }), 'delete-race'),
    ]);
    expect(deleted.statusCode).toBe(204);
    expect(uploaded.state).toBe('ok');
    const names = (await listAll(base)).map((a) => a.name);
    expect(names).toHaveLength(19);
    expect(names).not.toContain('~/race/file0.js');
  });

  it('answers 404 with a detail for a missing release, missing or non-artifact files, and garbage ids', async () => {
    const release = await releaseWith('missing-1', generatedFiles(10, 'm'));
    const notFound = { detail: 'The requested resource does not exist' };
    const storageRows = await harness.db.selectFrom('release_file').select('id').where('release_id', '=', release.id).execute();
    expect(storageRows).toHaveLength(2); // the archive and the index: storage, not artifacts
    const urls = [
      `${ORG}/releases/nope/files/`,
      `${ORG}/releases/nope/files/1/`,
      `${ORG}/releases/missing-1/files/999999/`,
      `${ORG}/releases/missing-1/files/${encodeIndexEntryId(null, '~/m/absent.js')}/`,
      `${ORG}/releases/missing-1/files/${encodeIndexEntryId('nodist', '~/m/file1.js')}/`,
      `${ORG}/releases/missing-1/files/not%20base64!/`,
      `${ORG}/releases/missing-1/files/99999999999999999999999/`,
      ...storageRows.map((row) => `${ORG}/releases/missing-1/files/${row.id}/`),
    ];
    for (const url of urls) {
      const response = await harness.inject({ method: 'GET', url });
      expect({ url, status: response.statusCode, body: response.json() }).toEqual({ url, status: 404, body: notFound });
    }
    const deleted = await harness.inject({ method: 'DELETE', url: `${ORG}/releases/missing-1/files/${storageRows[0]!.id}/` });
    expect(deleted.statusCode).toBe(404);
    expect(await harness.db.selectFrom('release_file').select('id').where('release_id', '=', release.id).execute()).toHaveLength(2);
  });

  it("gives another organisation's token a 404, and no token a 401", async () => {
    await releaseWith('private-1', generatedFiles(2, 'p'));
    await createOrganization(harness.assembly.orgDeps(), { name: 'Other', slug: 'other' });
    const { token } = await createApiToken(harness.db, { organizationSlug: 'other', name: 'other' });
    const [artifact] = await listAll(`${ORG}/releases/private-1/files/`);
    for (const [method, url] of [
      ['GET', `${ORG}/releases/private-1/files/`],
      ['GET', `${ORG}/releases/private-1/files/${artifact!.id}/?download=1`],
      ['DELETE', `${ORG}/releases/private-1/files/${artifact!.id}/`],
      ['GET', `${PROJECT}/releases/private-1/files/`],
    ] as const) {
      const response = await harness.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode).toBe(404);
    }
    expect((await harness.app.inject({ method: 'GET', url: `${ORG}/releases/private-1/files/` })).statusCode).toBe(401);
    expect(await listAll(`${ORG}/releases/private-1/files/`)).toHaveLength(2);
  });

  it('project scope answers only for releases linked to the project', async () => {
    const release = await releaseWith('project-1', generatedFiles(10, 'proj'));
    const base = `${PROJECT}/releases/project-1/files/`;
    expect((await harness.inject({ method: 'GET', url: base })).statusCode).toBe(404);
    await linkReleaseProjects(harness.db, release.id, [harness.project.id]);
    const artifacts = await listAll(base);
    expect(artifacts).toEqual(await listAll(`${ORG}/releases/project-1/files/`));
    const first = await list(`${base}?per_page=4`);
    expect(first.link).toContain('/api/0/projects/acme/web/releases/project-1/files/?per_page=4&cursor=0:4:0');
    expect((await download(base, artifacts[0]!.id)).statusCode).toBe(200);
    expect((await harness.inject({ method: 'DELETE', url: `${base}${artifacts[0]!.id}/` })).statusCode).toBe(204);
    expect(await listAll(base)).toHaveLength(9);
    expect((await harness.inject({ method: 'GET', url: `/api/0/projects/acme/nope/releases/project-1/files/` })).statusCode).toBe(404);
  });

  async function indexFileId(releaseId: string): Promise<string> {
    const row = await harness.db
      .selectFrom('release_file')
      .select('file_id')
      .where('release_id', '=', releaseId)
      .where('name', '=', 'artifact-index.json')
      .executeTakeFirstOrThrow();
    return row.file_id;
  }
});

describe('release files from a real sentry-cli bundle stored as an archive', () => {
  let harness: ApiHarness;

  beforeAll(async () => {
    // one file is enough for the archive path, so a small fixture bundle is stored whole, SYSB header and all
    harness = await ApiHarness.create({ settings: { releaseArchiveMinFiles: 1 } });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('downloads every artifact byte for byte out of the stored bundle', async () => {
    const bundle = await readFile(join(process.cwd(), 'test/fixtures/sentry-cli/a1707cc90d9e091ff83ffdfa24fbe753d3aa72f8.bundle.zip'));
    const manifest = JSON.parse(await readFile(join(process.cwd(), 'test/fixtures/sentry-cli/a1707cc90d9e091ff83ffdfa24fbe753d3aa72f8.manifest.json'), 'utf8')) as {
      files: Record<string, { url: string }>;
    };
    await harness.assembly.createRelease('1.0.0');
    expect((await harness.assembly.assemble(bundle, '1.0.0')).state).toBe('ok');
    const members = new Map((await unzipper.Open.buffer(bundle)).files.map((f) => [f.path, f]));
    const response = await harness.inject({ method: 'GET', url: `${ORG}/releases/1.0.0/files/` });
    const artifacts = response.json<Artifact[]>();
    expect(artifacts.map((a) => a.name).sort()).toEqual(Object.values(manifest.files).map((f) => f.url).sort());
    for (const [path, entry] of Object.entries(manifest.files)) {
      const artifact = artifacts.find((a) => a.name === entry.url)!;
      const download = await harness.inject({ method: 'GET', url: `${ORG}/releases/1.0.0/files/${artifact.id}/?download=1` });
      expect(download.statusCode).toBe(200);
      expect(download.rawPayload.equals(await members.get(path)!.buffer())).toBe(true);
    }
  });
});
