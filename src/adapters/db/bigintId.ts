const MAX_BIGINT = 9_223_372_036_854_775_807n;

/**
 * True when `value` is a decimal string that fits a Postgres bigint id. Refs from users ("123" or "my-slug") are
 * checked with this before being compared with an id column, which would otherwise fail the whole query.
 */
export function isBigintId(value: string): boolean {
  return /^\d{1,19}$/.test(value) && BigInt(value) <= MAX_BIGINT;
}
