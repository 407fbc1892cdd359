import { randomBytes } from 'node:crypto';
import { createDb, type Db } from '../../src/adapters/db/connect.js';
import { templateDatabaseName, urlFor, withAdmin } from './templateDatabase.js';

export interface TestDatabase {
  db: Db;
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `aa_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabaseName()}`));
  const url = urlFor(name);
  const db = createDb({ connectionString: url, maxConnections: 10 });
  return {
    db,
    url,
    name,
    async drop() {
      await db.destroy();
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** A unique Redis key prefix (and BullMQ prefix) for one test file. */
export function testRedisPrefix(): string {
  return `aatest-${randomBytes(5).toString('hex')}`;
}

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
