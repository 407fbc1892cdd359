import {
  type FieldResult,
  booleanField,
  fail,
  hasErrors,
  integerField,
  objectInput,
  ok,
  requiredList,
  runFields,
} from './drfFields.js';
import type { ValidatedPermissions } from './model.js';

const teamIdField = (v: unknown): FieldResult<string> => {
  const parsed = integerField(v);
  return parsed.ok ? ok(parsed.value.toString()) : parsed;
};

/**
 * The permissions object (A.2.5): `isEditableByEveryone` is required (DRF booleans, "False" included),
 * `teamsWithEditAccess` defaults to [] and every team must belong to the organisation. `null` means "leave as is".
 */
export function validatePermissions(
  raw: unknown,
  organizationTeamIds: ReadonlySet<string>,
): FieldResult<ValidatedPermissions | null> {
  if (raw === null) return ok(null);
  const input = objectInput(raw);
  if (!input.ok) return input;
  const { values, errors } = runFields<ValidatedPermissions>(
    input.value,
    { is_editable_by_everyone: booleanField, teams_with_edit_access: (v) => requiredList(v, teamIdField) },
    ['is_editable_by_everyone'],
  );
  if (hasErrors(errors)) return fail(errors);
  const teams = [...new Set(values.teams_with_edit_access ?? [])];
  const unknownTeams = teams.filter((id) => !organizationTeamIds.has(id));
  if (unknownTeams.length > 0) {
    const list = oxfordJoin(unknownTeams.sort(compareDecimal));
    return fail({ non_field_errors: [`Cannot update dashboard edit permissions. Teams with IDs ${list} do not exist.`] });
  }
  return ok({ is_editable_by_everyone: values.is_editable_by_everyone as boolean, teams_with_edit_access: teams });
}

/**
 * "A", "A and B", "A, B, and C". Sentry lists the ids in Python set order, which cannot be reproduced; we list
 * them in ascending numeric order.
 */
export function oxfordJoin(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(', ')}, and ${items.at(-1)}`;
}

export function compareDecimal(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
