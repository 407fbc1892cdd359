import { isPlainObject } from './caseKeys.js';

/**
 * The few Django REST Framework field behaviours the dashboard serializers rely on, with DRF's exact messages, so
 * that error bodies match Sentry's (reference A.2.7). Every parser returns either the internal value or the error
 * detail DRF would put under the field's key.
 */
export type ErrorDetail = string | ErrorDetail[] | { [key: string]: ErrorDetail };
export type FieldResult<T> = { ok: true; value: T } | { ok: false; error: ErrorDetail };

export const ok = <T>(value: T): FieldResult<T> => ({ ok: true, value });
export const fail = (error: ErrorDetail): FieldResult<never> => ({ ok: false, error });
export const failWith = (message: string): FieldResult<never> => fail([message]);

export const MESSAGES = {
  required: 'This field is required.',
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  invalidString: 'Not a valid string.',
  invalidInteger: 'A valid integer is required.',
  stringTooLarge: 'String value too large.',
  invalidBoolean: 'Must be a valid boolean.',
  maxLength: (max: number) => `Ensure this field has no more than ${max} characters.`,
  maxValue: (max: number) => `Ensure this value is less than or equal to ${max}.`,
  minValue: (min: number) => `Ensure this value is greater than or equal to ${min}.`,
  invalidChoice: (input: unknown) => `"${pythonStr(input)}" is not a valid choice.`,
  notAList: (input: unknown) => `Expected a list of items but got type "${pythonTypeName(input)}".`,
  notADict: (input: unknown) => `Expected a dictionary of items but got type "${pythonTypeName(input)}".`,
  notAnObject: (input: unknown) => `Invalid data. Expected a dictionary, but got ${pythonTypeName(input)}.`,
  invalidDateTime: 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
} as const;

/** The Python type name of a JSON value, as DRF puts it in messages. */
export function pythonTypeName(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
}

/** Python's str() of a JSON scalar (enough for messages). */
export function pythonStr(value: unknown): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

export interface CharOptions {
  allowBlank?: boolean;
  allowNull?: boolean;
  maxLength?: number;
}

/** CharField: accepts strings and numbers, trims whitespace, then checks blank and length. */
export function charField(value: unknown, opts: CharOptions = {}): FieldResult<string | null> {
  if (value === null) return opts.allowNull ? ok(null) : failWith(MESSAGES.null);
  if (typeof value !== 'string' && typeof value !== 'number') return failWith(MESSAGES.invalidString);
  const text = String(value).trim();
  if (text === '') return opts.allowBlank ? ok('') : failWith(MESSAGES.blank);
  if (opts.maxLength !== undefined && [...text].length > opts.maxLength) return failWith(MESSAGES.maxLength(opts.maxLength));
  return ok(text);
}

/** A CharField that may not be null. */
export function stringField(value: unknown, opts: Omit<CharOptions, 'allowNull'> = {}): FieldResult<string> {
  return charField(value, { ...opts, allowNull: false }) as FieldResult<string>;
}

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const TRAILING_DECIMAL_ZEROS = /\.0*\s*$/;

/** IntegerField: ints, integral floats and digit strings ("5", "5.0"); returns a bigint so ids never lose digits. */
export function integerField(value: unknown, opts: { min?: number; max?: number } = {}): FieldResult<bigint> {
  if (value === null) return failWith(MESSAGES.null);
  let parsed: bigint | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) parsed = BigInt(value);
  if (typeof value === 'string') {
    if (value.length > 1000) return failWith(MESSAGES.stringTooLarge);
    const text = value.replace(TRAILING_DECIMAL_ZEROS, '');
    if (INTEGER_TEXT.test(text)) parsed = BigInt(text.trim());
  }
  if (parsed === undefined) return failWith(MESSAGES.invalidInteger);
  if (opts.max !== undefined && parsed > BigInt(opts.max)) return failWith(MESSAGES.maxValue(opts.max));
  if (opts.min !== undefined && parsed < BigInt(opts.min)) return failWith(MESSAGES.minValue(opts.min));
  return ok(parsed);
}

/** An IntegerField read as a JS number (small values: limits, indexes), null allowed when asked. */
export function numberField(value: unknown, opts: { allowNull?: boolean; min?: number; max?: number } = {}): FieldResult<number | null> {
  if (value === null) return opts.allowNull ? ok(null) : failWith(MESSAGES.null);
  const parsed = integerField(value, opts);
  return parsed.ok ? ok(Number(parsed.value)) : parsed;
}

const TRUE_VALUES: ReadonlySet<unknown> = new Set(['t', 'T', 'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON', '1', 1, true]);
const FALSE_VALUES: ReadonlySet<unknown> = new Set(['f', 'F', 'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF', '0', 0, false]);

/** BooleanField: DRF's word lists ("False", "no", "0", ...), anything else is invalid. */
export function booleanField(value: unknown): FieldResult<boolean> {
  if (value === null) return failWith(MESSAGES.null);
  if (TRUE_VALUES.has(value)) return ok(true);
  if (FALSE_VALUES.has(value)) return ok(false);
  return failWith(MESSAGES.invalidBoolean);
}

/** ChoiceField: the wire name must be one of `choices`; answers the mapped value. */
export function choiceField<T>(value: unknown, choices: Readonly<Record<string, T>>): FieldResult<T> {
  if (value === null) return failWith(MESSAGES.null);
  const key = pythonStr(value);
  return Object.hasOwn(choices, key) ? ok(choices[key] as T) : failWith(MESSAGES.invalidChoice(value));
}

/** ListField: a list whose item errors are reported by index ({"0": [...]}). */
export function listField<T>(
  value: unknown,
  child: (item: unknown) => FieldResult<T>,
  opts: { allowNull?: boolean } = {},
): FieldResult<T[] | null> {
  if (value === null) return opts.allowNull ? ok(null) : failWith(MESSAGES.null);
  if (!Array.isArray(value)) return failWith(MESSAGES.notAList(value));
  const items: T[] = [];
  const errors: Record<string, ErrorDetail> = {};
  value.forEach((item, index) => {
    const result = child(item);
    if (result.ok) items.push(result.value);
    else errors[String(index)] = result.error;
  });
  return Object.keys(errors).length > 0 ? fail(errors) : ok(items);
}

/** A ListField that may not be null. */
export function requiredList<T>(value: unknown, child: (item: unknown) => FieldResult<T>): FieldResult<T[]> {
  return listField(value, child) as FieldResult<T[]>;
}

/** DictField / JSON object: any object (values unchecked), or null when allowed. */
export function dictField(value: unknown, opts: { allowNull?: boolean } = {}): FieldResult<Record<string, unknown> | null> {
  if (value === null) return opts.allowNull ? ok(null) : failWith(MESSAGES.null);
  return isPlainObject(value) ? ok(value) : failWith(MESSAGES.notADict(value));
}

// Django's parse_datetime: date, a "T" or a space, hh:mm, optional seconds and fraction, optional offset.
const ISO_DATETIME = /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d*)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** DateTimeField: ISO 8601 strings; a value without an offset is UTC (Django's default time zone). */
export function dateTimeField(value: unknown): FieldResult<Date | null> {
  if (value === null) return ok(null);
  const match = typeof value === 'string' ? ISO_DATETIME.exec(value.trim()) : null;
  if (!match) return failWith(MESSAGES.invalidDateTime);
  const [, y, mo, d, h, mi, s = '0', frac = '', tz = 'Z'] = match;
  const offset = tz === 'Z' ? 'Z' : `${tz.slice(0, 3)}:${tz.slice(3).replace(':', '').padEnd(2, '0')}`;
  const iso = `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${frac.padEnd(3, '0').slice(0, 3)}${offset}`;
  const date = new Date(iso);
  const valid = !Number.isNaN(date.getTime()) && Number(mo) >= 1 && Number(mo) <= 12 && Number(d) <= daysIn(Number(y), Number(mo));
  return valid && Number(h) < 24 && Number(mi) < 60 && Number(s) < 60 ? ok(date) : failWith(MESSAGES.invalidDateTime);
}

function pad(part: string | undefined): string {
  return (part ?? '0').padStart(2, '0');
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A nested serializer's input must be an object; DRF reports otherwise under non_field_errors. */
export function objectInput(value: unknown): FieldResult<Record<string, unknown>> {
  if (value === null) return failWith(MESSAGES.null);
  return isPlainObject(value) ? ok(value) : fail({ non_field_errors: [MESSAGES.notAnObject(value)] });
}

export type FieldSpecs<T> = { [K in keyof T]-?: (value: unknown) => FieldResult<Exclude<T[K], undefined>> };

/**
 * A Serializer's field pass: every sent key with a spec is parsed, unknown keys are ignored, all field errors are
 * collected (DRF reports every field at once). Only keys that were sent appear in `values`.
 */
export function runFields<T extends object>(
  data: Record<string, unknown>,
  specs: FieldSpecs<T>,
  required: readonly (keyof T & string)[] = [],
): { values: Partial<T>; errors: Record<string, ErrorDetail> } {
  const values: Partial<T> = {};
  const errors: Record<string, ErrorDetail> = {};
  for (const key of Object.keys(specs) as (keyof T & string)[]) {
    // undefined cannot come from JSON; a JS caller's undefined means "not sent".
    if (data[key] === undefined) {
      if (required.includes(key)) errors[key] = [MESSAGES.required];
      continue;
    }
    const result = specs[key](data[key]);
    if (result.ok) values[key] = result.value;
    else errors[key] = result.error;
  }
  return { values, errors };
}

export function hasErrors(errors: Record<string, ErrorDetail>): boolean {
  return Object.keys(errors).length > 0;
}
