import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createDb } from '../../../src/adapters/db/connect.js';
import { migrateToLatest } from '../../../src/adapters/db/migrate.js';
import { freePort } from './freePort.js';

const run = promisify(execFile);

/** The newest installed server's bin folder (/usr/lib/postgresql/<major>/bin). */
async function postgresBin(): Promise<string> {
  const majors = (await readdir('/usr/lib/postgresql')).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  if (majors.length === 0) throw new Error('no PostgreSQL server under /usr/lib/postgresql');
  return join('/usr/lib/postgresql', majors[0]!, 'bin');
}

/** initdb and pg_ctl refuse to run as root: as root, run them as the `postgres` system user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/**
 * A throwaway PostgreSQL cluster of a test's own (initdb in a temp dir, trust auth, fsync off, a free port on
 * 127.0.0.1), for tests that stop, restart or crash the database. Never touches the shared server on 5432.
 *
 *   const pgc = await PrivatePostgres.start();
 *   const url = await pgc.createMigratedDatabase('app');
 *   await pgc.stop('immediate'); ... await pgc.restart();
 *   await pgc.destroy();            // in afterAll: stops it and removes its folder
 */
export class PrivatePostgres {
  private running = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const dir = await mkdtemp(join(tmpdir(), 'aa-chaos-pg-'));
    if (process.getuid?.() === 0) await chown(dir, ...(await postgresIds()));
    const cluster = new PrivatePostgres(dir, await freePort(), await postgresBin());
    await cluster.exec('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    await cluster.restart();
    return cluster;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** A connection URL for `database` on this cluster. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the server (again) on the same port and data; resolves once it accepts connections. */
  async restart(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
    await this.exec('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start']);
    this.running = true;
  }

  /** Stops the server: `fast` rolls back open transactions (57P01 to clients), `immediate` is a crash. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.running) return;
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
    this.running = false;
  }

  /** Creates `name` and applies the service's migrations to it; returns its URL. */
  async createMigratedDatabase(name: string): Promise<string> {
    await this.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    const db = createDb({ connectionString: this.url(name), maxConnections: 1 });
    try {
      await migrateToLatest(db);
    } finally {
      await db.destroy();
    }
    return this.url(name);
  }

  /** One statement on the `postgres` database through a short-lived client. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async exec(tool: string, args: string[]): Promise<void> {
    const [command, argv] = asServerUser(join(this.bin, tool), args);
    await run(command, argv, { timeout: 60_000 });
  }
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return [Number(stdout.trim()), Number(gid.trim())];
}
