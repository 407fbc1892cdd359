import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { jobMetricsRegistry } from '../workers/jobMetrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** the app's metrics registry (set by instrumentRequests; absent in apps built without it), for routes that count their own work */
    metricsRegistry?: Registry;
  }
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children'] as const;

/**
 * A registry of its own per app (tests build many apps in one process): process metrics, HTTP request count and
 * duration by route/method/status, BullMQ job counts per queue and state (read from Redis on each scrape), and the
 * durations of jobs run by this process's workers.
 */
export function createMetrics(queues: Queue[]): Registry {
  const own = new Registry();
  collectDefaultMetrics({ register: own });
  // the job outcomes of workers in this process (`assembler all`); empty when they run elsewhere
  const registry = Registry.merge([own, jobMetricsRegistry]);
  new Gauge({
    name: 'bullmq_jobs',
    help: 'BullMQ jobs per queue and state, read on scrape',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of queues) {
        const counts = await queue.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
  return registry;
}

/** Counts and times every response; the route label is the route pattern, so ids do not explode cardinality. */
export function instrumentRequests(app: FastifyInstance, registry: Registry): void {
  const labelNames = ['route', 'method', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.decorate('metricsRegistry', registry);
  app.addHook('onResponse', async (request, reply) => {
    const labels = { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}

export interface ChunkUploadMetrics {
  chunks: Counter;
  bytes: Counter;
}

const chunkUploadMetricsByRegistry = new WeakMap<Registry, ChunkUploadMetrics>();

/** Chunks stored through `POST chunk-upload/` and their decoded bytes; created once per registry. */
export function chunkUploadMetrics(registry: Registry): ChunkUploadMetrics {
  let metrics = chunkUploadMetricsByRegistry.get(registry);
  if (!metrics) {
    metrics = {
      chunks: new Counter({ name: 'chunk_upload_chunks_total', help: 'Chunks stored by chunk-upload', registers: [registry] }),
      bytes: new Counter({ name: 'chunk_upload_bytes_total', help: 'Decoded bytes of the chunks stored by chunk-upload', registers: [registry] }),
    };
    chunkUploadMetricsByRegistry.set(registry, metrics);
  }
  return metrics;
}
