import { TITLE_MAX_LENGTH } from './constants.js';
import {
  type FieldResult,
  type FieldSpecs,
  booleanField,
  fail,
  hasErrors,
  numberField,
  listField,
  objectInput,
  ok,
  requiredList,
  runFields,
  stringField,
} from './drfFields.js';
import type { ValidatedQuery } from './model.js';
import { idField } from './widgetRules.js';

const nonBlankString = (value: unknown) => stringField(value);
const anyString = (value: unknown) => stringField(value, { allowBlank: true });

const onDemandExtractionField = (value: unknown): FieldResult<Record<string, unknown>> => {
  const input = objectInput(value);
  if (!input.ok) return input;
  const { values, errors } = runFields<{ extraction_state: string; enabled: boolean }>(input.value, {
    extraction_state: (v) => stringField(v),
    enabled: booleanField,
  });
  return hasErrors(errors) ? fail(errors) : ok(values);
};

const QUERY_FIELDS: FieldSpecs<ValidatedQuery> = {
  id: idField,
  fields: (v) => requiredList(v, nonBlankString),
  aggregates: (v) => listField(v, nonBlankString, { allowNull: true }),
  columns: (v) => listField(v, nonBlankString, { allowNull: true }),
  field_aliases: (v) => listField(v, anyString, { allowNull: true }),
  // Sentry leaves name unbounded and fails on insert past 255; we answer 400 instead.
  name: (v) => stringField(v, { allowBlank: true, maxLength: TITLE_MAX_LENGTH }),
  conditions: anyString,
  orderby: anyString,
  is_hidden: booleanField,
  on_demand_extraction: onDemandExtractionField,
  on_demand_extraction_disabled: booleanField,
  selected_aggregate: (v) => numberField(v, { allowNull: true }),
};

/**
 * DashboardWidgetQuerySerializer (A.2.3). The Discover and issue-search grammars are out of scope: conditions,
 * fields, aggregates, columns and orderby are stored as given, so the only object-level rule is the creation one.
 */
export function validateQuery(raw: unknown): FieldResult<ValidatedQuery> {
  const input = objectInput(raw);
  if (!input.ok) return input;
  const { values, errors } = runFields(input.value, QUERY_FIELDS);
  if (hasErrors(errors)) return fail(errors);
  if (values.id === undefined && (values.fields === undefined || values.conditions === undefined)) {
    return fail({
      fields: ['fields are required during creation.'],
      conditions: ['conditions are required during creation.'],
    });
  }
  return ok(values);
}
