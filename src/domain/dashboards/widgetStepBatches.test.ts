import type { WidgetStep } from './planWidgets.js';
import type { QueryValues, WidgetValues } from './stored.js';
import { widgetStepBatches } from './widgetStepBatches.js';

const widget = (order: number, title = `w${order}`): WidgetValues => ({
  order, title, description: null, thresholds: null, interval: '5m', display_type: 0, widget_type: 0, limit: null,
  detail: { layout: null }, discover_widget_split: null, dataset_source: 0,
});
const query = (order: number, name = `q${order}`): QueryValues => ({
  order, name, fields: ['count()'], conditions: '', aggregates: null, columns: null, field_aliases: null, orderby: '',
  is_hidden: false, selected_aggregate: null,
});

describe('widgetStepBatches', () => {
  it('no steps, no batch', () => {
    expect(widgetStepBatches([])).toEqual([]);
  });

  it('puts distinct widgets in one batch, creates and their queries in step order', () => {
    const steps: WidgetStep[] = [
      { kind: 'create', values: widget(5), queries: [query(0), query(1)] },
      { kind: 'update', widgetId: '1', values: widget(6), queries: { keepQueryIds: ['11'], deleteQueryIds: ['12'], steps: [
        { kind: 'create', values: query(3) },
        { kind: 'update', queryId: '11', values: query(2) },
      ] } },
      { kind: 'update', widgetId: '2', values: widget(7), queries: null },
      { kind: 'create', values: widget(8), queries: [query(0)] },
    ];
    expect(widgetStepBatches(steps)).toEqual([{
      deleteQueries: [{ widgetId: '1', keepQueryIds: ['11'] }],
      createWidgets: [widget(5), widget(8)],
      updateWidgets: [{ widgetId: '1', values: widget(6) }, { widgetId: '2', values: widget(7) }],
      updateQueries: [{ queryId: '11', values: query(2) }],
      createQueries: [
        { widgetOrder: 5, values: query(0) },
        { widgetOrder: 5, values: query(1) },
        { widgetId: '1', values: query(3) },
        { widgetOrder: 8, values: query(0) },
      ],
    }]);
  });

  it('a widget updated twice starts a new batch, so the second update sees the first', () => {
    const steps: WidgetStep[] = [
      { kind: 'update', widgetId: '1', values: widget(1, 'first'), queries: { keepQueryIds: [], deleteQueryIds: [], steps: [{ kind: 'create', values: query(1) }] } },
      { kind: 'update', widgetId: '2', values: widget(2), queries: null },
      { kind: 'update', widgetId: '1', values: widget(3, 'second'), queries: { keepQueryIds: [], deleteQueryIds: [], steps: [{ kind: 'create', values: query(1) }] } },
    ];
    const batches = widgetStepBatches(steps);
    expect(batches.map((b) => b.updateWidgets.map((u) => [u.widgetId, u.values.title]))).toEqual([[['1', 'first'], ['2', 'w2']], [['1', 'second']]]);
    expect(batches.map((b) => b.deleteQueries)).toEqual([[{ widgetId: '1', keepQueryIds: [] }], [{ widgetId: '1', keepQueryIds: [] }]]);
    expect(batches.map((b) => b.createQueries.length)).toEqual([1, 1]);
  });

  it('a query updated twice in one widget is written once, with its last values', () => {
    const steps: WidgetStep[] = [
      { kind: 'update', widgetId: '1', values: widget(1), queries: { keepQueryIds: ['11'], deleteQueryIds: [], steps: [
        { kind: 'update', queryId: '11', values: query(1, 'first') },
        { kind: 'update', queryId: '11', values: query(2, 'second') },
      ] } },
    ];
    expect(widgetStepBatches(steps)[0]?.updateQueries).toEqual([{ queryId: '11', values: query(2, 'second') }]);
  });
});
