import type { FastifyInstance } from 'fastify';
import { withTimeout } from '../lib/withTimeout.js';

/** One dependency /readyz asks about: resolves when it can serve, rejects (or hangs) when it cannot. */
export type ReadinessCheck = () => Promise<unknown>;

/**
 * GET /readyz runs every named check at once, each within `timeoutMs`, and answers 200 when all pass, else 503,
 * with `{ ok, <name>: boolean, ... }`. A new dependency is one more entry in `checks`.
 */
export function readinessRoute(app: FastifyInstance, checks: Record<string, ReadinessCheck>, timeoutMs: number): void {
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await passes(check, timeoutMs)] as const),
    );
    const ok = results.every(([, passed]) => passed);
    return reply.code(ok ? 200 : 503).send({ ok, ...Object.fromEntries(results) });
  });
}

/** True when `check` settles successfully within the timeout. */
function passes(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  return withTimeout(check(), timeoutMs).then(
    () => true,
    () => false,
  );
}
