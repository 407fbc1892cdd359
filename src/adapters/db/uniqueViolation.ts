import { PG_ERROR, pgErrorCode } from './errors.js';

/**
 * True when `err` is a Postgres unique violation (from `pg`, passed through by Kysely); with `constraint`, only a
 * violation of that named constraint (`<table>_pkey` for a primary key).
 */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (pgErrorCode(err) !== PG_ERROR.uniqueViolation) return false;
  return constraint === undefined || (err as { constraint?: unknown }).constraint === constraint;
}
