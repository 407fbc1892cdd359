import { randomBytes } from 'node:crypto';
import { createApiToken } from '../../src/auth/apiTokens.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { DUPLICATE_RELEASE_FILE } from '../../src/releases/uploadReleaseFile.js';
import { buildBundle, generatedFiles } from '../support/bundles.js';
import { sha1 } from '../support/sha1.js';
import type { ArtifactJson as Artifact } from '../../src/http/releaseFiles/serializeArtifact.js';
import { ApiHarness } from './apiHarness.js';

type Part = { name: string; value: string } | { name: string; filename: string; content: Buffer; contentType?: string };

/** A multipart/form-data body as curl (sentry-cli) builds it. */
function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `------------------------${randomBytes(8).toString('hex')}`;
  const pieces: Buffer[] = [];
  for (const part of parts) {
    if ('filename' in part) {
      pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n`));
      pieces.push(Buffer.from(`Content-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`), part.content, Buffer.from('\r\n'));
    } else {
      pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    }
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(pieces), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const ORG = '/api/0/organizations/acme';
const PROJECT = '/api/0/projects/acme/web';
const MAX_FILE_SIZE = 3 * 1024 * 1024;

describe('single release-file uploads and delete-all over HTTP', () => {
  let harness: ApiHarness;

  beforeAll(async () => {
    harness = await ApiHarness.create({ maxFileSize: MAX_FILE_SIZE });
  });

  afterAll(async () => {
    await harness?.close();
  });

  const createRelease = async (version: string) => {
    const response = await harness.inject({ method: 'POST', url: `${PROJECT}/releases/`, payload: { version } });
    expect(response.statusCode).toBe(201);
  };

  const upload = (base: string, version: string, parts: Part[], headers: Record<string, string> = {}) => {
    const body = multipart(parts);
    return harness.inject({ method: 'POST', url: `${base}/releases/${version}/files/`, payload: body.payload, headers: { ...body.headers, ...headers } });
  };

  /** What sentry-cli sends: the file first, then its name, then each header. */
  const cliParts = (content: Buffer, filename: string, name: string, headers: string[] = [], dist?: string): Part[] => [
    { name: 'file', filename, content },
    { name: 'name', value: name },
    ...headers.map((value) => ({ name: 'header', value })),
    ...(dist ? [{ name: 'dist', value: dist }] : []),
  ];

  const list = async (base: string, version: string) => {
    const response = await harness.inject({ method: 'GET', url: `${base}/releases/${version}/files/?per_page=100` });
    expect(response.statusCode).toBe(200);
    return response.json<Artifact[]>();
  };

  const download = async (base: string, version: string, id: string) => {
    const response = await harness.inject({ method: 'GET', url: `${base}/releases/${version}/files/${id}/?download=1` });
    expect(response.statusCode).toBe(200);
    return response;
  };

  it('stores an upload as sentry-cli sends it, answers the Artifact, lists it and downloads the exact bytes', async () => {
    await createRelease('1.0.0');
    const content = Buffer.from('function add(n,d){return n+d}console.log(add(1,2));\n//# sourceMappingURL=app.js.map\n');
    const response = await upload(PROJECT, '1.0.0', cliParts(content, 'app.js', '~/app.js', ['Sourcemap:app.js.map']));
    expect(response.statusCode).toBe(201);
    const artifact = response.json<Artifact>();
    expect(artifact).toEqual({
      id: expect.stringMatching(/^\d+$/),
      name: '~/app.js',
      dist: null,
      headers: { 'Content-Type': 'application/octet-stream', Sourcemap: 'app.js.map' },
      size: content.length,
      sha1: sha1(content),
      dateCreated: expect.any(String),
    });
    expect(Date.now() - Date.parse(artifact.dateCreated)).toBeLessThan(60_000);

    expect(await list(PROJECT, '1.0.0')).toEqual([artifact]);
    expect(await list(ORG, '1.0.0')).toEqual([artifact]);
    const downloaded = await download(PROJECT, '1.0.0', artifact.id);
    expect(downloaded.rawPayload.equals(content)).toBe(true);
    expect(downloaded.headers['content-disposition']).toBe('attachment; filename="app.js"');
    const release = await harness.inject({ method: 'GET', url: `${ORG}/releases/1.0.0/` });
    expect(release.json()).toMatchObject({ fileCount: 1 });
  });

  it('takes the name from the filename when none is given, records the dist and declared type, in organisation scope too', async () => {
    await createRelease('1.1.0');
    const map = Buffer.from('{"version":3,"sources":[],"mappings":""}');
    const response = await upload(ORG, '1.1.0', [
      { name: 'dist', value: 'web-1' },
      { name: 'header', value: 'X-Build: 42 ' },
      { name: 'file', filename: 'app.js.map', content: map, contentType: 'application/json; charset=utf-8' },
    ]);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ name: 'app.js.map', dist: 'web-1', headers: { 'Content-Type': 'application/json', 'X-Build': '42' } });
    const [listed] = await list(PROJECT, '1.1.0');
    expect(listed).toMatchObject({ name: 'app.js.map', dist: 'web-1', size: map.length, sha1: sha1(map) });
    const downloaded = await download(ORG, '1.1.0', listed!.id);
    expect(downloaded.headers['content-type']).toBe('application/json');
    expect(downloaded.rawPayload.equals(map)).toBe(true);
  });

  it('streams a file of several blobs and gives back every byte', async () => {
    await createRelease('1.2.0');
    const content = randomBytes(MAX_FILE_SIZE - 1000);
    const response = await upload(PROJECT, '1.2.0', cliParts(content, 'vendor.bin', '~/static/vendor.bin'));
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ size: content.length, sha1: sha1(content) });
    expect((await download(PROJECT, '1.2.0', response.json<Artifact>().id)).rawPayload.equals(content)).toBe(true);
  });

  it('refuses a duplicate (name, dist) with 409 and keeps the first; another dist, or a re-upload after a delete, is fine', async () => {
    await createRelease('2.0.0');
    const first = await upload(PROJECT, '2.0.0', cliParts(Buffer.from('one'), 'app.js', '~/app.js'));
    expect(first.statusCode).toBe(201);
    const filesBefore = await harness.assembly.count('file');
    const duplicate = await upload(PROJECT, '2.0.0', cliParts(Buffer.from('two'), 'app.js', '~/app.js'));
    expect([duplicate.statusCode, duplicate.json()]).toEqual([409, { detail: DUPLICATE_RELEASE_FILE }]);
    expect(await harness.assembly.count('file')).toBe(filesBefore);
    expect(await harness.assembly.orphanedFiles()).toBe(0);

    expect((await upload(PROJECT, '2.0.0', cliParts(Buffer.from('dist'), 'app.js', '~/app.js', [], 'web-1'))).statusCode).toBe(201);
    expect((await upload(PROJECT, '2.0.0', cliParts(Buffer.from('again'), 'app.js', '~/app.js', [], 'web-1'))).statusCode).toBe(409);
    const listed = await list(PROJECT, '2.0.0');
    expect(listed.map((a) => [a.name, a.dist, a.size])).toEqual([
      ['~/app.js', null, 3],
      ['~/app.js', 'web-1', 4],
    ]);

    // sentry-cli's own way round the 409: delete the same-name file, then upload
    const deleted = await harness.inject({ method: 'DELETE', url: `${PROJECT}/releases/2.0.0/files/${first.json<Artifact>().id}/` });
    expect(deleted.statusCode).toBe(204);
    const replaced = await upload(PROJECT, '2.0.0', cliParts(Buffer.from('three'), 'app.js', '~/app.js'));
    expect(replaced.statusCode).toBe(201);
    expect((await download(PROJECT, '2.0.0', replaced.json<Artifact>().id)).rawPayload.toString()).toBe('three');
  });

  it('caps the size at maxFileSize with a 413, whether declared up front or found while streaming, and keeps nothing', async () => {
    await createRelease('3.0.0');
    const filesBefore = await harness.assembly.count('file');
    const over = await upload(PROJECT, '3.0.0', cliParts(randomBytes(MAX_FILE_SIZE + 1), 'big.bin', '~/big.bin'));
    expect(over.statusCode).toBe(413);
    expect(over.json<{ detail: string }>().detail).toBe(`File too large: the limit is ${MAX_FILE_SIZE} bytes (maxFileSize)`);

    const declared = await harness.inject({
      method: 'POST',
      url: `${PROJECT}/releases/3.0.0/files/`,
      payload: multipart(cliParts(Buffer.from('x'), 'a.js', '~/a.js')).payload,
      headers: { ...multipart([]).headers, 'content-length': String(MAX_FILE_SIZE * 2) },
    });
    expect(declared.statusCode).toBe(413);
    expect(await harness.assembly.count('file')).toBe(filesBefore);
    expect(await list(PROJECT, '3.0.0')).toEqual([]);

    const exact = await upload(PROJECT, '3.0.0', cliParts(randomBytes(MAX_FILE_SIZE), 'max.bin', '~/max.bin'));
    expect([exact.statusCode, exact.json<Artifact>().size]).toEqual([201, MAX_FILE_SIZE]);
  });

  it('refuses a form without a file, a bad header and a non-multipart body with a clear detail', async () => {
    await createRelease('3.1.0');
    const noFile = await upload(PROJECT, '3.1.0', [{ name: 'name', value: '~/a.js' }]);
    expect([noFile.statusCode, noFile.json()]).toEqual([400, { detail: 'Missing uploaded file' }]);
    const badHeader = await upload(PROJECT, '3.1.0', cliParts(Buffer.from('a'), 'a.js', '~/a.js', ['Sourcemap']));
    expect([badHeader.statusCode, badHeader.json()]).toEqual([400, { detail: 'header value was not formatted correctly' }]);
    const otherFile = await upload(PROJECT, '3.1.0', [{ name: 'upload', filename: 'a.js', content: Buffer.from('a') }]);
    expect(otherFile.statusCode).toBe(400);
    expect(otherFile.json<{ detail: string }>().detail).toMatch(/Unexpected file part "upload"/);
    const json = await harness.inject({ method: 'POST', url: `${PROJECT}/releases/3.1.0/files/`, payload: { name: '~/a.js' } });
    expect(json.statusCode).toBe(415);
    expect(await list(PROJECT, '3.1.0')).toEqual([]);
  });

  it("answers 404 for a missing release, a release of another project, and another organisation's token", async () => {
    const parts = cliParts(Buffer.from('a'), 'a.js', '~/a.js');
    for (const base of [ORG, PROJECT]) {
      const missing = await upload(base, '9.9.9', parts);
      expect([missing.statusCode, missing.json()]).toEqual([404, { detail: 'The requested resource does not exist' }]);
    }
    await harness.assembly.createRelease('org-only'); // in the organisation, in no project
    expect((await upload(PROJECT, 'org-only', parts)).statusCode).toBe(404);
    expect((await upload(ORG, 'org-only', parts)).statusCode).toBe(201);

    await createRelease('4.0.0');
    await createOrganization(harness.assembly.orgDeps(), { name: 'Other', slug: 'other' });
    const { token } = await createApiToken(harness.db, { organizationSlug: 'other', name: 'other' });
    for (const base of [ORG, PROJECT]) {
      expect((await upload(base, '4.0.0', parts, { authorization: `Bearer ${token}` })).statusCode).toBe(404);
    }
    const deleteAll = await harness.inject({ method: 'DELETE', url: `${PROJECT}/files/source-maps/?name=4.0.0`, headers: { authorization: `Bearer ${token}` } });
    expect(deleteAll.statusCode).toBe(404);
    expect(await list(PROJECT, '4.0.0')).toEqual([]);
  });

  it('deletes every release file of a release (single files, archive and index) for `releases files delete --all`', async () => {
    await createRelease('5.0.0');
    expect((await upload(PROJECT, '5.0.0', cliParts(Buffer.from('single'), 'one.js', '~/one.js'))).statusCode).toBe(201);
    const status = await harness.assembly.assemble(await buildBundle({ release: '5.0.0', files: generatedFiles(12, 'bundled') }), '5.0.0');
    expect(status.state).toBe('ok');
    expect(await list(PROJECT, '5.0.0')).toHaveLength(13);
    await createRelease('5.1.0');
    expect((await upload(PROJECT, '5.1.0', cliParts(Buffer.from('kept'), 'kept.js', '~/kept.js'))).statusCode).toBe(201);

    const response = await harness.inject({ method: 'DELETE', url: `${PROJECT}/files/source-maps/?name=5.0.0` });
    expect(response.statusCode).toBe(204);
    expect(await list(PROJECT, '5.0.0')).toEqual([]);
    expect((await harness.inject({ method: 'GET', url: `${ORG}/releases/5.0.0/` })).json()).toMatchObject({ fileCount: 0 });
    expect(await list(PROJECT, '5.1.0')).toHaveLength(1);
    expect(await harness.assembly.orphanedFiles()).toBe(0);

    // an empty release is still a 204; an unknown release or no name is a 404
    expect((await harness.inject({ method: 'DELETE', url: `${PROJECT}/files/source-maps/?name=5.0.0` })).statusCode).toBe(204);
    expect((await harness.inject({ method: 'DELETE', url: `${PROJECT}/files/source-maps/?name=9.9.9` })).statusCode).toBe(404);
    expect((await harness.inject({ method: 'DELETE', url: `${PROJECT}/files/source-maps/` })).statusCode).toBe(404);
  });
});
