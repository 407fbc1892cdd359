import type { DashboardValidationContext } from './model.js';
import { validateDashboard } from './validateDashboard.js';

const ctx = (over: Partial<DashboardValidationContext> = {}): DashboardValidationContext => ({
  existing: { createdById: '7' },
  actor: { userId: '7', hasOrgWrite: false },
  accessibleProjectIds: new Set(['101', '102']),
  organizationTeamIds: new Set(['11', '12']),
  titleRequired: false,
  ...over,
});

const query = { name: 'Errors', fields: ['count()'], columns: [], aggregates: ['count()'], conditions: 'event.type:error' };
const newWidget = (over: Record<string, unknown> = {}) => ({ title: 'New', displayType: 'line', interval: '5m', queries: [query], ...over });

function errorsOf(body: unknown, c = ctx()) {
  const result = validateDashboard(body, c);
  if (result.ok) throw new Error(`expected a validation failure, got ${JSON.stringify(result.value)}`);
  return result;
}

function valid(body: unknown, c = ctx()) {
  const result = validateDashboard(body, c);
  if (!result.ok) throw new Error(`expected valid, got ${result.status} ${JSON.stringify(result.body)}`);
  return result.value;
}

describe('validateDashboard: dashboard level', () => {
  it('accepts a title-only body and leaves absent keys absent', () => {
    expect(valid({ title: 'Dashboard Hello' })).toEqual({ title: 'Dashboard Hello' });
  });

  it('rejects a non-object body under nonFieldErrors', () => {
    expect(errorsOf([1]).body).toEqual({ nonFieldErrors: ['Invalid data. Expected a dictionary, but got list.'] });
  });

  it('applies DRF title rules: blank, null, 255 characters, required on create', () => {
    expect(errorsOf({ title: '   ' }).body).toEqual({ title: ['This field may not be blank.'] });
    expect(errorsOf({ title: null }).body).toEqual({ title: ['This field may not be null.'] });
    expect(errorsOf({ title: 'x'.repeat(256) }).body).toEqual({ title: ['Ensure this field has no more than 255 characters.'] });
    expect(valid({ title: 'x'.repeat(255) }).title).toHaveLength(255);
    expect(errorsOf({}, ctx({ titleRequired: true, existing: null })).body).toEqual({ title: ['This field is required.'] });
  });

  it('requires a numeric id when one is sent', () => {
    expect(errorsOf({ id: 'abc' }).body).toEqual({ id: ['Invalid ID format. Must be a numeric string'] });
    expect(valid({ id: 42 }).id).toBe('42');
  });

  it('scenario 52: more than 30 widgets is a non-field error; exactly 30 passes', () => {
    const widgets = Array.from({ length: 31 }, (_, i) => newWidget({ title: `W${i}` }));
    const result = errorsOf({ widgets });
    expect(result.status).toBe(400);
    expect(result.body).toEqual({ nonFieldErrors: ['Number of widgets must be less than 30'] });
    expect(valid({ widgets: widgets.slice(0, 30) }).widgets).toHaveLength(30);
  });

  it('rejects start >= end and bad datetimes', () => {
    expect(errorsOf({ start: '2024-01-02T00:00:00Z', end: '2024-01-01T00:00:00Z' }).body).toEqual({
      nonFieldErrors: ['start must be before end'],
    });
    expect(errorsOf({ start: 'yesterday' }).body).toEqual({
      start: ['Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].'],
    });
    const range = valid({ start: '2024-01-01T00:00:00', end: '2024-01-01 10:30+02:00' });
    expect(range.start?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(range.end?.toISOString()).toBe('2024-01-01T08:30:00.000Z');
  });

  it('scenario 49: a project the actor cannot use is a 403 that wins over 400s', () => {
    const result = errorsOf({ projects: [999], title: '' });
    expect(result.status).toBe(403);
    expect(result.body).toEqual({ detail: 'You do not have permission to perform this action.' });
  });

  it('scenario 50 and 48: [-1], [] and accessible ids pass; ids are normalised', () => {
    expect(valid({ projects: [-1] }).projects).toEqual(['-1']);
    expect(valid({ projects: [] }).projects).toEqual([]);
    expect(valid({ projects: ['101', 102] }).projects).toEqual(['101', '102']);
    expect(errorsOf({ projects: [-1, 101] }).status).toBe(403);
  });

  it('reports list item errors by index', () => {
    expect(errorsOf({ projects: [101, 'x'] }).body).toEqual({ projects: { '1': ['A valid integer is required.'] } });
    expect(errorsOf({ environment: 'prod' }).body).toEqual({ environment: ['Expected a list of items but got type "str".'] });
  });

  it('keeps only release and releaseId from filters', () => {
    expect(valid({ filters: { release: ['v1'], releaseId: ['9'], other: 1 } }).filters).toEqual({ release: ['v1'], release_id: ['9'] });
    expect(errorsOf({ filters: [] }).body).toEqual({ filters: ['Expected a dictionary of items but got type "list".'] });
  });
});

describe('validateDashboard: permissions', () => {
  it('scenario 54: accepts DRF boolean words', () => {
    for (const word of ['False', 'false', 'f', 'no', '0', 0, false]) {
      expect(valid({ permissions: { isEditableByEveryone: word } }).permissions).toEqual({
        is_editable_by_everyone: false,
        teams_with_edit_access: [],
      });
    }
    expect(valid({ permissions: { is_editable_by_everyone: 'True' } }).permissions?.is_editable_by_everyone).toBe(true);
  });

  it('scenario 55: an invalid boolean is reported under permissions.isEditableByEveryone', () => {
    expect(errorsOf({ permissions: { isEditableByEveryone: 'something-invalid' } }).body).toEqual({
      permissions: { isEditableByEveryone: ['Must be a valid boolean.'] },
    });
    expect(errorsOf({ permissions: {} }).body).toEqual({ permissions: { isEditableByEveryone: ['This field is required.'] } });
  });

  it('scenario 56: a member who is not the creator may not change edit access', () => {
    const result = errorsOf({ permissions: { is_editable_by_everyone: false } }, ctx({ actor: { userId: '8', hasOrgWrite: false } }));
    expect(result.body).toEqual({ nonFieldErrors: ['Only the Dashboard Creator may modify Dashboard Edit Access'] });
  });

  it('scenario 57: org:write may change edit access of any dashboard; creation has no creator check', () => {
    expect(valid({ permissions: { is_editable_by_everyone: false } }, ctx({ actor: { userId: '8', hasOrgWrite: true } })).permissions).toBeTruthy();
    expect(valid({ title: 'n', permissions: { is_editable_by_everyone: false } }, ctx({ existing: null, actor: { userId: '8', hasOrgWrite: false } })).permissions).toBeTruthy();
  });

  it('scenario 58: team ids as strings are accepted and deduplicated', () => {
    expect(valid({ permissions: { isEditableByEveryone: 'false', teamsWithEditAccess: ['11', '12', 11] } }).permissions).toEqual({
      is_editable_by_everyone: false,
      teams_with_edit_access: ['11', '12'],
    });
  });

  it('scenario 60: teams of another organisation are listed in an oxford join', () => {
    const one = errorsOf({ permissions: { isEditableByEveryone: false, teamsWithEditAccess: [99] } });
    expect(one.body).toEqual({ permissions: { nonFieldErrors: ['Cannot update dashboard edit permissions. Teams with IDs 99 do not exist.'] } });
    const many = errorsOf({ permissions: { isEditableByEveryone: false, teamsWithEditAccess: ['6', '23134', '0', '1', '11'] } });
    expect(JSON.stringify(many.body)).toContain('Teams with IDs 0, 1, 6, and 23134 do not exist.');
    const two = errorsOf({ permissions: { isEditableByEveryone: false, teamsWithEditAccess: ['6', '1'] } });
    expect(JSON.stringify(two.body)).toContain('Teams with IDs 1 and 6 do not exist.');
  });

  it('scenario 61: permissions null is accepted and means "leave as is"', () => {
    expect(valid({ permissions: null }).permissions).toBeNull();
  });
});
