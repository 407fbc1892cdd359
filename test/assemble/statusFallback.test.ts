import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ASSEMBLE_TASK } from '../../src/domain/assembleStatus.js';
import { ASSEMBLE_JOB, releaseBundleJobId } from '../../src/jobs/assembleJobs.js';
import { enqueueAssembleJob, type AssembleQueue, type AssembleResponse } from '../../src/jobs/assembleProducer.js';
import { ApiHarness } from '../http/apiHarness.js';
import { AssembleHarness } from '../support/assembleHarness.js';
import { buildBundle, generatedFiles, type BundleFile } from '../support/bundles.js';

// DESIGN.md section 6: the release assemble status never lies. Once the Redis status (600 s) is gone, an upload
// whose files were stored still answers `ok` (from Postgres) and is not assembled again; anything else answers as
// before. Expiry is simulated by deleting the status key.

const OK: AssembleResponse = { state: 'ok', detail: null, missingChunks: [] };
const NOT_FOUND: AssembleResponse = { state: 'not_found', detail: null, missingChunks: [] };

/** Every job in the queue by id and creation time: a re-enqueue replaces a finished job with a newer one. */
async function jobSnapshot(queue: AssembleQueue): Promise<string[]> {
  const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed']);
  return jobs.map((job) => `${job.id}@${job.timestamp}`).sort();
}

/** Distinct contents per call, so that no two tests share a checksum (and so a status key) by accident. */
function uniqueFiles(count: number): BundleFile[] {
  return generatedFiles(count, randomBytes(6).toString('hex'));
}

describe('release assemble status after the Redis status expired', () => {
  let h: AssembleHarness;

  beforeAll(async () => {
    h = await AssembleHarness.create();
  });
  afterAll(async () => {
    await h.close();
  });

  const statusRef = (checksum: string) => ({ scope: h.organization.id, checksum, task: ASSEMBLE_TASK.releaseBundle });
  const expire = (checksum: string) => h.statusStore.delete(statusRef(checksum));
  const uploadsOf = (checksum: string) => h.db.selectFrom('release_bundle_upload').selectAll().where('checksum', '=', checksum).execute();

  /** Uploads `bundle` for `version` through the request path and waits for the job's final status. */
  async function uploadAndWait(version: string, bundle: Buffer) {
    const uploaded = await h.upload(bundle);
    const first = await h.request(version, uploaded.checksum, uploaded.chunks);
    expect(first).toEqual({ state: 'created', detail: null, missingChunks: [] });
    return { ...uploaded, status: await h.waitForStatus(uploaded.checksum) };
  }

  describe.each([
    ['single files', 3, false],
    ['an archive and an artifact index', 12, true],
  ])('a bundle stored as %s (%i files)', (_mode, count, archived) => {
    const version = `stored-${count}`;
    let release: { id: string };
    let uploaded: { checksum: string; chunks: string[] };

    beforeAll(async () => {
      release = await h.createRelease(version);
      uploaded = await uploadAndWait(version, await buildBundle({ release: version, files: uniqueFiles(count) }));
    });

    it('ends ok with one upload record beside its release files', async () => {
      expect(await h.waitForStatus(uploaded.checksum)).toEqual({ state: 'ok', detail: null });
      expect(await uploadsOf(uploaded.checksum)).toEqual([
        expect.objectContaining({
          organization_id: h.organization.id,
          release_id: release.id,
          checksum: uploaded.checksum,
          file_count: count,
        }),
      ]);
      const files = await h.db
        .selectFrom('release_file as rf')
        .innerJoin('file as f', 'f.id', 'rf.file_id')
        .select('f.type')
        .where('rf.release_id', '=', release.id)
        .execute();
      expect(files.some((f) => f.type === 'release.bundle')).toBe(archived);
    });

    it('answers a poll with no chunks ok once the status expired, enqueueing nothing and writing no status', async () => {
      await expire(uploaded.checksum);
      const jobs = await jobSnapshot(h.queue);
      await expect(h.request(version, uploaded.checksum, [])).resolves.toEqual(OK);
      expect(await jobSnapshot(h.queue)).toEqual(jobs);
      expect(await h.statusStore.get(statusRef(uploaded.checksum))).toBeNull();
    });

    it('answers a repeat request with the chunks ok and does not assemble again', async () => {
      await expire(uploaded.checksum);
      const jobs = await jobSnapshot(h.queue);
      const before = await uploadsOf(uploaded.checksum);
      await expect(h.request(version, uploaded.checksum, uploaded.chunks)).resolves.toEqual(OK);
      await sleep(200); // a job enqueued by mistake would have started by now
      expect(await jobSnapshot(h.queue)).toEqual(jobs);
      expect(await h.statusStore.get(statusRef(uploaded.checksum))).toBeNull();
      expect(await uploadsOf(uploaded.checksum)).toEqual(before);
    });

    it('answers ok even when the chunks are no longer available (collected since)', async () => {
      await expire(uploaded.checksum);
      const blobs = await h.db.selectFrom('file_blob').select('id').where('checksum', 'in', uploaded.chunks).execute();
      const owners = await h.db
        .deleteFrom('file_blob_owner')
        .where('blob_id', 'in', blobs.map((b) => b.id))
        .returning(['blob_id', 'organization_id'])
        .execute();
      try {
        await expect(h.request(version, uploaded.checksum, uploaded.chunks)).resolves.toEqual(OK);
      } finally {
        await h.db.insertInto('file_blob_owner').values(owners).execute();
      }
    });
  });

  it('keeps one record when the same upload is assembled again (a retried job), moving date_last_seen', async () => {
    const version = 'rerun-1';
    await h.createRelease(version);
    const uploaded = await uploadAndWait(version, await buildBundle({ release: version, files: uniqueFiles(2) }));
    expect(uploaded.status.state).toBe('ok');
    const [first] = await uploadsOf(uploaded.checksum);
    await expire(uploaded.checksum);
    const payload = { organizationId: h.organization.id, version, checksum: uploaded.checksum, chunks: uploaded.chunks };
    await enqueueAssembleJob(h.queue, ASSEMBLE_JOB.releaseBundle, payload, releaseBundleJobId(payload));
    expect(await h.waitForStatus(uploaded.checksum)).toEqual({ state: 'ok', detail: null });
    const rows = await uploadsOf(uploaded.checksum);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.date_added).toEqual(first!.date_added);
    expect(rows[0]!.date_last_seen.getTime()).toBeGreaterThan(first!.date_last_seen.getTime());
  });

  it('records an empty manifest (ok, nothing stored), so it stays ok after expiry', async () => {
    const version = 'empty-1';
    const release = await h.createRelease(version);
    // an entry outside the manifest keeps the checksum unique
    const bundle = await buildBundle({ release: version, files: [], extraEntries: [{ path: 'x', content: randomBytes(8) }] });
    const uploaded = await uploadAndWait(version, bundle);
    expect(uploaded.status).toEqual({ state: 'ok', detail: null });
    expect(await uploadsOf(uploaded.checksum)).toEqual([expect.objectContaining({ release_id: release.id, file_count: 0 })]);
    await expire(uploaded.checksum);
    await expect(h.request(version, uploaded.checksum, [])).resolves.toEqual(OK);
  });

  it.each([
    ['a bad bundle', async () => Buffer.concat([Buffer.from('not a zip '), randomBytes(64)])],
    ['a bundle for another release', async () => buildBundle({ release: 'somewhere-else', files: uniqueFiles(2) })],
  ])('leaves no record after %s, so after expiry it is not_found again', async (_case, makeBundle) => {
    const version = `failed-${randomBytes(3).toString('hex')}`;
    await h.createRelease(version);
    const uploaded = await uploadAndWait(version, await makeBundle());
    expect(uploaded.status.state).toBe('error');
    expect(await uploadsOf(uploaded.checksum)).toEqual([]);
    await expire(uploaded.checksum);
    await expect(h.request(version, uploaded.checksum, [])).resolves.toEqual(NOT_FOUND);
  });

  it('does not answer ok for another release uploading the same bytes', async () => {
    const version = 'same-bytes-a';
    await h.createRelease(version);
    await h.createRelease('same-bytes-b');
    const uploaded = await uploadAndWait(version, await buildBundle({ release: version, files: uniqueFiles(2) }));
    expect(uploaded.status.state).toBe('ok');
    await expire(uploaded.checksum);
    await expect(h.request('same-bytes-b', uploaded.checksum, [])).resolves.toEqual(NOT_FOUND);
    // With the chunks it is a new upload for release b: assembled, and refused because the manifest names release a.
    await expect(h.request('same-bytes-b', uploaded.checksum, uploaded.chunks)).resolves.toMatchObject({ state: 'created' });
    expect(await h.waitForStatus(uploaded.checksum)).toEqual({ state: 'error', detail: 'release does not match uploaded bundle' });
    expect(await uploadsOf(uploaded.checksum)).toHaveLength(1);
    // Release a's record is untouched; its answer after expiry is still ok.
    await expire(uploaded.checksum);
    await expect(h.request(version, uploaded.checksum, [])).resolves.toEqual(OK);
  });

  it('does not answer ok for an unknown release version', async () => {
    const version = 'known-1';
    await h.createRelease(version);
    const uploaded = await uploadAndWait(version, await buildBundle({ release: version, files: uniqueFiles(1) }));
    await expire(uploaded.checksum);
    await expect(h.request('never-created', uploaded.checksum, [])).resolves.toEqual(NOT_FOUND);
  });
});

describe('POST releases/{version}/assemble/ after the Redis status expired', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await ApiHarness.create();
  });
  afterAll(async () => {
    await api.close();
  });

  const url = (version: string, rest = 'assemble/') => `/api/0/organizations/acme/releases/${encodeURIComponent(version)}/${rest}`;
  const expire = (checksum: string) =>
    api.assembly.statusStore.delete({ scope: api.organization.id, checksum, task: ASSEMBLE_TASK.releaseBundle });

  function assemble(version: string, body: { checksum: string; chunks: string[] }) {
    return api.inject({ method: 'POST', url: url(version), payload: body });
  }

  async function pollUntilDone(version: string, body: { checksum: string; chunks: string[] }) {
    for (let polls = 0; polls < 400; polls += 1) {
      const answer = (await assemble(version, body)).json() as AssembleResponse;
      if (answer.state === 'ok' || answer.state === 'error') return answer;
      await sleep(50);
    }
    throw new Error('assembly did not finish');
  }

  it.each([
    ['single files', 4],
    ['an archive', 11],
  ])('answers ok for a bundle stored as %s, without enqueueing, until the release is deleted', async (_mode, count) => {
    const version = `http-${count}`;
    await api.assembly.createRelease(version);
    const uploaded = await api.assembly.upload(await buildBundle({ release: version, files: uniqueFiles(count) }));
    const body = { checksum: uploaded.checksum, chunks: uploaded.chunks };
    expect(await pollUntilDone(version, body)).toEqual(OK);

    await expire(uploaded.checksum);
    const jobs = await jobSnapshot(api.assembly.queue);
    const poll = await assemble(version, { checksum: uploaded.checksum, chunks: [] });
    expect([poll.statusCode, poll.json()]).toEqual([200, OK]);
    const repeat = await assemble(version, body);
    expect([repeat.statusCode, repeat.json()]).toEqual([200, OK]);
    expect(await jobSnapshot(api.assembly.queue)).toEqual(jobs);

    // Deleting the release cascades to its upload records: a release created again under the version starts empty.
    expect((await api.inject({ method: 'DELETE', url: url(version, '') })).statusCode).toBe(204);
    expect(await api.db.selectFrom('release_bundle_upload').select('id').where('checksum', '=', uploaded.checksum).execute()).toEqual([]);
    expect((await assemble(version, { checksum: uploaded.checksum, chunks: [] })).statusCode).toBe(404);
    await api.assembly.createRelease(version);
    expect((await assemble(version, { checksum: uploaded.checksum, chunks: [] })).json()).toEqual(NOT_FOUND);
  });

  /** The release's files by name, as the release-files API lists them. */
  async function listedFiles(version: string): Promise<Array<{ id: string; name: string }>> {
    const listed = await api.inject({ method: 'GET', url: url(version, 'files/') });
    expect(listed.statusCode).toBe(200);
    return (listed.json() as Array<{ id: string; name: string }>).sort((a, b) => a.name.localeCompare(b.name));
  }

  it.each([
    ['one single file', 3, 'one'],
    ['one index entry', 11, 'one'],
    ['every file', 3, 'all'],
  ])('assembles an identical upload again once %s of it was deleted (%i files)', async (_what, count, scope) => {
    const version = `deleted-${scope}-${count}`;
    // created in project web: the delete-all route is project-scoped
    const created = await api.inject({ method: 'POST', url: '/api/0/organizations/acme/releases/', payload: { version, projects: ['web'] } });
    expect(created.statusCode).toBe(201);
    const uploaded = await api.assembly.upload(await buildBundle({ release: version, files: uniqueFiles(count) }));
    const body = { checksum: uploaded.checksum, chunks: uploaded.chunks };
    expect(await pollUntilDone(version, body)).toEqual(OK);
    const before = await listedFiles(version);
    expect(before).toHaveLength(count);

    const deleted =
      scope === 'one'
        ? await api.inject({ method: 'DELETE', url: url(version, `files/${before[0]!.id}/`) })
        : await api.inject({ method: 'DELETE', url: `/api/0/projects/acme/web/files/source-maps/?name=${encodeURIComponent(version)}` });
    expect(deleted.statusCode).toBe(204);
    expect(await api.db.selectFrom('release_bundle_upload').select('id').where('checksum', '=', uploaded.checksum).execute()).toEqual([]);

    await expire(uploaded.checksum);
    expect((await assemble(version, { checksum: uploaded.checksum, chunks: [] })).json()).toEqual(NOT_FOUND);
    expect((await assemble(version, body)).json()).toEqual({ state: 'created', detail: null, missingChunks: [] });
    expect(await pollUntilDone(version, body)).toEqual(OK);
    expect((await listedFiles(version)).map((f) => f.name)).toEqual(before.map((f) => f.name));
  });
});
