import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openFileStream, readFileBuffer } from '../../src/adapters/files/index.js';
import { countReleaseArtifacts } from '../../src/adapters/db/releaseFiles.js';
import { parseArtifactIndex } from '../../src/domain/artifactIndex.js';
import { releaseFileIdent } from '../../src/domain/releaseFileIdent.js';
import { AssembleHarness } from '../support/assembleHarness.js';
import { buildBundle, generatedFiles, sha1, type BundleFile } from '../support/bundles.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'sentry-cli');

const F1: BundleFile[] = [
  { path: 'files/_/_/index.js.map', url: '~/index.js.map', type: 'source_map', content: '{"version":3,"sources":[]}' },
  { path: 'files/_/_/index.js', url: '~/index.js', type: 'source', content: 'console.log("hi")', headers: { Sourcemap: 'index.js.map' } },
];

async function streamToBuffer(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

describe('release bundle assembly', () => {
  let h: AssembleHarness;

  beforeAll(async () => {
    h = await AssembleHarness.create();
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(() => {
    h.settings.releaseArchiveMinFiles = 10;
  });

  it('stores a bundle below the archive threshold as single release files with headers kept verbatim (scenario 5)', async () => {
    const release = await h.createRelease('single-1');
    const status = await h.assemble(await buildBundle({ release: 'single-1', files: F1 }), 'single-1');
    expect(status).toMatchObject({ state: 'ok', detail: null });
    const artifacts = await h.artifacts(release.id);
    expect(artifacts.map((a) => a.name)).toEqual(['~/index.js', '~/index.js.map']);
    const index = artifacts.find((a) => a.name === '~/index.js');
    expect(index?.headers).toEqual({ Sourcemap: 'index.js.map' });
    expect(index?.sha1).toBe(sha1('console.log("hi")'));
    expect(await countReleaseArtifacts(h.db, release.id)).toBe(2);
    const files = await h.db.selectFrom('file').select('type').execute();
    expect(files.some((f) => f.type === 'release.bundle')).toBe(false); // the bundle itself is not kept
    const fileId = index?.location.kind === 'file' ? index.location.fileId : '';
    expect((await readFileBuffer({ db: h.db, blobs: h.blobs }, fileId)).toString()).toBe('console.log("hi")');
    expect(await h.tempEntries()).toEqual([]);
  });

  it('keeps the bundle as an archive and indexes its URLs at or above the threshold (scenario 6)', async () => {
    h.settings.releaseArchiveMinFiles = 1;
    const release = await h.createRelease('archive-1');
    const bundle = await buildBundle({ release: 'archive-1', files: F1 });
    const status = await h.assemble(bundle, 'archive-1');
    expect(status.state).toBe('ok');
    const rows = await h.db
      .selectFrom('release_file as rf')
      .innerJoin('file as f', 'f.id', 'rf.file_id')
      .select(['rf.name', 'rf.ident', 'rf.artifact_count', 'f.type', 'f.size', 'rf.file_id'])
      .where('rf.release_id', '=', release.id)
      .execute();
    const archive = rows.find((r) => r.type === 'release.bundle');
    const indexRow = rows.find((r) => r.type === 'release.artifact-index');
    expect(Number(archive?.size)).toBe(bundle.length);
    expect(archive?.artifact_count).toBe(0);
    expect(indexRow?.ident).toBe(releaseFileIdent('artifact-index.json'));
    const index = parseArtifactIndex(await readFileBuffer({ db: h.db, blobs: h.blobs }, indexRow?.file_id ?? ''));
    expect(index.files['~/index.js']).toMatchObject({
      archive_ident: archive?.ident,
      filename: 'files/_/_/index.js',
      sha1: sha1('console.log("hi")'),
      size: 17,
      headers: { Sourcemap: 'index.js.map' },
      type: 'source',
    });
    expect(await countReleaseArtifacts(h.db, release.id)).toBe(2);
    // The archive's bytes are exactly the uploaded bundle.
    const stored = await streamToBuffer(await openFileStream({ db: h.db, blobs: h.blobs }, archive?.file_id ?? ''));
    expect(stored.equals(bundle)).toBe(true);
  });

  it('assembles a real sentry-cli bundle with its SYSB header, split into many chunks', async () => {
    const bundle = await readFile(join(FIXTURES, '9f112449d1ec2a8747b9ab78cb2e2d72dd1fd287.bundle.zip'));
    expect(bundle.subarray(0, 4).toString()).toBe('SYSB');
    const release = await h.createRelease('1.0.0');
    const status = await h.assemble(bundle, '1.0.0', { chunkSize: 256 });
    expect(status).toMatchObject({ state: 'ok', checksum: '9f112449d1ec2a8747b9ab78cb2e2d72dd1fd287' });
    const names = (await h.artifacts(release.id)).map((a) => a.name);
    expect(names).toEqual(['~/app.js', '~/app.js.map', '~/assets/vendor.js', '~/assets/vendor.js.map']);
    const app = (await h.artifacts(release.id)).find((a) => a.name === '~/app.js');
    expect(app?.headers).toEqual({ sourcemap: 'app.js.map' });
  });

  it('creates the dist named by the manifest and keys files by url and dist', async () => {
    const release = await h.createRelease('dist-1');
    const status = await h.assemble(await buildBundle({ release: 'dist-1', dist: 'android', files: F1 }), 'dist-1');
    expect(status.state).toBe('ok');
    const dist = await h.db.selectFrom('distribution').selectAll().where('release_id', '=', release.id).execute();
    expect(dist.map((d) => d.name)).toEqual(['android']);
    const idents = await h.db.selectFrom('release_file').select('ident').where('release_id', '=', release.id).execute();
    expect(idents.map((r) => r.ident)).toContain('a80c453752e72bee29a2c3e1df5beda79ab24e95');
    expect((await h.artifacts(release.id, 'android')).length).toBe(2);
    expect(await h.artifacts(release.id, null)).toEqual([]);
  });

  it('replaces a release file of the same name and deletes the replaced file row', async () => {
    const release = await h.createRelease('replace-1');
    const v1 = [{ path: 'files/_/_/a.js', url: '~/a.js', content: 'first version' }];
    const v2 = [{ path: 'files/_/_/a.js', url: '~/a.js', content: 'second version!' }];
    expect((await h.assemble(await buildBundle({ release: 'replace-1', files: v1 }), 'replace-1')).state).toBe('ok');
    expect((await h.assemble(await buildBundle({ release: 'replace-1', files: v2 }), 'replace-1')).state).toBe('ok');
    const artifacts = await h.artifacts(release.id);
    expect(artifacts).toHaveLength(1);
    expect(artifacts[0]?.sha1).toBe(sha1('second version!'));
    expect(await h.orphanedFiles()).toBe(0);
  });

  it('ends an empty manifest ok and stores nothing', async () => {
    const release = await h.createRelease('empty-1');
    const filesBefore = await h.count('file');
    const status = await h.assemble(await buildBundle({ release: 'empty-1', files: [] }), 'empty-1');
    expect(status).toMatchObject({ state: 'ok', detail: null });
    expect(await h.artifacts(release.id)).toEqual([]);
    expect(await h.count('file')).toBe(filesBefore);
  });

  it.each([
    ['organization does not match uploaded bundle', { org: 'invalid' }],
    ['release does not match uploaded bundle', { release: 'invalid' }],
    ['organization does not match uploaded bundle', { org: null }],
  ])('refuses a manifest whose org or release is wrong: %s (scenarios 7, 8)', async (message, override) => {
    const release = await h.createRelease('mismatch-1');
    const status = await h.assemble(await buildBundle({ release: 'mismatch-1', files: F1, ...override }), 'mismatch-1');
    expect(status).toMatchObject({ state: 'error', detail: message });
    expect(await h.artifacts(release.id)).toEqual([]);
  });

  it('refuses a bundle for a release that does not exist', async () => {
    const status = await h.assemble(await buildBundle({ release: 'never-created', files: F1 }), 'never-created');
    expect(status).toMatchObject({ state: 'error', detail: 'release does not exist' });
  });

  it('merges archives last-writer-wins per URL and keeps other URLs (scenario 39 through the worker)', async () => {
    h.settings.releaseArchiveMinFiles = 1;
    const release = await h.createRelease('merge-1');
    const archive1 = ['foo', 'bar', 'bazaa'].map((c, i) => ({ path: `files/_/_/${['foo', 'bar', 'baz'][i]}`, url: `fake://${['foo', 'bar', 'baz'][i]}`, content: c }));
    const archive2 = [
      { path: 'files/_/_/foo', url: 'fake://foo', content: 'foo' },
      { path: 'files/_/_/bar', url: 'fake://bar', content: 'BAR' },
      { path: 'files/_/_/zap', url: 'fake://zap', content: 'zapz' },
    ];
    const first = await h.assemble(await buildBundle({ release: 'merge-1', files: archive1 }), 'merge-1');
    const second = await h.assemble(await buildBundle({ release: 'merge-1', files: archive2 }), 'merge-1');
    expect([first.state, second.state]).toEqual(['ok', 'ok']);
    const byName = new Map((await h.artifacts(release.id)).map((a) => [a.name, a]));
    expect([...byName.keys()].sort()).toEqual(['fake://bar', 'fake://baz', 'fake://foo', 'fake://zap']);
    expect(byName.get('fake://bar')?.sha1).toBe('a5d5c1bba91fdb6c669e1ae0413820885bbfc455');
    expect(byName.get('fake://baz')?.sha1).toBe('1a74885aa2771a6a0edcc80dbd0cf396dfaf1aab');
    expect(byName.get('fake://zap')).toMatchObject({ sha1: 'a7a9c12205f9cb1f53f8b6678265c9e8158f2a8f', size: 4 });
    const archiveOf = (name: string) => {
      const loc = byName.get(name)?.location;
      return loc?.kind === 'archive' ? loc.archiveIdent : null;
    };
    expect(archiveOf('fake://foo')).toBe(archiveOf('fake://zap'));
    expect(archiveOf('fake://baz')).not.toBe(archiveOf('fake://foo'));
    const indexRows = await h.db.selectFrom('release_file').select('id').where('release_id', '=', release.id).where('name', '=', 'artifact-index.json').execute();
    expect(indexRows).toHaveLength(1);
    expect(await countReleaseArtifacts(h.db, release.id)).toBe(4);
    expect(await h.orphanedFiles()).toBe(0);
  });

  it('falls back to single files when the index cannot be updated (scenario 10)', async () => {
    h.settings.releaseArchiveMinFiles = 1;
    const release = await h.createRelease('fallback-1');
    expect((await h.assemble(await buildBundle({ release: 'fallback-1', files: F1.slice(0, 1) }), 'fallback-1')).state).toBe('ok');
    // Corrupt the index the way a bad write would: its file is no longer an artifact index.
    await sql`UPDATE file SET type = 'default' WHERE id = (SELECT file_id FROM release_file WHERE release_id = ${release.id} AND name = 'artifact-index.json')`.execute(h.db);
    const status = await h.assemble(await buildBundle({ release: 'fallback-1', files: F1.slice(1) }), 'fallback-1');
    expect(status).toMatchObject({ state: 'ok', detail: null });
    const single = await h.db
      .selectFrom('release_file as rf')
      .innerJoin('file as f', 'f.id', 'rf.file_id')
      .select(['rf.name'])
      .where('rf.release_id', '=', release.id)
      .where('f.type', '=', 'release.file')
      .execute();
    expect(single.map((r) => r.name)).toEqual(['~/index.js']);
  });

  it('answers ok when polled after completion, and reports chunks the organisation does not own', async () => {
    await h.createRelease('poll-1');
    const bundle = await buildBundle({ release: 'poll-1', files: F1 });
    const done = await h.assemble(bundle, 'poll-1');
    expect(done.state).toBe('ok');
    await expect(h.request('poll-1', done.checksum, [])).resolves.toEqual({ state: 'ok', detail: null, missingChunks: [] });
    const unknown = sha1('never uploaded');
    await expect(h.request('poll-1', unknown, [unknown])).resolves.toEqual({
      state: 'error',
      detail: 'Not all chunks available for assembling',
      missingChunks: [unknown],
    });
    await expect(h.request('poll-1', sha1('x'), [])).resolves.toEqual({ state: 'not_found', detail: null, missingChunks: [] });
  });

  it('stores more files than the threshold through the archive path by default', async () => {
    const release = await h.createRelease('many-1');
    const files = generatedFiles(25);
    expect((await h.assemble(await buildBundle({ release: 'many-1', files }), 'many-1')).state).toBe('ok');
    const artifacts = await h.artifacts(release.id);
    expect(artifacts).toHaveLength(25);
    expect(artifacts.every((a) => a.location.kind === 'archive')).toBe(true);
    expect(artifacts.find((a) => a.name === '~/app/file7.js')?.sha1).toBe(sha1(files[7]?.content ?? ''));
  });
});
