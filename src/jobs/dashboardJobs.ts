import type { Job, JobsOptions, Queue } from 'bullmq';
import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import { QUEUE_NAMES, defaultJobOptions } from './queues.js';

/** The `dashboard-widgets` queue's job names. */
export const DASHBOARD_JOB = {
  reconcile: 'reconcile',
} as const;
export type DashboardJobName = (typeof DASHBOARD_JOB)[keyof typeof DASHBOARD_JOB];

export const DASHBOARD_QUEUE = QUEUE_NAMES.dashboards;

const decimalId = z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be a decimal id string');

/**
 * The `reconcile` payload (DESIGN.md section 2): which dashboard, who acts, and the PUT body as the client sent it
 * (camelCase or snake_case keys). The body is validated by the worker with the same rules as the HTTP front, so a
 * producer that skips the front gets the same answers. Concurrent updates of one dashboard are serialised by its row
 * lock. `actorUserId` absent means an organisation-level actor (a trusted service, with org:write).
 * `requestId` (added for issue 17) names one PUT: the job id is built from it, and the worker applies a request id
 * once (a receipt in Postgres), so a job re-enqueued after Redis lost it, or run twice, changes the dashboard once.
 * Without it (older producers) the job gets BullMQ's counter id and is applied every time it runs.
 */
export const reconcileDashboardPayloadSchema = z.object({
  organizationId: decimalId,
  // a dashboard id, or the prebuilt "default-overview"; anything else is answered 404 by the worker
  dashboardId: z.string().min(1).max(64),
  actorUserId: decimalId.nullish(),
  body: z.unknown().refine((body): boolean => body !== undefined, 'is required'),
  requestId: z.uuid().optional(),
});
export type ReconcileDashboardPayload = z.infer<typeof reconcileDashboardPayloadSchema>;

/** The job's return value: the serialized dashboard (the PUT 200 body). */
export type ReconcileDashboardResult = Record<string, unknown>;

export interface DashboardJobPayloads {
  reconcile: ReconcileDashboardPayload;
}

export const DASHBOARD_PAYLOAD_SCHEMAS = {
  reconcile: reconcileDashboardPayloadSchema,
} as const satisfies { [K in DashboardJobName]: z.ZodType<DashboardJobPayloads[K]> };

/**
 * The job id of a PUT's reconcile. Not BullMQ's counter: after a failover that lost the counter's last increments,
 * the counter hands out ids again, and an id that names a finished job makes `add` return that job (a duplicate),
 * so a PUT would be answered with another PUT's result and never applied.
 */
export function reconcileJobId(requestId: string): string {
  return `reconcile-${requestId}`;
}

/** Default options of dashboard jobs: the shared retry/retention policy of DESIGN.md section 2. */
export function dashboardJobOptions(attempts = 5): JobsOptions {
  return defaultJobOptions(attempts);
}

export type DashboardQueue = Queue<ReconcileDashboardPayload, ReconcileDashboardResult, DashboardJobName>;

/**
 * The typed producer: checks the payload against the contract, then enqueues a `reconcile` job. The body itself is
 * not validated here (the worker does it, and fails the job with the validation errors as its reason).
 */
export async function enqueueDashboardReconcile(
  queue: Queue,
  payload: ReconcileDashboardPayload,
  options: { attempts?: number } = {},
): Promise<Job<ReconcileDashboardPayload, ReconcileDashboardResult, DashboardJobName>> {
  if (queue.name !== DASHBOARD_QUEUE) {
    throw new AppError('internal', `reconcile jobs go to the ${DASHBOARD_QUEUE} queue, not ${queue.name}`);
  }
  const parsed = reconcileDashboardPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    throw new AppError('invalid_payload', `invalid reconcile payload: ${z.prettifyError(parsed.error)}`, { details: parsed.error.issues });
  }
  const typed = queue as unknown as DashboardQueue;
  const jobId = parsed.data.requestId === undefined ? {} : { jobId: reconcileJobId(parsed.data.requestId) };
  return typed.add(DASHBOARD_JOB.reconcile, parsed.data, { ...dashboardJobOptions(options.attempts), ...jobId });
}
