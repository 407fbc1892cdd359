import {
  DATASET_SOURCES,
  DISPLAY_TYPES,
  SPLIT_WIDGET_TYPES,
  TITLE_MAX_LENGTH,
  WIDGET_LIMIT_MAX,
  WIDGET_LIMIT_MIN,
  WIDGET_TYPES,
} from './constants.js';
import {
  type ErrorDetail,
  type FieldResult,
  type FieldSpecs,
  MESSAGES,
  charField,
  choiceField,
  fail,
  hasErrors,
  numberField,
  objectInput,
  ok,
  runFields,
  stringField,
} from './drfFields.js';
import type { ValidatedQuery, ValidatedWidget } from './model.js';
import { validateQuery } from './validateQuery.js';
import { idField, intervalField, layoutField, thresholdsError, thresholdsField } from './widgetRules.js';

/**
 * A `many=True` nested serializer: not a list is a non-field error of the list; item errors come back as a list
 * with `{}` for every valid item (A.2.7).
 */
export function nestedList<T>(value: unknown, child: (item: unknown) => FieldResult<T>): FieldResult<T[]> {
  if (value === null) return fail([MESSAGES.null]);
  if (!Array.isArray(value)) return fail({ non_field_errors: [MESSAGES.notAList(value)] });
  const results = value.map(child);
  if (results.every((r) => r.ok)) return ok(results.map((r) => (r as { value: T }).value));
  return fail(results.map((r): ErrorDetail => (r.ok ? {} : r.error)));
}

const WIDGET_FIELDS: FieldSpecs<Omit<ValidatedWidget, 'discover_widget_split'>> = {
  id: idField,
  title: (v) => stringField(v, { allowBlank: true, maxLength: TITLE_MAX_LENGTH }),
  description: (v) => charField(v, { allowBlank: true, allowNull: true, maxLength: TITLE_MAX_LENGTH }),
  thresholds: thresholdsField,
  display_type: (v) => choiceField(v, DISPLAY_TYPES),
  interval: intervalField,
  queries: (v) => nestedList<ValidatedQuery>(v, validateQuery),
  widget_type: (v) => choiceField(v, WIDGET_TYPES),
  limit: (v) => numberField(v, { allowNull: true, min: WIDGET_LIMIT_MIN, max: WIDGET_LIMIT_MAX }),
  layout: layoutField,
  dataset_source: (v) => choiceField(v, DATASET_SOURCES),
};

/** DashboardWidgetSerializer (A.2.2): field pass, then the object-level rules, first failure wins. */
export function validateWidget(raw: unknown): FieldResult<ValidatedWidget> {
  const input = objectInput(raw);
  if (!input.ok) return input;
  const { values, errors } = runFields(input.value, WIDGET_FIELDS);
  if (hasErrors(errors)) return fail(errors);
  const ruleError = creationError(values) ?? thresholdsError(values.thresholds);
  if (ruleError) return fail(ruleError);
  const widget: ValidatedWidget = { ...values };
  if (values.widget_type !== undefined && SPLIT_WIDGET_TYPES.has(values.widget_type)) {
    widget.discover_widget_split = values.widget_type;
  }
  return ok(widget);
}

/** A widget without an id is created: it needs queries, a title (except custom-metrics) and a display type. */
function creationError(widget: ValidatedWidget): ErrorDetail | null {
  if (widget.id !== undefined) return null;
  if (!widget.queries || widget.queries.length === 0) {
    return { queries: ['One or more queries are required to create a widget'] };
  }
  if (!widget.title && widget.widget_type !== WIDGET_TYPES['custom-metrics']) {
    return { title: ['Title is required during creation.'] };
  }
  if (widget.display_type === undefined) return { display_type: ['displayType is required during creation.'] };
  return null;
}
