/**
 * Dashboard constants and enums (reference A.4, A.6). Wire names map to the integer ids stored in Postgres.
 * Variant: late 2024, `organizations:dashboards-edit` and `organizations:dashboards-edit-access` on, every other
 * dashboard feature flag off (see docs/dashboards.md).
 */
export const MAX_WIDGETS = 30;
export const WIDGET_LIMIT_MIN = 1;
export const WIDGET_LIMIT_MAX = 10;
export const TITLE_MAX_LENGTH = 255;
export const INTERVAL_MAX_LENGTH = 10;
export const DEFAULT_INTERVAL = '5m';
export const INTERVAL_PATTERN = /^(\d+)([hdmsw]?)$/;
export const ALL_ACCESS_PROJECTS = '-1';
export const THRESHOLD_KEYS = ['max1', 'max2'] as const;
/** Required layout keys, as they look after camelCase -> snake_case conversion. */
export const LAYOUT_KEYS = ['x', 'y', 'w', 'h', 'min_h'] as const;

export const DISPLAY_TYPES = {
  line: 0,
  area: 1,
  stacked_area: 2,
  bar: 3,
  table: 4,
  // 5 was world_map: no longer accepted, still readable
  big_number: 6,
  top_n: 7,
} as const;

export const WIDGET_TYPES = {
  discover: 0,
  issue: 1,
  metrics: 2,
  'custom-metrics': 3,
  'error-events': 100,
  'transaction-like': 101,
  spans: 102,
} as const;

export const DATASET_SOURCES = {
  unknown: 0,
  inferred: 1,
  user: 2,
  forced: 3,
  split_version_1: 4,
  split_version_2: 5,
} as const;

/** Widget types whose split/dataset-source fields survive an update (A.3.2 reset rule). */
export const DISCOVER_LIKE_WIDGET_TYPES: ReadonlySet<number> = new Set([
  WIDGET_TYPES.discover,
  WIDGET_TYPES['transaction-like'],
  WIDGET_TYPES['error-events'],
]);
/** Widget types that derive `discover_widget_split` from themselves (A.2.2 rule 4). */
export const SPLIT_WIDGET_TYPES: ReadonlySet<number> = new Set([WIDGET_TYPES['error-events'], WIDGET_TYPES['transaction-like']]);

export const PREBUILT_DASHBOARD_ID = 'default-overview';

function invert(map: Record<string, number>): ReadonlyMap<number, string> {
  return new Map(Object.entries(map).map(([name, id]) => [id, name]));
}

const DISPLAY_TYPE_NAMES = new Map([...invert(DISPLAY_TYPES), [5, 'world_map']]);
const WIDGET_TYPE_NAMES = invert(WIDGET_TYPES);
const DATASET_SOURCE_NAMES = invert(DATASET_SOURCES);

export function displayTypeName(id: number): string {
  return DISPLAY_TYPE_NAMES.get(id) ?? 'line';
}

/** A null widget type is read as discover (reference A.4). */
export function widgetTypeName(id: number | null): string {
  return WIDGET_TYPE_NAMES.get(id ?? WIDGET_TYPES.discover) ?? 'discover';
}

export function datasetSourceName(id: number): string {
  return DATASET_SOURCE_NAMES.get(id) ?? 'unknown';
}
