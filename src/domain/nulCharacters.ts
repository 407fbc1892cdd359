/**
 * Postgres stores no NUL (U+0000) in text, varchar or jsonb: a value holding one fails at the database with 22021 /
 * 22P05, which would be a 500 or a retried job. Every boundary (HTTP input, bundle manifests) refuses it first.
 */
export const NUL_CHARACTER_MESSAGE = 'Null characters are not allowed.';

/**
 * Where the first NUL sits in a parsed value (strings, object keys, arrays, nested), as a path such as `version`,
 * `widgets[0].title` or `headers["x\u0000"]` (the key itself), or undefined when there is none.
 */
export function findNulCharacter(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findNulCharacter(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    for (const [key, item] of Object.entries(value)) {
      const itemPath = joinKey(path, key);
      if (key.includes('\u0000')) return itemPath;
      const found = findNulCharacter(item, itemPath);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function joinKey(path: string, key: string): string {
  const plain = /^[A-Za-z_$][\w$-]*$/.test(key);
  if (plain) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}
