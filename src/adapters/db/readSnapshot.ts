import type { Db } from './connect.js';
import { withDbErrors } from './errors.js';

/**
 * Runs `read` in one REPEATABLE READ, READ ONLY transaction: every statement sees the database as it was at the
 * first one, so a reader that follows a row to its file and the file to its blobs never meets a file that a
 * copy-on-write update deleted between two of its statements. Read-only snapshots take no row locks and never fail
 * with a serialization error. Inside a transaction already (a writer reading its own rows), `read` runs in that one.
 */
export function withReadSnapshot<T>(db: Db, read: (snapshot: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return read(db);
  return withDbErrors(() => db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read));
}
