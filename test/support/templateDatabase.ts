import pg from 'pg';
import { createDb } from '../../src/adapters/db/connect.js';
import { migrateToLatest } from '../../src/adapters/db/migrate.js';

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/**
 * Each jest run migrates its own template (globalSetup names it in AA_TEST_TEMPLATE_DB, which the test workers
 * inherit), so two runs on one machine never drop each other's template.
 */
export function templateDatabaseName(): string {
  return process.env.AA_TEST_TEMPLATE_DB ?? 'aa_test_template';
}

export function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Recreates and migrates the template database. Runs once per jest run (globalSetup). */
export async function prepareTemplateDatabase(name = templateDatabaseName()): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  });
  const db = createDb({ connectionString: urlFor(name), maxConnections: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}


export async function dropTemplateDatabase(name = templateDatabaseName()): Promise<void> {
  await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
