import { AppError } from './errors.js';

/**
 * Snowflake ids for organisations and projects (reference C.1): 53 bits, most-significant first:
 *
 *   version (5) | seconds since the snowflake epoch (32) | region (12) | sequence within the second (4)
 *
 * 53 bits keep every id a safe JS integer; with version 1 every id lies in [2^52, 2^53). Arithmetic is done
 * with bigint here and nowhere else; the rest of the service carries ids as decimal strings.
 */

export const SNOWFLAKE_VERSION_ID = 1;
/** Ids one region can hand out per second (the 4-bit sequence segment). */
export const MAX_AVAILABLE_REGION_SEQUENCES = 16;

export const VERSION_ID_BITS = 5;
export const TIME_DIFF_BITS = 32;
export const REGION_ID_BITS = 12;
export const REGION_SEQUENCE_BITS = 4;
export const SNOWFLAKE_ID_BITS = VERSION_ID_BITS + TIME_DIFF_BITS + REGION_ID_BITS + REGION_SEQUENCE_BITS;

export interface SnowflakeParts {
  /** The logical version (1), not its reversed-bit encoding. */
  versionId: number;
  /** Whole seconds since the snowflake epoch. */
  timeDiff: number;
  regionId: number;
  sequence: number;
}

/** Throws `"<name> exceed max bit value of <bits>"` unless `value` is a non-negative integer of at most `bits` bits. */
function validatedSegment(name: string, value: number | bigint, bits: number): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new AppError('internal', `${name} exceed max bit value of ${bits}`);
  }
  const big = BigInt(value);
  // The same test as Sentry: shifting out the allowed bits must leave nothing (negative values never reach 0).
  if (big >> BigInt(bits) !== 0n) throw new AppError('internal', `${name} exceed max bit value of ${bits}`);
  return big;
}

/**
 * Writes `value` as a `bits`-digit binary string, reverses the string and reads it back ("MSB-0 ordering"):
 * version 1 (`00001`) is stored as 16 (`10000`). The mapping is its own inverse.
 */
export function reverseBits(value: number, bits: number): number {
  let reversed = 0;
  for (let i = 0; i < bits; i += 1) {
    reversed = (reversed << 1) | ((value >> i) & 1);
  }
  return reversed;
}

export function packSnowflakeId(parts: SnowflakeParts): bigint {
  const version = validatedSegment('Version ID', parts.versionId, VERSION_ID_BITS);
  const encodedVersion = BigInt(reverseBits(Number(version), VERSION_ID_BITS));
  const time = validatedSegment('Time difference', parts.timeDiff, TIME_DIFF_BITS);
  const region = validatedSegment('Region ID', parts.regionId, REGION_ID_BITS);
  const sequence = validatedSegment('Region sequence', parts.sequence, REGION_SEQUENCE_BITS);
  let id = encodedVersion;
  id = (id << BigInt(TIME_DIFF_BITS)) | time;
  id = (id << BigInt(REGION_ID_BITS)) | region;
  id = (id << BigInt(REGION_SEQUENCE_BITS)) | sequence;
  return validatedSegment('Snowflake ID', id, SNOWFLAKE_ID_BITS);
}

export function unpackSnowflakeId(id: bigint): SnowflakeParts {
  validatedSegment('Snowflake ID', id, SNOWFLAKE_ID_BITS);
  const take = (shift: number, bits: number): number => Number((id >> BigInt(shift)) & ((1n << BigInt(bits)) - 1n));
  return {
    sequence: take(0, REGION_SEQUENCE_BITS),
    regionId: take(REGION_SEQUENCE_BITS, REGION_ID_BITS),
    timeDiff: take(REGION_SEQUENCE_BITS + REGION_ID_BITS, TIME_DIFF_BITS),
    versionId: reverseBits(
      take(REGION_SEQUENCE_BITS + REGION_ID_BITS + TIME_DIFF_BITS, VERSION_ID_BITS),
      VERSION_ID_BITS,
    ),
  };
}

/** Whole seconds from the snowflake epoch to `now` (what the time segment holds before any lookback). */
export function secondsSinceSnowflakeEpoch(now: Date, epochSeconds: number): number {
  return Math.floor(now.getTime() / 1000) - epochSeconds;
}
