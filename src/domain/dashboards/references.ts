import { isPlainObject } from './caseKeys.js';
import { integerField } from './drfFields.js';

/**
 * The team and project ids a raw body mentions, read leniently (invalid ones are skipped: validation reports
 * them). The use case loads exactly these from the database so validation stays pure.
 */
export function referencedIds(body: unknown): { teamIds: string[]; projectIds: string[] } {
  if (!isPlainObject(body)) return { teamIds: [], projectIds: [] };
  const permissions = body.permissions;
  const teams = isPlainObject(permissions) ? (permissions.teamsWithEditAccess ?? permissions.teams_with_edit_access) : undefined;
  return { teamIds: integers(teams), projectIds: integers(body.projects) };
}

function integers(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const parsed = integerField(item);
    return parsed.ok ? [parsed.value.toString()] : [];
  });
}
