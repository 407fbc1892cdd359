import { FAILOVER_TUNING, createRedis, type Redis } from '../../src/adapters/redis/connect.js';
import type { RedisTarget } from '../../src/config/config.js';
import { freePort } from './support/topology.js';

// An idle BullMQ worker sits in BZPOPMIN. When its Redis dies (a master killed in a failover), a blocking command
// queued on the dead connection must end by itself, so the worker's loop turns and issues the next one against the
// new master. Without ioredis' blockingTimeout it waits for good (BullMQ's watchdog then tears the connection down).

const auth = { username: undefined, password: undefined, tls: false };

async function settlesWithin(client: Redis, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`BZPOPMIN still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([client.bzpopmin('idle-marker', 1), deadline]);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

describe('a blocking command on a connection to a dead Redis', () => {
  it.each<[string, (port: number) => RedisTarget]>([
    ['a single server', (port) => ({ mode: 'standalone', url: `redis://127.0.0.1:${port}`, auth })],
    ['a master found through Sentinel', (port) => ({ mode: 'sentinel', sentinels: [{ host: '127.0.0.1', port }], masterName: 'gone', auth, sentinelPassword: undefined })],
  ])('ends with "nothing" on %s, as BullMQ workers connect', async (_name, target) => {
    const port = await freePort();
    const client = createRedis(target(port), { forBullWorker: true });
    expect(await settlesWithin(client, FAILOVER_TUNING.blockingTimeoutMs + 2000)).toBeNull();
  }, 15_000);
});
