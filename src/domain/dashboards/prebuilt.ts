import { PREBUILT_DASHBOARD_ID } from './constants.js';

/**
 * The one prebuilt dashboard, `default-overview` ("General"), in its wire form. GET answers it until the
 * organisation tombstones it (DELETE) or forks it (PUT creates a real dashboard from the body). Our widgets are a
 * small starter set, not Sentry's list.
 */
export const PREBUILT_DASHBOARD = {
  id: PREBUILT_DASHBOARD_ID,
  title: 'General',
  dateCreated: '',
  createdBy: '',
  widgets: [
    prebuiltWidget('Number of Errors', 'big_number', ['count()'], '!event.type:transaction', { x: 0, y: 0, w: 1, h: 1, minH: 1 }),
    prebuiltWidget('Number of Issues', 'big_number', ['count_unique(issue)'], '!event.type:transaction', { x: 1, y: 0, w: 1, h: 1, minH: 1 }),
    prebuiltWidget('Events', 'line', ['count()'], '!event.type:transaction', { x: 2, y: 0, w: 4, h: 2, minH: 2 }),
    prebuiltWidget('Affected Users', 'line', ['count_unique(user)'], '!event.type:transaction', { x: 0, y: 1, w: 2, h: 2, minH: 2 }),
  ],
} as const;

function prebuiltWidget(title: string, displayType: string, aggregates: string[], conditions: string, layout: Record<string, number>) {
  return {
    title,
    displayType,
    interval: '5m',
    widgetType: 'discover',
    queries: [{ name: '', conditions, fields: aggregates, aggregates, columns: [], orderby: '' }],
    layout,
  };
}

export function isPrebuiltDashboardId(id: string): boolean {
  return id === PREBUILT_DASHBOARD_ID;
}

/** The list entry of the prebuilt dashboard: its dict without widgets, plus the preview fields. */
export function prebuiltListItem(): Record<string, unknown> {
  const { widgets, ...rest } = PREBUILT_DASHBOARD;
  return {
    ...rest,
    widgetDisplay: widgets.map((w) => w.displayType),
    widgetPreview: widgets.map((w) => ({ displayType: w.displayType, layout: w.layout })),
    permissions: null,
    isFavorited: false,
  };
}
