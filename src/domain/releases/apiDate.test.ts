import { parseApiDate } from './apiDate.js';

describe('parseApiDate', () => {
  it.each([
    ['2026-11-22T03:17:41.681244840Z', '2026-11-22T03:17:41.681Z'],
    ['2026-11-22T03:17:41Z', '2026-11-22T03:17:41.000Z'],
    ['2026-11-22T03:17:41+02:00', '2026-11-22T01:17:41.000Z'],
    ['2026-11-22T03:17', '2026-11-22T03:17:00.000Z'],
    ['2026-11-22 03:17:41.5', '2026-11-22T03:17:41.500Z'],
    ['2026-11-22', '2026-11-22T00:00:00.000Z'],
  ])('reads %s as UTC %s', (input, expected) => {
    expect(parseApiDate(input)?.toISOString()).toBe(expected);
  });

  it.each(['yesterday', '1700000000', '2026-13-40T00:00:00Z', ''])('refuses %p', (input) => {
    expect(parseApiDate(input)).toBeNull();
  });
});
