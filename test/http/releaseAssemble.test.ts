import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApiToken } from '../../src/auth/apiTokens.js';
import { ASSEMBLE_TASK } from '../../src/domain/assembleStatus.js';
import { MISSING_CHUNKS_DETAIL } from '../../src/jobs/assembleProducer.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { buildBundle, generatedFiles, sha1 } from '../support/bundles.js';
import { ApiHarness } from './apiHarness.js';

interface AssembleAnswer {
  state: string;
  missingChunks: string[];
  detail?: string | null;
}

const hex = (c: string) => c.repeat(40);

describe('POST releases/{version}/assemble/', () => {
  let harness: ApiHarness;
  /** no worker: what the endpoint writes and enqueues stays observable */
  let idle: ApiHarness;

  beforeAll(async () => {
    harness = await ApiHarness.create();
    idle = await ApiHarness.create({ worker: false });
    await harness.assembly.createRelease('1.0.0');
    await idle.assembly.createRelease('1.0.0');
  });

  afterAll(async () => {
    await harness?.close();
    await idle?.close();
  });

  const assembleUrl = (version: string, org = 'acme') => `/api/0/organizations/${org}/releases/${encodeURIComponent(version)}/assemble/`;

  function assemble(h: ApiHarness, version: string, payload: unknown, headers: Record<string, string> = {}) {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return h.inject({ method: 'POST', url: assembleUrl(version), payload: body, headers: { 'content-type': 'application/json', ...headers } });
  }

  async function pollUntilDone(h: ApiHarness, version: string, body: unknown): Promise<AssembleAnswer> {
    for (let polls = 0; polls < 400; polls += 1) {
      const answer = (await assemble(h, version, body)).json() as AssembleAnswer;
      if (answer.state === 'ok' || answer.state === 'error') return answer;
      await sleep(50);
    }
    throw new Error('assembly did not finish');
  }

  async function jobCount(h: ApiHarness): Promise<number> {
    const counts = await h.assembly.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  describe('refusals', () => {
    it('answers 404 with a detail for a release that does not exist', async () => {
      const response = await assemble(harness, '9.9.9', { checksum: hex('a'), chunks: [] });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ detail: expect.any(String) });
    });

    it('answers 404 before looking at the body', async () => {
      const response = await assemble(harness, '9.9.9', '{not json');
      expect(response.statusCode).toBe(404);
    });

    it('answers 404 to another organisation’s token, for a release that exists', async () => {
      const other = await createOrganization(harness.assembly.orgDeps(), { name: 'Other', slug: 'other-org' });
      const { token } = await createApiToken(harness.db, { organizationSlug: other.slug });
      const response = await assemble(harness, '1.0.0', { checksum: hex('a'), chunks: [] }, { authorization: `Bearer ${token}` });
      expect(response.statusCode).toBe(404);
    });

    it.each([
      ['an unknown key only', { lol: 'test' }, /^checksum: is required$/],
      ['a bad checksum', { checksum: 'invalid', chunks: [] }, /^checksum: must be a 40-character lower-case hex SHA-1$/],
      ['no chunks', { checksum: hex('a') }, /^chunks: is required$/],
      ['a bad chunk', { checksum: hex('a'), chunks: [hex('b'), 'x'] }, /^chunks\[1\]: /],
      ['an extra key', { checksum: hex('a'), chunks: [], projects: ['web'] }, /projects/],
      ['an array body', [], /JSON object/],
    ])('answers 400 {error} for %s', async (_name, body, message) => {
      const response = await assemble(idle, '1.0.0', body);
      expect(response.statusCode).toBe(400);
      const answer = response.json() as { error: string };
      expect(Object.keys(answer)).toEqual(['error']);
      expect(answer.error).toMatch(message);
    });

    it.each([
      ['broken JSON', '{"checksum": '],
      ['an empty body', ''],
      ['plain text', 'checksum=abc'],
    ])('answers "Invalid json body" for %s', async (_name, payload) => {
      const response = await assemble(idle, '1.0.0', payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Invalid json body' });
    });

    it('answers "Invalid json body" to a request without a body or content type', async () => {
      const response = await idle.inject({ method: 'POST', url: assembleUrl('1.0.0') });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Invalid json body' });
    });

    it('parses the body as JSON whatever its content type, as Sentry does', async () => {
      const response = await assemble(idle, '1.0.0', { checksum: hex('c'), chunks: [] }, { 'content-type': 'text/plain' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ state: 'not_found', missingChunks: [], detail: null });
    });

    it('writes no status and enqueues nothing for a refused request', async () => {
      const before = await jobCount(idle);
      await assemble(idle, '1.0.0', { checksum: hex('d'), chunks: ['nope'] });
      expect(await jobCount(idle)).toBe(before);
      expect(await idle.assembly.statusStore.get({ scope: idle.organization.id, checksum: hex('d'), task: ASSEMBLE_TASK.releaseBundle })).toBeNull();
    });
  });

  describe('answers', () => {
    it('treats an empty chunk list without a status as a poll: not_found', async () => {
      const response = await assemble(idle, '1.0.0', { checksum: hex('e'), chunks: [] });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ state: 'not_found', missingChunks: [], detail: null });
    });

    it('reports the chunks the organisation does not own, once each in request order, and starts nothing', async () => {
      const present = await idle.assembly.upload(randomBytes(300));
      const missingA = sha1(randomBytes(10));
      const missingB = sha1(randomBytes(10));
      const chunks = [missingB, ...present.chunks, missingA, missingB];
      const before = await jobCount(idle);
      const response = await assemble(idle, '1.0.0', { checksum: present.checksum, chunks });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ state: 'error', missingChunks: [missingB, missingA], detail: MISSING_CHUNKS_DETAIL });
      expect(await jobCount(idle)).toBe(before);
      // nothing was stored: the same checksum polled with no chunks is still unknown
      expect((await assemble(idle, '1.0.0', { checksum: present.checksum, chunks: [] })).json()).toMatchObject({ state: 'not_found' });
    });

    it('counts chunks another organisation owns as missing', async () => {
      const other = await createOrganization(idle.assembly.orgDeps(), { name: 'Else', slug: 'else' });
      const foreign = await idle.assembly.upload(randomBytes(400), { organizationId: other.id });
      const response = await assemble(idle, '1.0.0', { checksum: foreign.checksum, chunks: foreign.chunks });
      expect(response.json()).toEqual({ state: 'error', missingChunks: foreign.chunks, detail: MISSING_CHUNKS_DETAIL });
    });

    it('enqueues once and answers created, however many requests race', async () => {
      const uploaded = await idle.assembly.upload(randomBytes(500));
      const before = await jobCount(idle);
      const body = { checksum: uploaded.checksum, chunks: uploaded.chunks };
      const answers = await Promise.all(Array.from({ length: 8 }, () => assemble(idle, '1.0.0', body)));
      for (const answer of answers) expect(answer.json()).toEqual({ state: 'created', missingChunks: [], detail: null });
      expect(await jobCount(idle)).toBe(before + 1);
    });

    it('answers a stored status as it is, with missingChunks always present', async () => {
      const checksum = sha1(randomBytes(16));
      const ref = { scope: idle.organization.id, checksum, task: ASSEMBLE_TASK.releaseBundle };
      await idle.assembly.statusStore.set(ref, 'assembling');
      expect((await assemble(idle, '1.0.0', { checksum, chunks: [] })).json()).toEqual({ state: 'assembling', missingChunks: [], detail: null });
      await idle.assembly.statusStore.set(ref, 'error', 'Invalid manifest');
      // a stored status wins even over chunks that are not there
      const answer = (await assemble(idle, '1.0.0', { checksum, chunks: [sha1('absent')] })).json();
      expect(answer).toEqual({ state: 'error', missingChunks: [], detail: 'Invalid manifest' });
    });

    it('assembles uploaded chunks into the release and keeps answering ok when polled', async () => {
      const release = await harness.assembly.createRelease('web@2.1.0+42');
      const files = generatedFiles(4, 'poll', 300);
      const bundle = await buildBundle({ release: 'web@2.1.0+42', files });
      const uploaded = await harness.assembly.upload(bundle, { chunkSize: 256 });
      expect(uploaded.chunks.length).toBeGreaterThan(1);
      const body = { checksum: uploaded.checksum, chunks: uploaded.chunks };

      expect((await assemble(harness, 'web@2.1.0+42', body)).json()).toMatchObject({ state: 'created', missingChunks: [] });
      expect(await pollUntilDone(harness, 'web@2.1.0+42', body)).toEqual({ state: 'ok', missingChunks: [], detail: null });
      expect((await assemble(harness, 'web@2.1.0+42', { checksum: uploaded.checksum, chunks: [] })).json()).toEqual({
        state: 'ok',
        missingChunks: [],
        detail: null,
      });
      const names = (await harness.assembly.artifacts(release.id)).map((a) => a.name);
      expect(names).toEqual(files.map((f) => f.url!).sort());
    });

    it('reports an assembly failure with its detail', async () => {
      await harness.assembly.createRelease('3.0.0');
      const bundle = await buildBundle({ release: 'another-release', files: generatedFiles(1, 'bad') });
      const uploaded = await harness.assembly.upload(bundle);
      const answer = await pollUntilDone(harness, '3.0.0', { checksum: uploaded.checksum, chunks: uploaded.chunks });
      expect(answer.state).toBe('error');
      expect(answer.missingChunks).toEqual([]);
      expect(answer.detail).toEqual(expect.any(String));
      expect(answer.detail).not.toBe('');
    });
  });
});
