import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the pool-backed db or an open transaction: for repository functions that need no row locks. */
export type DbOrTx = Kysely<Database>;

export interface DbOptions {
  connectionString: string;
  maxConnections?: number;
  applicationName?: string;
}

export function createDb(options: DbOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'artifact-assembler',
    // Fail fast instead of queueing forever when Postgres is unreachable.
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor a checked-out one (inside a transaction, between statements or waiting on a lock): pg emits 'error' on the
  // client, which the pool listens to only while the client is idle, and an 'error' without a listener kills the
  // process. The failure still reaches the caller: the statement in flight, or the next one ("not queryable"), is
  // rejected and translated to `db_unavailable`, and the pool drops the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
