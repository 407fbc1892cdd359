import { isPlainObject, snakeToCamel } from './caseKeys.js';
import { INTERVAL_MAX_LENGTH, INTERVAL_PATTERN, LAYOUT_KEYS, THRESHOLD_KEYS } from './constants.js';
import { type ErrorDetail, type FieldResult, MESSAGES, charField, failWith, ok, stringField } from './drfFields.js';
import type { Layout } from './model.js';

/** Ids are CharFields that must parse as an integer (dashboards, widgets and queries alike). */
export function idField(value: unknown): FieldResult<string> {
  const text = charField(value);
  if (!text.ok) return text as FieldResult<never>;
  const id = text.value ?? '';
  return /^[+-]?\d+$/.test(id) ? ok(BigInt(id).toString()) : failWith('Invalid ID format. Must be a numeric string');
}

/** `^(\d+)([hdmsw]?)$`, at most 10 characters; a bare number means seconds. */
export function intervalField(value: unknown): FieldResult<string> {
  const text = stringField(value, { maxLength: INTERVAL_MAX_LENGTH });
  if (!text.ok) return text;
  return INTERVAL_PATTERN.test(text.value) ? text : failWith('Invalid interval');
}

/**
 * LayoutField: x, y, w, h and minH must all be sent; each non-null one must be an integer (null ones are dropped);
 * every other key (i, static, moved, ...) is discarded. Stored with camelCase keys.
 * Deliberate differences: a non-object layout is a 400 (Sentry answers 500), and booleans are not numbers.
 */
export function layoutField(value: unknown): FieldResult<Layout | null> {
  if (value === null) return ok(null);
  if (!isPlainObject(value)) return failWith(MESSAGES.notADict(value));
  const missing = LAYOUT_KEYS.filter((key) => !Object.hasOwn(value, key)).map(snakeToCamel);
  if (missing.length > 0) return failWith(`Missing required keys: ${missing.sort().join(', ')}`);
  const layout: Record<string, number> = {};
  for (const key of LAYOUT_KEYS) {
    const coordinate = value[key];
    if (coordinate === null) continue;
    if (typeof coordinate !== 'number' || !Number.isInteger(coordinate)) return failWith(`Expected number for: ${key}`);
    layout[snakeToCamel(key)] = coordinate;
  }
  return ok(layout as Layout);
}

/** Thresholds are a JSON object (or null); the max-value rules run in the widget's validate(). */
export function thresholdsField(value: unknown): FieldResult<Record<string, unknown> | null> {
  if (value === null) return ok(null);
  return isPlainObject(value) ? ok(value) : failWith(MESSAGES.notADict(value));
}

const isTruthy = (value: unknown): boolean => value !== null && value !== undefined && value !== 0 && value !== '' && value !== false;

/**
 * The widget-level thresholds rules (A.2.2 rule 3). Keys are checked by position (max1, max2, max3...), values are
 * looked up by those positional names. Returns the error DRF would raise from validate(), or null.
 * Deliberate differences where Sentry raises a TypeError (500): a non-number maximum is a 400, and a null maximum
 * among two given ones counts as missing.
 */
export function thresholdsError(thresholds: Record<string, unknown> | null | undefined): ErrorDetail | null {
  if (!thresholds || Object.keys(thresholds).length === 0) return null;
  const maxValues = thresholds.max_values ?? {};
  if (!isPlainObject(maxValues)) return { thresholds: [MESSAGES.notADict(maxValues)] };
  const count = Object.keys(maxValues).length;
  for (let position = 1; position <= count; position += 1) {
    const key = `max${position}`;
    if (!(THRESHOLD_KEYS as readonly string[]).includes(key)) return { thresholds: [`Invalid maximum key ${key}`] };
    const current = maxValues[key];
    if (current !== null && current !== undefined && typeof current !== 'number') {
      return { thresholds: { [key]: 'A valid number is required.' } };
    }
    if (isTruthy(current) && (current as number) < 0) return { thresholds: { [key]: 'Maximum values can not be negative' } };
    const previous = maxValues[`max${position - 1}`];
    if (position > 1 && isTruthy(previous) && typeof current === 'number' && (previous as number) >= current) {
      return { thresholds: { [key]: 'Maximum value must be greater than minimum.' } };
    }
  }
  const missing = THRESHOLD_KEYS.find((key) => maxValues[key] === null || maxValues[key] === undefined);
  return missing ? { thresholds: { [missing]: 'Must set all threshold maximums or none at all.' } } : null;
}
