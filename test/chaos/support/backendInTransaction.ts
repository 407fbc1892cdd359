import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The pid of a backend of `database`, not in `seen`, that waits on a lock inside a transaction: a worker held at its
 * store step by a lock the test took, so the test can kill that backend or that worker mid-transaction.
 */
export async function waitForBackendInTransaction(client: pg.Client, database: string, seen: ReadonlySet<number> = new Set()): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND wait_event_type = 'Lock'`,
      [database],
    );
    const fresh = rows.find((r) => !seen.has(r.pid));
    if (fresh) return fresh.pid;
    if (Date.now() > deadline) throw new Error('no worker backend waited inside its store transaction');
    await sleep(20);
  }
}
