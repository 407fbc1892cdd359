import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { translateDbError } from '../../adapters/db/errors.js';
import { DASHBOARD_JOB, type ReconcileDashboardResult, reconcileDashboardPayloadSchema } from '../../jobs/dashboardJobs.js';
import { classifyFailure } from '../../jobs/failurePolicy.js';
import type { DashboardDeps } from './dashboardAccess.js';
import { reconcileDashboard } from './reconcileDashboard.js';

/**
 * The BullMQ boundary of the dashboard worker. The payload is checked before anything runs; the reconcile's
 * permanent failures (404, 403, invalid body, foreign ids, title clash) fail the job at once with the error body as
 * JSON for its failure reason (for an invalid body: the validation errors); transient ones are rethrown so BullMQ
 * retries them. The return value is the serialized dashboard.
 */
export async function processDashboardJob(deps: DashboardDeps, job: Job, log: Logger): Promise<ReconcileDashboardResult> {
  if (job.name !== DASHBOARD_JOB.reconcile) {
    throw new UnrecoverableError(`unsupported job "${job.name}" on the dashboard queue`);
  }
  const parsed = reconcileDashboardPayloadSchema.safeParse(job.data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(payload)'} ${i.message}`);
    throw new UnrecoverableError(`invalid reconcile payload: ${issues.join('; ')}`);
  }
  const { organizationId, dashboardId, actorUserId, body, requestId } = parsed.data;
  try {
    return await reconcileDashboard(deps, { organizationId, dashboardId, actor: { userId: actorUserId ?? null }, body, requestId });
  } catch (err) {
    const decision = classifyFailure(translateDbError(err));
    if (decision.kind === 'permanent') throw new UnrecoverableError(decision.error.message);
    if (decision.kind === 'unexpected') log.error({ err }, 'dashboard reconcile failed unexpectedly');
    throw decision.error instanceof Error ? decision.error : new Error(String(decision.error));
  }
}
