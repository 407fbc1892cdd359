import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port nothing listens on now (and, for cluster nodes, whose bus port +10000 is free too). */
export async function freePort(withBus = false): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await isFree(port)) && (!withBus || (await isFree(port + 10_000)))) return port;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A server process the test started; `kill` is SIGKILL (a crash), `stop` is for cleanup. */
export class ServerProcess {
  private readonly lines: string[] = [];

  constructor(
    readonly name: string,
    readonly port: number,
    readonly child: ChildProcess,
  ) {
    // the last lines a server printed, for a failing test's report (a replica's log says why it did not fail over)
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => {
        this.lines.push(...text.split('\n').filter(Boolean));
        this.lines.splice(0, Math.max(0, this.lines.length - 40));
      });
    }
  }

  /** The server's last lines of output (at most 40). */
  tail(): string {
    return this.lines.join('\n');
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await once(this.child, 'exit');
  }
}

export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 30_000 });
  return stdout.trim();
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

function startRedisServer(dir: string, port: number, args: string[]): ServerProcess {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new ServerProcess(`redis-${port}`, port, child);
}

export interface RedisClusterHandle {
  nodes: ServerProcess[];
  /** `host:port,...` for REDIS_CLUSTER_NODES */
  seeds: string;
  /** the node that is master of the slot `key` hashes to now */
  masterFor(key: string): Promise<ServerProcess>;
  stop(): Promise<void>;
}

/**
 * Six redis-server nodes in cluster mode on free ports, joined by `redis-cli --cluster create` with one replica per
 * master. The node timeout is short (2 s) so a killed master's replica is promoted in a few seconds. The cluster is
 * handed out only once every replica has finished its first sync (about 5 s after `--cluster create`: the master waits
 * `repl-diskless-sync-delay` for more replicas): a master killed before that leaves a replica that was never connected,
 * which refuses to fail over for good ('Disconnected from master for longer than allowed'), and our slot without a
 * master (seen once in CI: CLUSTERDOWN for 80 s; reproduced by hand). Validity factor 0 keeps a replica that lost its
 * master under load from refusing for the same reason.
 */
export async function startRedisCluster(baseDir: string): Promise<RedisClusterHandle> {
  const nodes: ServerProcess[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill()));
  };
  try {
    for (let i = 0; i < 6; i += 1) {
      const port = await freePort(true);
      const dir = join(baseDir, `cluster-${port}`);
      await mkdir(dir, { recursive: true });
      nodes.push(
        startRedisServer(dir, port, ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000', '--cluster-replica-validity-factor', '0']),
      );
    }
    for (const n of nodes) await waitFor(`redis ${n.port} up`, async () => (await redisCli(n.port, 'ping')) === 'PONG', 10_000);
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 60_000,
    });
    for (const n of nodes) {
      await waitFor(`cluster state ok on ${n.port}`, async () => (await redisCli(n.port, 'cluster', 'info')).includes('cluster_state:ok'));
    }
    // a replica that has not finished its first sync cannot take over: wait until every replica's link is up
    for (const n of nodes) {
      await waitFor(`replication link of ${n.port}`, async () => {
        const info = await redisCli(n.port, 'info', 'replication');
        return info.includes('role:master') || info.includes('master_link_status:up');
      });
    }
    return {
      nodes,
      seeds: nodes.slice(0, 3).map((n) => `127.0.0.1:${n.port}`).join(','),
      async masterFor(key: string) {
        const live = nodes.find((n) => !n.exited) as ServerProcess;
        const slot = Number(await redisCli(live.port, 'cluster', 'keyslot', key));
        const lines = (await redisCli(live.port, 'cluster', 'nodes')).split('\n');
        for (const line of lines) {
          const [, address, flags, , , , , , ...ranges] = line.split(' ');
          if (!flags?.includes('master') || flags.includes('fail')) continue;
          const owns = ranges.some((r) => {
            const [from = -1, to = from] = r.split('-').map(Number);
            return slot >= from && slot <= to;
          });
          if (owns) {
            const port = Number(address?.split('@')[0]?.split(':')[1]);
            const node = nodes.find((n) => n.port === port);
            if (node) return node;
          }
        }
        throw new Error(`no master found for slot ${slot}`);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface SentinelHandle {
  master: ServerProcess;
  replica: ServerProcess;
  sentinels: ServerProcess[];
  masterName: string;
  /** `host:port,...` for REDIS_SENTINELS */
  addresses: string;
  /** the port the sentinels currently name as master */
  currentMasterPort(): Promise<number>;
  stop(): Promise<void>;
}

/** One master, one replica and three sentinels (quorum 2, down after 1 s) on free ports. */
export async function startSentinelSetup(baseDir: string, masterName = 'assembler'): Promise<SentinelHandle> {
  const all: ServerProcess[] = [];
  const stop = async () => {
    await Promise.all(all.map((n) => n.kill()));
  };
  try {
    const dir = join(baseDir, 'sentinel');
    await mkdir(dir, { recursive: true });
    const masterPort = await freePort();
    const master = startRedisServer(join(dir), masterPort, []);
    all.push(master);
    await mkdir(join(dir, 'replica'), { recursive: true });
    const replicaPort = await freePort();
    const replica = startRedisServer(join(dir, 'replica'), replicaPort, ['--replicaof', '127.0.0.1', String(masterPort)]);
    all.push(replica);
    for (const n of [master, replica]) await waitFor(`redis ${n.port} up`, async () => (await redisCli(n.port, 'ping')) === 'PONG', 10_000);
    await waitFor('replica in sync', async () => (await redisCli(replicaPort, 'info', 'replication')).includes('master_link_status:up'));
    const sentinels: ServerProcess[] = [];
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      await writeFile(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 5000`,
          `sentinel parallel-syncs ${masterName} 1`,
          '',
        ].join('\n'),
      );
      const child = spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const s = new ServerProcess(`sentinel-${port}`, port, child);
      sentinels.push(s);
      all.push(s);
    }
    const currentMasterPort = async () => {
      const live = sentinels.find((s) => !s.exited) as ServerProcess;
      const reply = await redisCli(live.port, 'sentinel', 'get-master-addr-by-name', masterName);
      return Number(reply.split('\n')[1]);
    };
    for (const s of sentinels) {
      await waitFor(`sentinel ${s.port} knows the replica and the other sentinels`, async () => {
        const info = await redisCli(s.port, 'sentinel', 'master', masterName);
        const field = (name: string) => Number(info.split('\n')[info.split('\n').indexOf(name) + 1]);
        return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2;
      });
    }
    return { master, replica, sentinels, masterName, addresses: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','), currentMasterPort, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * PgBouncer in transaction mode in front of the shared test Postgres, on a free port. It refuses to run as root, so
 * when the test runs as root it drops to the `postgres` user (`-u`).
 */
export async function startPgBouncer(baseDir: string, upstream: { host: string; port: number; user: string }): Promise<ServerProcess> {
  const dir = join(baseDir, 'pgbouncer');
  await mkdir(dir, { recursive: true });
  await chmod(baseDir, 0o755);
  await chmod(dir, 0o777);
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  await writeFile(
    ini,
    [
      '[databases]',
      `* = host=${upstream.host} port=${upstream.port} user=${upstream.user}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = any',
      'pool_mode = transaction',
      'max_client_conn = 500',
      'default_pool_size = 20',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n'),
  );
  await chmod(ini, 0o644);
  const binary = '/usr/sbin/pgbouncer';
  const args = process.getuid?.() === 0 ? ['-u', 'postgres', ini] : [ini];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const bouncer = new ServerProcess(`pgbouncer-${port}`, port, child);
  await waitFor('pgbouncer listening', async () => !(await isFree(port)) || bouncer.exited, 10_000);
  if (bouncer.exited) throw new Error(`pgbouncer exited (${bouncer.child.exitCode}); see ${join(dir, 'pgbouncer.log')}`);
  return bouncer;
}
