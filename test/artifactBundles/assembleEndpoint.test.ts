import { setTimeout as sleep } from 'node:timers/promises';
import { ASSEMBLE_TASK } from '../../src/domain/assembleStatus.js';
import { artifactBundleJobId } from '../../src/jobs/assembleJobs.js';
import { createProject } from '../../src/orgs/createProject.js';
import { ApiHarness } from '../http/apiHarness.js';
import { sha1 } from '../support/bundles.js';
import { FIXTURE, buildArtifactBundle, debugIdFiles, fixture } from './sysbBundles.js';

const PATH = '/api/0/organizations/acme/artifactbundle/assemble/';
const HEX = 'a'.repeat(40);

async function waitForState(h: ApiHarness, body: Record<string, unknown>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await h.inject({ method: 'POST', url: PATH, payload: body });
    const json = res.json() as { state: string; detail: string | null; missingChunks: string[] };
    if (json.state === 'ok' || json.state === 'error') return json;
    if (Date.now() > deadline) throw new Error(`still ${json.state}`);
    await sleep(50);
  }
}

describe('POST artifactbundle/assemble/', () => {
  let h: ApiHarness;
  let apiProjectId: string;

  beforeAll(async () => {
    h = await ApiHarness.create();
    apiProjectId = (await createProject(h.assembly.orgDeps(), { organizationSlug: 'acme', name: 'Api', slug: 'api' })).id;
  });
  afterAll(async () => {
    await h.close();
  });

  const post = (payload: unknown) =>
    h.inject({ method: 'POST', url: PATH, payload: payload as string, headers: { 'content-type': 'application/json' } });

  it.each([
    ['not json', '{"checksum":', 'Invalid json body'],
    ['empty', '', 'Invalid json body'],
    ['unknown key', { lol: 'test' }, "Additional properties are not allowed ('lol' was unexpected)"],
    ['bad version', { version: 'a/b', projects: ['web'], checksum: HEX, chunks: [] }, 'The version field cannot be empty and cannot contain any "/" characters.'],
    ['empty version', { version: '', projects: ['web'], checksum: HEX, chunks: [] }, 'The version field cannot be empty and cannot contain any "/" characters.'],
    ['dist not a string', { dist: 5, projects: ['web'], checksum: HEX, chunks: [] }, 'The dist field must be a string.'],
    ['no projects', { checksum: HEX, chunks: [] }, 'The projects field is required and must be provided as an array of strings.'],
    ['bad checksum', { projects: ['web'], checksum: 'invalid', chunks: [] }, 'The checksum field is required and must be a 40-character hexadecimal string.'],
    ['bad chunks', { projects: ['web'], checksum: HEX, chunks: ['x'] }, 'The chunks field is required and must be provided as an array of 40-character hexadecimal strings.'],
    ['empty projects', { projects: [], checksum: HEX, chunks: [] }, 'You need to specify at least one project'],
    ['unknown project', { projects: ['web', 'nope'], checksum: HEX, chunks: [] }, 'One or more projects are invalid'],
  ])('answers 400 with Sentry’s message: %s', async (_name, payload, error) => {
    const res = await post(typeof payload === 'string' ? payload : JSON.stringify(payload));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error });
  });

  it('refuses a dist without a version before writing any status or enqueueing', async () => {
    const bundle = await buildArtifactBundle({ files: debugIdFiles(1, 'distcheck') });
    const { checksum, chunks } = await h.assembly.upload(bundle);
    const res = await post(JSON.stringify({ projects: ['web'], dist: 'web-1', checksum, chunks }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'You need to specify a release together with a dist' });
    expect(await h.assembly.statusStore.get({ scope: h.organization.id, checksum, task: ASSEMBLE_TASK.artifactBundle })).toBeNull();
    expect(await h.assembly.queue.getJob(artifactBundleJobId({ organizationId: h.organization.id, checksum }))).toBeUndefined();
  });

  it('reports missing chunks first, then assembles a real sentry-cli bundle once they are uploaded (scenario 26)', async () => {
    const bundle = await fixture(FIXTURE.plain);
    const body = { checksum: FIXTURE.plain, chunks: [FIXTURE.plain], projects: ['web'], version: '1.0.0' };
    const first = await post(JSON.stringify(body));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ state: 'not_found', detail: null, missingChunks: [FIXTURE.plain] });
    const uploaded = await h.assembly.upload(bundle);
    expect(uploaded).toMatchObject({ checksum: FIXTURE.plain, chunks: [FIXTURE.plain] });
    expect((await post(JSON.stringify(body))).json()).toEqual({ state: 'created', detail: null, missingChunks: [] });
    expect(await waitForState(h, body)).toEqual({ state: 'ok', detail: null, missingChunks: [] });
    const rows = await h.db.selectFrom('release_artifact_bundle').selectAll().execute();
    expect(rows.map((r) => [r.release_name, r.dist_name])).toEqual([['1.0.0', '']]);
  });

  it('resolves projects by slug or id and links every one of them', async () => {
    const bundle = await buildArtifactBundle({ files: debugIdFiles(1, 'multi') });
    const { checksum, chunks } = await h.assembly.upload(bundle);
    const body = { checksum, chunks, projects: ['web', apiProjectId] };
    expect((await post(JSON.stringify(body))).json()).toMatchObject({ state: 'created' });
    await waitForState(h, body);
    const links = await h.db
      .selectFrom('project_artifact_bundle as p')
      .innerJoin('artifact_bundle as b', 'b.id', 'p.artifact_bundle_id')
      .select('p.project_id')
      .where('b.checksum', '=', checksum)
      .orderBy('p.project_id')
      .execute();
    expect(links.map((l) => l.project_id).sort()).toEqual([h.project.id, apiProjectId].sort());
  });

  it('reports a refused bundle as error with Sentry’s detail', async () => {
    const bundle = await buildArtifactBundle({ files: [{ path: 'files/_/_/x.js', content: 'x()' }] });
    const { checksum, chunks } = await h.assembly.upload(bundle);
    expect(await waitForState(h, { checksum, chunks, projects: ['web'] })).toEqual({
      state: 'error',
      detail: 'uploading a bundle without debug ids or release is prohibited',
      missingChunks: [],
    });
    expect(await h.db.selectFrom('artifact_bundle').select('id').where('checksum', '=', checksum).execute()).toEqual([]);
  });

  it('answers ok from Postgres once the Redis status is gone, and still applies the new links (status never lies)', async () => {
    const bundle = await fixture(FIXTURE.injected);
    const { checksum, chunks } = await h.assembly.upload(bundle);
    const body = { checksum, chunks, projects: ['web'], version: '1.0.0', dist: 'a' };
    expect(await waitForState(h, body)).toMatchObject({ state: 'ok' });
    const ref = { scope: h.organization.id, checksum, task: ASSEMBLE_TASK.artifactBundle };
    await h.assembly.statusStore.delete(ref);
    const again = await post(JSON.stringify({ ...body, dist: 'b', projects: ['api'] }));
    expect(again.json()).toEqual({ state: 'ok', detail: null, missingChunks: [] });
    // answered from Postgres: no job, no status, and the links of this request are already there
    expect(await h.assembly.statusStore.get(ref)).toBeNull();
    const links = await h.db
      .selectFrom('release_artifact_bundle as r')
      .innerJoin('artifact_bundle as b', 'b.id', 'r.artifact_bundle_id')
      .select('r.dist_name')
      .where('b.checksum', '=', checksum)
      .orderBy('r.dist_name')
      .execute();
    expect(links.map((l) => l.dist_name)).toEqual(['a', 'b']);
    const projects = await h.db
      .selectFrom('project_artifact_bundle as p')
      .innerJoin('artifact_bundle as b', 'b.id', 'p.artifact_bundle_id')
      .select('p.project_id')
      .where('b.checksum', '=', checksum)
      .execute();
    expect(projects.map((p) => p.project_id).sort()).toEqual([h.project.id, apiProjectId].sort());
    // a poll with no chunks is answered from Postgres too
    expect((await post(JSON.stringify({ ...body, chunks: [] }))).json()).toMatchObject({ state: 'ok' });
  });

  it('adds the links of a request that comes while the Redis status is ok (another dist of the same bytes)', async () => {
    const bundle = await buildArtifactBundle({ files: debugIdFiles(1, 'okpoll') });
    const { checksum, chunks } = await h.assembly.upload(bundle);
    await waitForState(h, { checksum, chunks, projects: ['web'], version: '7.0', dist: 'one' });
    expect((await post(JSON.stringify({ checksum, chunks, projects: ['web'], version: '7.0', dist: 'two' }))).json()).toMatchObject({ state: 'ok' });
    const dists = await h.db.selectFrom('release_artifact_bundle').select('dist_name').where('release_name', '=', '7.0').orderBy('dist_name').execute();
    expect(dists.map((d) => d.dist_name)).toEqual(['one', 'two']);
  });

  it('answers not_found for a poll of something never uploaded', async () => {
    expect((await post(JSON.stringify({ checksum: sha1('never'), chunks: [], projects: ['web'] }))).json()).toEqual({
      state: 'not_found',
      detail: null,
      missingChunks: [],
    });
  });
});

describe('POST artifactbundle/assemble/ while jobs are queued', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await ApiHarness.create({ worker: false });
  });
  afterAll(async () => {
    await h.close();
  });

  const post = (body: Record<string, unknown>) => h.inject({ method: 'POST', url: PATH, payload: body });

  it('enqueues one job for many concurrent requests, and keeps the links of every one of them', async () => {
    const bundle = await buildArtifactBundle({ files: debugIdFiles(2, 'queued'), release: '3.0' });
    const { checksum, chunks } = await h.assembly.upload(bundle);
    const dists = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5'];
    const answers = await Promise.all(dists.map((dist) => post({ checksum, chunks, projects: ['web'], version: '3.0', dist })));
    expect(answers.map((a) => a.json().state)).toEqual(dists.map(() => 'created'));
    const counts = await h.assembly.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(1);
    expect(await h.assembly.queue.getJob(artifactBundleJobId({ organizationId: h.organization.id, checksum }))).toBeDefined();
    h.assembly.startWorker();
    expect(await waitForState(h, { checksum, chunks, projects: ['web'], version: '3.0', dist: 'd0' })).toMatchObject({ state: 'ok' });
    const links = await h.db.selectFrom('release_artifact_bundle').select('dist_name').orderBy('dist_name').execute();
    expect(links.map((l) => l.dist_name)).toEqual(dists);
    expect(await h.db.selectFrom('artifact_bundle_pending_link').select('id').execute()).toEqual([]);
    expect(await h.db.selectFrom('artifact_bundle').select('id').execute()).toHaveLength(1);
  });
});
