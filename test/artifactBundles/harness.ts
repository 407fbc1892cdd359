import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { ASSEMBLE_TASK } from '../../src/domain/assembleStatus.js';
import type { ArtifactBundlePayload } from '../../src/jobs/assembleJobs.js';
import { requestArtifactBundleAssembly, type ArtifactBundleAssemblyRequest } from '../../src/jobs/artifactBundleProducer.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createProject } from '../../src/orgs/createProject.js';
import { assembleArtifactBundle } from '../../src/workers/assemble/assembleArtifactBundle.js';
import { AssembleHarness, type HarnessOptions } from '../support/assembleHarness.js';

export type BundleTable =
  | 'artifact_bundle'
  | 'release_artifact_bundle'
  | 'project_artifact_bundle'
  | 'debug_id_artifact_bundle'
  | 'artifact_bundle_index'
  | 'artifact_bundle_pending_link'
  | 'file';

export interface Links {
  version?: string | null;
  dist?: string | null;
  projects?: string[];
}

/** The assemble harness plus projects `web` and `api` and artifact-bundle helpers (producer, job, row counts). */
export class ArtifactBundleHarness {
  private constructor(
    readonly h: AssembleHarness,
    readonly projects: { web: string; api: string },
  ) {}

  static async create(options: HarnessOptions = {}): Promise<ArtifactBundleHarness> {
    const h = await AssembleHarness.create(options);
    const web = await createProject(h.orgDeps(), { organizationSlug: h.organization.slug, name: 'Web', slug: 'web' });
    const api = await createProject(h.orgDeps(), { organizationSlug: h.organization.slug, name: 'Api', slug: 'api' });
    return new ArtifactBundleHarness(h, { web: web.id, api: api.id });
  }

  get db() {
    return this.h.db;
  }

  ref(checksum: string) {
    return { scope: this.h.organization.id, checksum, task: ASSEMBLE_TASK.artifactBundle };
  }

  request(checksum: string, chunks: string[], links: Links = {}) {
    const req: ArtifactBundleAssemblyRequest = {
      organizationId: this.h.organization.id,
      projectIds: links.projects ?? [this.projects.web],
      version: links.version ?? null,
      dist: links.dist ?? null,
      checksum,
      chunks,
    };
    return requestArtifactBundleAssembly({ db: this.db, queue: this.h.queue, statusStore: this.h.statusStore }, req);
  }

  /** Uploads, asks for assembly through the producer and waits for `ok` or `error`. */
  async assemble(bundle: Buffer, links: Links = {}, options: { chunkSize?: number } = {}) {
    const uploaded = await this.h.upload(bundle, options);
    const first = await this.request(uploaded.checksum, uploaded.chunks, links);
    if (first.state === 'error' || first.state === 'ok') return { ...first, checksum: uploaded.checksum };
    return { ...(await this.waitForStatus(uploaded.checksum)), checksum: uploaded.checksum };
  }

  /** Runs the job's use case directly (what the worker does after validating the payload). */
  async runJob(bundle: Buffer, links: Links = {}, options: { chunkSize?: number } = {}) {
    const uploaded = await this.h.upload(bundle, options);
    const payload: ArtifactBundlePayload = {
      organizationId: this.h.organization.id,
      projectIds: links.projects ?? [this.projects.web],
      version: links.version ?? null,
      dist: links.dist ?? null,
      checksum: uploaded.checksum,
      chunks: uploaded.chunks,
    };
    return assembleArtifactBundle({ db: this.db, blobs: this.h.blobs, settings: this.h.settings, logger: silentLogger }, payload);
  }

  /** `pollMs`: how often the status is read (the bench reads it often, so that its clock stops near the `ok`). */
  async waitForStatus(checksum: string, timeoutMs = 30_000, pollMs = 50) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.h.statusStore.get(this.ref(checksum));
      if (status && (status.state === 'ok' || status.state === 'error')) return status;
      if (Date.now() > deadline) throw new Error(`assembly of ${checksum} still ${status?.state ?? 'absent'} after ${timeoutMs} ms`);
      await sleep(pollMs);
    }
  }

  async count(table: BundleTable): Promise<number> {
    const row = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(this.db);
    return Number(row.rows[0]?.n ?? 0);
  }

  async counts(): Promise<Record<BundleTable, number>> {
    const tables: BundleTable[] = [
      'artifact_bundle',
      'release_artifact_bundle',
      'project_artifact_bundle',
      'debug_id_artifact_bundle',
      'artifact_bundle_index',
      'artifact_bundle_pending_link',
      'file',
    ];
    const entries = await Promise.all(tables.map(async (t) => [t, await this.count(t)] as const));
    return Object.fromEntries(entries) as Record<BundleTable, number>;
  }

  async releaseLinks(checksum?: string) {
    let q = this.db
      .selectFrom('release_artifact_bundle as r')
      .innerJoin('artifact_bundle as b', 'b.id', 'r.artifact_bundle_id')
      .select(['r.release_name', 'r.dist_name', 'r.date_added', 'b.checksum'])
      .orderBy('r.release_name')
      .orderBy('r.dist_name');
    if (checksum) q = q.where('b.checksum', '=', checksum);
    return q.execute();
  }

  async bundles() {
    return this.db.selectFrom('artifact_bundle').selectAll().orderBy('id').execute();
  }

  /** Removes every artifact-bundle row and file (between tests; the org and projects stay). */
  async reset(): Promise<void> {
    await sql`TRUNCATE artifact_bundle, artifact_bundle_pending_link, release_artifact_bundle, project_artifact_bundle,
      debug_id_artifact_bundle, artifact_bundle_index CASCADE`.execute(this.db);
    await sql`DELETE FROM file`.execute(this.db);
    const keys = await this.h.redis.keys(`${this.h.prefix}:assemble-status:*`);
    if (keys.length > 0) await this.h.redis.del(...keys);
  }

  close() {
    return this.h.close();
  }
}
