import type { DashboardValidationContext } from './model.js';
import { validateDashboard } from './validateDashboard.js';

const ctx: DashboardValidationContext = {
  existing: { createdById: '7' },
  actor: { userId: '7', hasOrgWrite: false },
  accessibleProjectIds: new Set(),
  organizationTeamIds: new Set(),
  titleRequired: false,
};

const query = { name: 'Errors', fields: ['count()'], columns: [], aggregates: ['count()'], conditions: 'event.type:error' };
const newWidget = (over: Record<string, unknown> = {}) => ({ title: 'New', displayType: 'line', interval: '5m', queries: [query], ...over });

/** The error body of a PUT whose widgets are [{id: 1}, widget]: errors of the second widget, first one `{}`. */
function widgetErrors(widget: unknown): unknown {
  const result = validateDashboard({ widgets: [{ id: '1' }, widget] }, ctx);
  if (result.ok) throw new Error('expected a validation failure');
  expect(result.status).toBe(400);
  const widgets = (result.body as { widgets: unknown[] }).widgets;
  expect(widgets[0]).toEqual({});
  return widgets[1];
}

function validWidget(widget: unknown) {
  const result = validateDashboard({ widgets: [widget] }, ctx);
  if (!result.ok) throw new Error(`expected valid, got ${JSON.stringify(result.body)}`);
  return result.value.widgets![0]!;
}

describe('widget creation requirements', () => {
  it('scenario 14: a new widget needs a title', () => {
    expect(widgetErrors(newWidget({ title: undefined }))).toEqual({ title: ['Title is required during creation.'] });
  });

  it('a custom-metrics widget may be created without a title', () => {
    expect(validWidget(newWidget({ title: '', widgetType: 'custom-metrics' })).widget_type).toBe(3);
  });

  it('scenario 18: a new widget needs a display type', () => {
    expect(widgetErrors(newWidget({ displayType: undefined }))).toEqual({ displayType: ['displayType is required during creation.'] });
  });

  it('a new widget needs queries; rules are reported one at a time in order', () => {
    expect(widgetErrors({ displayType: 'line' })).toEqual({ queries: ['One or more queries are required to create a widget'] });
    expect(widgetErrors(newWidget({ queries: [] }))).toEqual({ queries: ['One or more queries are required to create a widget'] });
  });

  it('a new query needs fields and conditions, both reported together', () => {
    expect(widgetErrors(newWidget({ queries: [query, { name: 'x', fields: ['a'] }] }))).toEqual({
      queries: [{}, { fields: ['fields are required during creation.'], conditions: ['conditions are required during creation.'] }],
    });
  });

  it('existing widgets and queries sent by id alone need nothing else', () => {
    const result = validateDashboard({ widgets: [{ id: '5', queries: [{ id: '9' }] }] }, ctx);
    expect(result.ok).toBe(true);
  });

  it('scenario 13: unknown widget keys are ignored', () => {
    expect(validWidget({ id: '1', columns: [], aggregates: [] })).toEqual({ id: '1' });
  });
});

describe('widget field rules', () => {
  it('scenarios 16 and 17: limit is 1..10; scenario 15: null is allowed', () => {
    expect(widgetErrors(newWidget({ limit: 11 }))).toEqual({ limit: ['Ensure this value is less than or equal to 10.'] });
    expect(widgetErrors(newWidget({ limit: 0 }))).toEqual({ limit: ['Ensure this value is greater than or equal to 1.'] });
    expect(validWidget(newWidget({ limit: null })).limit).toBeNull();
    expect(validWidget(newWidget({ limit: '10' })).limit).toBe(10);
  });

  it('scenario 22: the interval must match ^(\\d+)([hdmsw]?)$ within 10 characters', () => {
    expect(widgetErrors(newWidget({ interval: '1q' }))).toEqual({ interval: ['Invalid interval'] });
    expect(widgetErrors(newWidget({ interval: '12345678901' }))).toEqual({ interval: ['Ensure this field has no more than 10 characters.'] });
    for (const interval of ['30', '5m', '1h', '1d', '2w', '10s']) expect(validWidget(newWidget({ interval })).interval).toBe(interval);
  });

  it('display, widget and dataset types map to their ids; unknown ones are invalid choices', () => {
    const w = validWidget(newWidget({ displayType: 'top_n', widgetType: 'error-events', datasetSource: 'inferred' }));
    expect([w.display_type, w.widget_type, w.dataset_source, w.discover_widget_split]).toEqual([7, 100, 1, 100]);
    expect(widgetErrors(newWidget({ displayType: 'world_map' }))).toEqual({ displayType: ['"world_map" is not a valid choice.'] });
    expect(widgetErrors(newWidget({ widgetType: true }))).toEqual({ widgetType: ['"True" is not a valid choice.'] });
    expect(validWidget(newWidget({ widgetType: 'issue' })).discover_widget_split).toBeUndefined();
  });

  it('reports every field error of a widget at once, with camelCase keys', () => {
    expect(widgetErrors(newWidget({ limit: 'x', datasetSource: 'nope', description: 5 > 4 ? {} : null }))).toEqual({
      description: ['Not a valid string.'],
      limit: ['A valid integer is required.'],
      datasetSource: ['"nope" is not a valid choice.'],
    });
  });

  it('reports query field errors per query and per list index', () => {
    expect(widgetErrors(newWidget({ queries: [{ ...query, fields: ['count()', ''], isHidden: 'maybe' }] }))).toEqual({
      queries: [{ fields: { '1': ['This field may not be blank.'] }, isHidden: ['Must be a valid boolean.'] }],
    });
    expect(widgetErrors(newWidget({ queries: 'x' }))).toEqual({ queries: { nonFieldErrors: ['Expected a list of items but got type "str".'] } });
  });

  it('scenarios 10, 11, 12: field aliases, selected aggregate and equations are stored as given', () => {
    const w = validWidget(newWidget({
      displayType: 'big_number',
      interval: undefined,
      queries: [{ fields: ['equation|count()'], aggregates: ['count()', 'equation|count()*2'], fieldAliases: ['Errors quantity', ''], selectedAggregate: 1, conditions: '', orderby: '' }],
    }));
    expect(w.interval).toBeUndefined();
    expect(w.queries?.[0]).toEqual({
      fields: ['equation|count()'],
      aggregates: ['count()', 'equation|count()*2'],
      field_aliases: ['Errors quantity', ''],
      selected_aggregate: 1,
      conditions: '',
      orderby: '',
    });
  });
});

describe('layout', () => {
  const layout = { x: 0, y: 0, w: 2, h: 5, minH: 2 };

  it('scenario 37: keeps only x, y, w, h and minH', () => {
    expect(validWidget(newWidget({ layout: { ...layout, i: 'a', static: false, moved: false } })).layout).toEqual(layout);
  });

  it('scenario 35: a coordinate that is not an integer is rejected with its snake_case name', () => {
    expect(widgetErrors(newWidget({ layout: { ...layout, x: 'this type is unexpected' } }))).toEqual({ layout: ['Expected number for: x'] });
    expect(widgetErrors(newWidget({ layout: { ...layout, minH: 1.5 } }))).toEqual({ layout: ['Expected number for: min_h'] });
  });

  it('lists missing keys in camelCase, sorted', () => {
    expect(widgetErrors(newWidget({ layout: { x: 0, y: 0, w: 1 } }))).toEqual({ layout: ['Missing required keys: h, minH'] });
  });

  it('drops null coordinates and accepts a null layout', () => {
    expect(validWidget(newWidget({ layout: { ...layout, x: null } })).layout).toEqual({ y: 0, w: 2, h: 5, minH: 2 });
    expect(validWidget(newWidget({ layout: null })).layout).toBeNull();
  });
});

describe('thresholds', () => {
  const t = (maxValues: unknown, extra: Record<string, unknown> = {}) => newWidget({ thresholds: { maxValues, unit: 'ms', ...extra } });

  it('accepts two increasing maximums and stores them with snake_case keys', () => {
    expect(validWidget(t({ max1: 100, max2: 200 })).thresholds).toEqual({ max_values: { max1: 100, max2: 200 }, unit: 'ms' });
  });

  it('rejects a third maximum by position', () => {
    expect(widgetErrors(t({ max1: 1, max2: 2, max3: 3 }))).toEqual({ thresholds: ['Invalid maximum key max3'] });
  });

  it('rejects negative maximums and non-increasing ones as dict errors', () => {
    expect(widgetErrors(t({ max1: -1, max2: 2 }))).toEqual({ thresholds: { max1: 'Maximum values can not be negative' } });
    expect(widgetErrors(t({ max1: 200, max2: 100 }))).toEqual({ thresholds: { max2: 'Maximum value must be greater than minimum.' } });
  });

  it('requires all maximums or none', () => {
    expect(widgetErrors(t({ max1: 100 }))).toEqual({ thresholds: { max2: 'Must set all threshold maximums or none at all.' } });
    expect(widgetErrors(t({}))).toEqual({ thresholds: { max1: 'Must set all threshold maximums or none at all.' } });
  });

  it('skips checks for zero values (truthiness) and for empty or null thresholds', () => {
    expect(validWidget(t({ max1: 0, max2: 0 })).thresholds).toBeTruthy();
    expect(validWidget(newWidget({ thresholds: {} })).thresholds).toEqual({});
    expect(validWidget(newWidget({ thresholds: null })).thresholds).toBeNull();
  });

  it('also applies to updated widgets', () => {
    const result = validateDashboard({ widgets: [{ id: '3', thresholds: { maxValues: { max1: 5, max2: 1 } } }] }, ctx);
    expect(result.ok).toBe(false);
  });
});
