import { InvalidArgumentError } from 'commander';

/**
 * Commander parser for a whole number of at least `min`. `Number.parseInt` alone turns "abc" into NaN and "-5s"
 * into -5, which an operator command then acts on; a rejected value is a usage error (exit 2) instead.
 */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    if (!/^\s*\d+\s*$/.test(value) || Number(value) < min) {
      throw new InvalidArgumentError(`expected a whole number of at least ${min}.`);
    }
    return Number(value);
  };
}

/** A command line that is well-formed but asks for something unsafe or impossible: one line on stderr, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
