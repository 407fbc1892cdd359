import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { translateDbError } from '../adapters/db/errors.js';
import { isAppError } from '../domain/errors.js';

export interface DatabaseGateOptions {
  /** a cheap statement that succeeds once Postgres answers again (`SELECT 1`) */
  probe: () => Promise<unknown>;
  logger: Logger;
  probeIntervalMs?: number;
}

/**
 * While Postgres is down, every job a worker takes fails and spends one of its attempts: a 45 s failover burns
 * through five attempts (1 + 2 + 4 + 8 s of backoff) and fails jobs that would have succeeded a minute later. So
 * the first job that fails with `db_unavailable` pauses the worker's intake (jobs wait in the queue, their attempts
 * untouched) and a probe resumes it as soon as Postgres answers. The jobs in flight finish or fail as they will.
 */
export function pauseWhileDatabaseDown(worker: Worker, options: DatabaseGateOptions): void {
  const intervalMs = options.probeIntervalMs ?? 1000;
  let paused = false;
  worker.on('failed', (_job, err) => {
    if (paused || !isAppError(translateDbError(err), 'db_unavailable')) return;
    paused = true;
    waitForDatabase(worker, options, intervalMs)
      .catch((gateErr: unknown) => options.logger.error({ err: gateErr }, 'could not resume job intake after a database outage'))
      .finally(() => (paused = false));
  });
}

async function waitForDatabase(worker: Worker, options: DatabaseGateOptions, intervalMs: number): Promise<void> {
  const started = Date.now();
  options.logger.warn({ queue: worker.name }, 'database unavailable: job intake paused until it answers');
  await worker.pause(true);
  while (!worker.closing) {
    await sleep(intervalMs);
    try {
      await options.probe();
      break;
    } catch {
      // still down: probe again
    }
  }
  if (worker.closing) return;
  await worker.resume();
  options.logger.info({ queue: worker.name, pausedMs: Date.now() - started }, 'database answers again: job intake resumed');
}
