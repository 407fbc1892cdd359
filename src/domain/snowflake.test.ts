import { isAppError } from './errors.js';
import {
  MAX_AVAILABLE_REGION_SEQUENCES,
  packSnowflakeId,
  reverseBits,
  secondsSinceSnowflakeEpoch,
  SNOWFLAKE_VERSION_ID,
  unpackSnowflakeId,
} from './snowflake.js';

// Reference C.5: test epoch 1999-12-31 00:00, frozen now 2022-07-21 06:00 (UTC host).
const EPOCH_SECONDS = Date.UTC(1999, 11, 31) / 1000;
const NOW = new Date(Date.UTC(2022, 6, 21, 6, 0, 0));
const DELTA = secondsSinceSnowflakeEpoch(NOW, EPOCH_SECONDS);

const parts = (over: Partial<Parameters<typeof packSnowflakeId>[0]> = {}) => ({
  versionId: SNOWFLAKE_VERSION_ID,
  timeDiff: DELTA,
  regionId: 0,
  sequence: 0,
  ...over,
});

function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isAppError(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a throw');
}

describe('snowflake ids', () => {
  it('encodes the version in reversed bit order (1 -> 16) and back', () => {
    expect(reverseBits(1, 5)).toBe(16);
    expect(reverseBits(16, 5)).toBe(1);
    expect(reverseBits(0b00110, 5)).toBe(0b01100);
  });

  it('scenario 2: the first id of the frozen second', () => {
    expect(DELTA).toBe(711_784_800);
    const id = packSnowflakeId(parts());
    expect(id).toBe(4_550_247_156_023_296n);
    expect(id).toBe((16n << 48n) + (BigInt(DELTA) << 16n));
  });

  it('scenario 3: the sixteen sequences of one second are consecutive ids', () => {
    const ids = Array.from({ length: MAX_AVAILABLE_REGION_SEQUENCES }, (_, sequence) =>
      packSnowflakeId(parts({ sequence })),
    );
    for (let i = 1; i < ids.length; i += 1) expect(ids[i]).toBe((ids[i - 1] as bigint) + 1n);
  });

  it('scenario 4: the previous second with sequence 0', () => {
    expect(packSnowflakeId(parts({ timeDiff: DELTA - 1 }))).toBe((16n << 48n) + (BigInt(DELTA - 1) << 16n));
  });

  it('scenario 6: the region id lands in bits 4-15', () => {
    for (const regionId of [1, 2, 4095]) {
      const id = packSnowflakeId(parts({ regionId, sequence: 7 }));
      expect(Number((id >> 4n) & 0xfffn)).toBe(regionId);
    }
  });

  it('round-trips through unpack', () => {
    const p = parts({ regionId: 1234, sequence: 15, timeDiff: 2 ** 32 - 1 });
    const id = packSnowflakeId(p);
    expect(unpackSnowflakeId(id)).toEqual(p);
    expect(id).toBeLessThan(2n ** 53n);
    expect(id).toBeGreaterThanOrEqual(2n ** 52n);
  });

  it('refuses segments that do not fit, with the reference messages', () => {
    expect(thrownMessage(() => packSnowflakeId(parts({ versionId: 32 })))).toBe('Version ID exceed max bit value of 5');
    expect(thrownMessage(() => packSnowflakeId(parts({ timeDiff: 2 ** 32 })))).toBe(
      'Time difference exceed max bit value of 32',
    );
    expect(thrownMessage(() => packSnowflakeId(parts({ timeDiff: -1 })))).toBe(
      'Time difference exceed max bit value of 32',
    );
    expect(thrownMessage(() => packSnowflakeId(parts({ regionId: 4096 })))).toBe(
      'Region ID exceed max bit value of 12',
    );
    expect(thrownMessage(() => packSnowflakeId(parts({ sequence: 16 })))).toBe(
      'Region sequence exceed max bit value of 4',
    );
    expect(thrownMessage(() => packSnowflakeId(parts({ sequence: 1.5 })))).toBe(
      'Region sequence exceed max bit value of 4',
    );
    expect(thrownMessage(() => unpackSnowflakeId(2n ** 53n))).toBe('Snowflake ID exceed max bit value of 53');
  });
});
