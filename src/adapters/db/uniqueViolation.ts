/** Postgres SQLSTATE for a unique (or primary key) constraint violation. */
export const PG_UNIQUE_VIOLATION = '23505';

/**
 * True when `err` is a Postgres unique violation (from `pg`, passed through by Kysely); with `constraint`, only a
 * violation of that named constraint (`<table>_pkey` for a primary key).
 */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, constraint: violated } = err as { code?: unknown; constraint?: unknown };
  return code === PG_UNIQUE_VIOLATION && (constraint === undefined || violated === constraint);
}
