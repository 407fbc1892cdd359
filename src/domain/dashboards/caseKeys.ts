/**
 * Key case conversion of Sentry's CamelSnakeSerializer: request keys camelCase -> snake_case, error keys back.
 * Only keys change, at every depth; values (field names inside `fields`, `conditions`, ...) never do.
 */

// Django's re_camel_case: an upper-case letter after a lower-case one, or one that is neither followed by another
// upper-case letter nor the last character, starts a new word.
const CAMEL_BOUNDARY = /((?<=[a-z])[A-Z])|([A-Z](?![A-Z]|$))/g;

function stripUnderscores(value: string): string {
  return value.replace(/^_+|_+$/g, '');
}

export function camelToSnake(key: string): string {
  return stripUnderscores(key.replace(CAMEL_BOUNDARY, '_$&')).toLowerCase();
}

/** Python's str.capitalize: first character upper-case, the rest lower-case. */
function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

export function snakeToCamel(key: string): string {
  const [first = '', ...rest] = stripUnderscores(key).split('_');
  return first.toLowerCase() + rest.map(capitalize).join('');
}

function mapKeysDeep(value: unknown, convert: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => mapKeysDeep(item, convert));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    // A later key that converts to the same name wins, as in a Python dict comprehension.
    for (const [key, item] of Object.entries(value)) out[convert(key)] = mapKeysDeep(item, convert);
    return out;
  }
  return value;
}

export function snakeKeysDeep(value: unknown): unknown {
  return mapKeysDeep(value, camelToSnake);
}

export function camelKeysDeep(value: unknown): unknown {
  return mapKeysDeep(value, snakeToCamel);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
