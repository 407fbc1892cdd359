import { sql } from 'kysely';
import { ArtifactBundleHarness } from './harness.js';
import { buildArtifactBundle, debugIdFiles } from './sysbBundles.js';

/** Rows that a unique key should have kept single: any result here is a duplicate. */
async function duplicates(t: ArtifactBundleHarness): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT (SELECT count(*) FROM (SELECT 1 FROM artifact_bundle GROUP BY organization_id, checksum HAVING count(*) > 1) a)
         + (SELECT count(*) FROM (SELECT 1 FROM release_artifact_bundle GROUP BY artifact_bundle_id, release_name, dist_name HAVING count(*) > 1) r)
         + (SELECT count(*) FROM (SELECT 1 FROM project_artifact_bundle GROUP BY artifact_bundle_id, project_id HAVING count(*) > 1) p)
         + (SELECT count(*) FROM (SELECT 1 FROM debug_id_artifact_bundle GROUP BY artifact_bundle_id, debug_id, source_file_type HAVING count(*) > 1) d)
         AS n`.execute(t.db);
  return Number(rows[0]?.n ?? 0);
}

/** File rows no bundle references: what a race or a replaced upload must never leave behind. */
async function orphanedFiles(t: ArtifactBundleHarness): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM file f WHERE NOT EXISTS (SELECT 1 FROM artifact_bundle b WHERE b.file_id = f.id)`.execute(t.db);
  return Number(rows[0]?.n ?? 0);
}

describe('artifact bundles under concurrency', () => {
  let t: ArtifactBundleHarness;

  beforeAll(async () => {
    // two worker instances (each with concurrency 2), as two processes would run
    t = await ArtifactBundleHarness.create({ concurrency: 2 });
    t.h.startWorker(2);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.reset();
  });

  it('loses no link and writes no duplicate when many uploads of several bundles race through two workers', async () => {
    const bundles = await Promise.all([0, 1, 2, 3].map((i) => buildArtifactBundle({ files: debugIdFiles(3, `race${i}`, i), release: '9.0' })));
    const dists = ['android', 'ios', 'web'];
    const projects = [t.projects.web, t.projects.api];
    // every bundle, for every dist, from both projects: 24 requests, many for the same checksum at once
    const results = await Promise.all(
      bundles.flatMap((bundle) => dists.flatMap((dist) => projects.map((project) => t.assemble(bundle, { version: '9.0', dist, projects: [project] })))),
    );
    expect(results.every((r) => r.state === 'ok')).toBe(true);
    // Postgres is the truth: after the jobs, polls of every request would see their links
    expect(await t.counts()).toMatchObject({
      artifact_bundle: 4,
      release_artifact_bundle: 4 * dists.length,
      project_artifact_bundle: 4 * projects.length,
      debug_id_artifact_bundle: 4 * 3 * 2,
      artifact_bundle_index: 4 * 3 * 2,
      artifact_bundle_pending_link: 0,
      file: 4,
    });
    expect(await duplicates(t)).toBe(0);
    expect(await orphanedFiles(t)).toBe(0);
  });

  it('serialises jobs of the same bytes that run at once (a retry next to a stalled copy): one bundle, every link', async () => {
    const bundle = await buildArtifactBundle({ files: debugIdFiles(2, 'samebytes'), release: '5.0' });
    const dists = ['a', 'b', 'c', 'd', 'e', 'f'];
    const outcomes = await Promise.all(dists.map((dist) => t.runJob(bundle, { version: '5.0', dist })));
    expect(outcomes.filter((o) => o.mode === 'artifact-bundle' && o.created)).toHaveLength(1);
    expect((await t.releaseLinks()).map((l) => l.dist_name)).toEqual(dists);
    expect(await t.counts()).toMatchObject({ artifact_bundle: 1, file: 1, project_artifact_bundle: 1, debug_id_artifact_bundle: 4 });
    expect(await duplicates(t)).toBe(0);
  });
});
