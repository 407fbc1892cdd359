import type { DeployView } from '../../domain/releases/serializeDeploy.js';
import { isBigintId } from './bigintId.js';
import type { DbOrTx, Tx } from './connect.js';

export interface NewDeploy {
  organizationId: string;
  releaseId: string;
  environmentId: string;
  name: string | null;
  url: string | null;
  dateStarted: Date | null;
  /** now when not given */
  dateFinished: Date | null;
}

/** The environment of this name, created if missing; race-safe through the (organization_id, name) constraint. */
export async function getOrCreateEnvironment(db: DbOrTx, organizationId: string, name: string): Promise<string> {
  const inserted = await db
    .insertInto('environment')
    .values({ organization_id: organizationId, name })
    .onConflict((oc) => oc.constraint('environment_org_name_unique').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  const found = await db
    .selectFrom('environment')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return found.id;
}

export async function insertDeploy(tx: Tx, deploy: NewDeploy): Promise<string> {
  const row = await tx
    .insertInto('deploy')
    .values({
      organization_id: deploy.organizationId,
      release_id: deploy.releaseId,
      environment_id: deploy.environmentId,
      name: deploy.name,
      url: deploy.url,
      date_started: deploy.dateStarted,
      ...(deploy.dateFinished ? { date_finished: deploy.dateFinished } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function countReleaseDeploys(db: DbOrTx, releaseId: string): Promise<number> {
  const row = await db
    .selectFrom('deploy')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('release_id', '=', releaseId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function deploysWithEnvironment(db: DbOrTx) {
  return db
    .selectFrom('deploy as d')
    .innerJoin('environment as e', 'e.id', 'd.environment_id')
    .select(['d.id', 'd.release_id', 'e.name as environment', 'd.name', 'd.url', 'd.date_started', 'd.date_finished']);
}

type DeployRowWithEnvironment = {
  id: string;
  environment: string;
  name: string | null;
  url: string | null;
  date_started: Date | null;
  date_finished: Date;
};

function toDeployView(row: DeployRowWithEnvironment): DeployView {
  return {
    id: row.id,
    environment: row.environment,
    name: row.name,
    url: row.url,
    dateStarted: row.date_started,
    dateFinished: row.date_finished,
  };
}

/** A release's deploys, the most recently finished first (Sentry orders by `-date_finished`). */
export async function listReleaseDeploys(db: DbOrTx, releaseId: string, page: { offset: number; limit: number }): Promise<DeployView[]> {
  const rows = await deploysWithEnvironment(db)
    .where('d.release_id', '=', releaseId)
    .orderBy('d.date_finished', 'desc')
    .orderBy('d.id', 'desc')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  return rows.map(toDeployView);
}

/** Deploys by id; dangling ids are absent. */
export async function findDeploysByIds(db: DbOrTx, ids: readonly string[]): Promise<Map<string, DeployView>> {
  const valid = [...new Set(ids)].filter(isBigintId);
  if (valid.length === 0) return new Map();
  const rows = await deploysWithEnvironment(db).where('d.id', 'in', valid).execute();
  return new Map(rows.map((row) => [row.id, toDeployView(row)]));
}
