import { randomUUID } from 'node:crypto';
import type { Queue, QueueEvents } from 'bullmq';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { dashboardErrorDetails } from '../../domain/dashboards/errorBodies.js';
import { enqueueDashboardReconcile } from '../../jobs/dashboardJobs.js';
import { createDashboard } from '../../workers/dashboards/createDashboard.js';
import type { DashboardDeps } from '../../workers/dashboards/dashboardAccess.js';
import { deleteDashboard } from '../../workers/dashboards/deleteDashboard.js';
import { getDashboard } from '../../workers/dashboards/getDashboard.js';
import { listDashboards } from '../../workers/dashboards/listDashboards.js';
import { isReconcileApplied, precheckDashboardUpdate } from '../../workers/dashboards/reconcileDashboard.js';
import { requestLinkHeader, requestedPage } from '../pagination.js';
import '../requestContext.js';
import { awaitReconcileJob } from './awaitReconcileJob.js';

export interface DashboardRouteDeps extends DashboardDeps {
  /** the `dashboard-widgets` queue */
  queue: Queue;
  /** events of the same queue, for waiting on a PUT's job */
  queueEvents: QueueEvents;
  /** how long a PUT waits for its job before answering 202 (default 5000 ms) */
  putWaitMs?: number;
  /** request body limit of POST and PUT (default 1 MiB) */
  bodyLimitBytes?: number;
}

type DashboardParams = { dashboardId: string };
type ListQuery = { query?: string; per_page?: string; cursor?: string };

/**
 * The dashboard endpoints, Sentry-compatible. Register under the organisation prefix, after the hook that sets
 * `request.organization` and `request.actor`:
 *   app.register(dashboardRoutes(deps), { prefix: '/api/0/organizations/:organization_id_or_slug' })
 * PUT validates first (404, 403, 400 without enqueueing), enqueues a `reconcile` job under a new request id, waits up
 * to `putWaitMs`, then answers 200 with the dashboard (only once its receipt is in Postgres), the job's error answer,
 * or 202 `{ jobId }`. A job that Redis lost meanwhile (a failover) is enqueued again; it is applied once.
 */
export function dashboardRoutes(deps: DashboardRouteDeps): FastifyPluginAsync {
  const putWaitMs = deps.putWaitMs ?? 5000;
  const bodyLimit = deps.bodyLimitBytes ?? 1024 * 1024;
  return async (app) => {
    app.get<{ Querystring: ListQuery }>('/dashboards/', async (request, reply) => {
      const window = requestedPage(request.query);
      const page = await listDashboards(deps, {
        organizationId: request.organization.id,
        actor: request.actor,
        query: request.query.query,
        perPage: window.perPage,
        offset: window.offset,
      });
      return reply.header('Link', requestLinkHeader(request, window, page.hasNext)).send(page.items);
    });

    app.post('/dashboards/', { bodyLimit }, async (request, reply) =>
      answer(reply, 201, () => createDashboard(deps, { organizationId: request.organization.id, actor: request.actor, body: request.body ?? {} })),
    );

    app.get<{ Params: DashboardParams }>('/dashboards/:dashboardId/', async (request, reply) =>
      answer(reply, 200, () => getDashboard(deps, { ...target(request), actor: request.actor })),
    );

    app.delete<{ Params: DashboardParams }>('/dashboards/:dashboardId/', async (request, reply) =>
      answer(reply, 204, () => deleteDashboard(deps, { ...target(request), actor: request.actor })),
    );

    app.put<{ Params: DashboardParams }>('/dashboards/:dashboardId/', { bodyLimit }, async (request, reply) => {
      const input = { ...target(request), actor: request.actor, body: request.body ?? {} };
      if (await answeredDashboardError(reply, () => precheckDashboardUpdate(deps, input))) return reply;
      const payload = {
        organizationId: input.organizationId,
        dashboardId: input.dashboardId,
        actorUserId: input.actor.userId,
        body: input.body,
        requestId: randomUUID(),
      };
      const job = await enqueueDashboardReconcile(deps.queue, payload);
      const outcome = await awaitReconcileJob(
        {
          queue: deps.queue,
          queueEvents: deps.queueEvents,
          isApplied: () => isReconcileApplied(deps, payload.requestId),
          enqueueAgain: () => enqueueDashboardReconcile(deps.queue, payload),
        },
        job,
        putWaitMs,
      );
      if (outcome.kind === 'completed') return sendJson(reply, 200, outcome.dashboard);
      if (outcome.kind === 'failed') return sendJson(reply, outcome.status, outcome.body);
      return sendJson(reply, 202, { jobId: outcome.jobId });
    });
  };
}

function target(request: FastifyRequest<{ Params: DashboardParams }>) {
  return { organizationId: request.organization.id, dashboardId: request.params.dashboardId };
}

/** Sends a JSON body as JSON whatever its type (Sentry answers some conflicts with a bare string). */
function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  if (status === 204) return reply.code(204).send();
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** Runs a use case; a dashboard error becomes its exact answer, anything else goes to the app's error handler. */
async function answer(reply: FastifyReply, status: number, run: () => Promise<unknown>): Promise<FastifyReply> {
  let result: unknown;
  const refused = await answeredDashboardError(reply, async () => {
    result = await run();
  });
  return refused ? reply : sendJson(reply, status, result);
}

/**
 * True when `run` failed with a dashboard error and its answer was sent. (A boolean, not the reply: a reply is
 * thenable, and an async function returning it would wait for the response instead.)
 */
async function answeredDashboardError(reply: FastifyReply, run: () => Promise<void>): Promise<boolean> {
  try {
    await run();
    return false;
  } catch (err) {
    const details = dashboardErrorDetails(err);
    if (!details) throw err;
    sendJson(reply, details.status, details.body);
    return true;
  }
}


