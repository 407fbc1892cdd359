import { camelKeysDeep, isPlainObject, snakeKeysDeep } from './caseKeys.js';
import { ALL_ACCESS_PROJECTS, MAX_WIDGETS, TITLE_MAX_LENGTH } from './constants.js';
import {
  type ErrorDetail,
  type FieldResult,
  type FieldSpecs,
  MESSAGES,
  booleanField,
  charField,
  dateTimeField,
  dictField,
  hasErrors,
  integerField,
  listField,
  ok,
  requiredList,
  runFields,
  stringField,
} from './drfFields.js';
import { FORBIDDEN_BODY } from './errorBodies.js';
import type { DashboardValidationContext, ValidatedDashboard, ValidatedDashboardFilters, ValidatedWidget } from './model.js';
import { validatePermissions } from './validatePermissions.js';
import { nestedList, validateWidget } from './validateWidget.js';
import { idField } from './widgetRules.js';

export type DashboardValidation =
  | { ok: true; value: ValidatedDashboard }
  | { ok: false; status: 400 | 403; body: unknown };

const projectIdField = (v: unknown): FieldResult<string> => {
  const parsed = integerField(v);
  return parsed.ok ? ok(parsed.value.toString()) : parsed;
};

const filtersField = (v: unknown): FieldResult<ValidatedDashboardFilters> => {
  const dict = dictField(v);
  if (!dict.ok) return dict;
  const filters: ValidatedDashboardFilters = {};
  // Only release and release_id are read; their values are stored as given.
  if (dict.value && Object.hasOwn(dict.value, 'release')) filters.release = dict.value.release;
  if (dict.value && Object.hasOwn(dict.value, 'release_id')) filters.release_id = dict.value.release_id;
  return ok(filters);
};

function dashboardFields(ctx: DashboardValidationContext): FieldSpecs<ValidatedDashboard> {
  return {
    id: idField,
    title: (v) => stringField(v, { maxLength: TITLE_MAX_LENGTH }),
    widgets: (v) => nestedList<ValidatedWidget>(v, validateWidget),
    projects: (v) => requiredList(v, projectIdField),
    environment: (v) => listField(v, (item) => stringField(item), { allowNull: true }),
    period: (v) => charField(v, { allowNull: true }),
    start: dateTimeField,
    end: dateTimeField,
    filters: filtersField,
    utc: booleanField,
    permissions: (v) => validatePermissions(v, ctx.organizationTeamIds),
  };
}

/**
 * DashboardDetailsSerializer (A.2.1) for PUT, and its create flavour (title required) for POST and prebuilt forks.
 * Keys are converted camelCase -> snake_case first and error keys back. A project the actor cannot use is a 403
 * that wins over every 400, as DRF's PermissionDenied escapes the field pass.
 */
export function validateDashboard(body: unknown, ctx: DashboardValidationContext): DashboardValidation {
  if (!isPlainObject(body)) return invalid({ non_field_errors: [MESSAGES.notAnObject(body)] });
  const data = snakeKeysDeep(body) as Record<string, unknown>;
  const { values, errors } = runFields(data, dashboardFields(ctx), ctx.titleRequired ? ['title'] : []);
  if (values.projects && !projectsAccessible(values.projects, ctx.accessibleProjectIds)) {
    return { ok: false, status: 403, body: FORBIDDEN_BODY };
  }
  if (hasErrors(errors)) return invalid(errors);
  const rule = dashboardRuleError(values, ctx);
  return rule ? invalid({ non_field_errors: [rule] }) : { ok: true, value: values };
}

function invalid(errors: ErrorDetail): DashboardValidation {
  return { ok: false, status: 400, body: camelKeysDeep(errors) };
}

/** `[-1]` (all projects) and `[]` always pass; otherwise every id must be a project the actor may use. */
function projectsAccessible(projectIds: string[], accessible: ReadonlySet<string>): boolean {
  const ids = new Set(projectIds);
  if (ids.size === 0 || (ids.size === 1 && ids.has(ALL_ACCESS_PROJECTS))) return true;
  return [...ids].every((id) => accessible.has(id));
}

/** The object-level validate(): runs only when every field is valid; the first failing rule is reported. */
function dashboardRuleError(dashboard: ValidatedDashboard, ctx: DashboardValidationContext): string | null {
  if (dashboard.widgets && dashboard.widgets.length > MAX_WIDGETS) {
    return `Number of widgets must be less than ${MAX_WIDGETS}`;
  }
  if (dashboard.start && dashboard.end && dashboard.start.getTime() >= dashboard.end.getTime()) {
    return 'start must be before end';
  }
  const changesPermissions = dashboard.permissions !== undefined && dashboard.permissions !== null;
  const mayChangePermissions =
    ctx.actor.hasOrgWrite || (ctx.actor.userId !== null && ctx.existing?.createdById === ctx.actor.userId);
  if (changesPermissions && ctx.existing && !mayChangePermissions) {
    return 'Only the Dashboard Creator may modify Dashboard Edit Access';
  }
  return null;
}
