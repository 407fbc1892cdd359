import { loadPermissions, loadUsers, loadWidgets, tombstoneExists } from '../../adapters/db/dashboardReads.js';
import { withDbErrors } from '../../adapters/db/errors.js';
import { PREBUILT_DASHBOARD_ID } from '../../domain/dashboards/constants.js';
import { PREBUILT_DASHBOARD, prebuiltListItem } from '../../domain/dashboards/prebuilt.js';
import { serializeDashboardListItem } from '../../domain/dashboards/serializeDashboard.js';
import { type DashboardDeps, type DashboardRequestActor, resolveActor } from './dashboardAccess.js';

export interface ListDashboardsInput {
  organizationId: string;
  actor: DashboardRequestActor;
  /** case-insensitive substring of the title */
  query?: string;
  perPage?: number;
  offset?: number;
}

export interface DashboardListPage {
  items: Record<string, unknown>[];
  offset: number;
  perPage: number;
  hasNext: boolean;
}

export const DEFAULT_PER_PAGE = 100;

/**
 * `GET /dashboards/`: the prebuilt dashboard first (unless tombstoned or filtered out by `query`), then the
 * organisation's dashboards by title, one page at a time (Sentry's ChainPaginator over the two sources).
 */
export async function listDashboards(deps: DashboardDeps, input: ListDashboardsInput): Promise<DashboardListPage> {
  return withDbErrors(async () => {
    await resolveActor(deps.db, input.organizationId, input.actor);
    const perPage = Math.min(Math.max(input.perPage ?? DEFAULT_PER_PAGE, 1), DEFAULT_PER_PAGE);
    const offset = Math.max(input.offset ?? 0, 0);
    const query = input.query?.trim() ?? '';
    const prebuilt = (await prebuiltVisible(deps, input.organizationId, query)) ? [prebuiltListItem()] : [];
    const head = prebuilt.slice(offset, offset + perPage);
    let select = deps.db.selectFrom('dashboard').selectAll().where('organization_id', '=', input.organizationId);
    if (query) select = select.where('title', 'ilike', `%${escapeLike(query)}%`);
    const rows = await select
      .orderBy('title')
      .orderBy('id')
      .offset(Math.max(0, offset - prebuilt.length))
      .limit(perPage - head.length + 1)
      .execute();
    const page = rows.slice(0, perPage - head.length);
    const ids = page.map((r) => r.id);
    const [widgets, permissions, users] = await Promise.all([
      loadWidgets(deps.db, ids),
      loadPermissions(deps.db, ids),
      loadUsers(deps.db, page.flatMap((r) => (r.created_by_id ? [r.created_by_id] : []))),
    ]);
    const items = page.map((row) =>
      serializeDashboardListItem({
        id: row.id,
        title: row.title,
        dateAdded: row.date_added,
        createdBy: row.created_by_id ? (users.get(row.created_by_id) ?? null) : null,
        filters: row.filters,
        widgets: widgets.get(row.id) ?? [],
        projectIds: [],
        permissions: permissions.get(row.id) ?? null,
      }),
    );
    return { items: [...head, ...items], offset, perPage, hasNext: head.length + rows.length > perPage };
  });
}

async function prebuiltVisible(deps: DashboardDeps, organizationId: string, query: string): Promise<boolean> {
  if (query && !PREBUILT_DASHBOARD.title.toLowerCase().includes(query.toLowerCase())) return false;
  return !(await tombstoneExists(deps.db, organizationId, PREBUILT_DASHBOARD_ID));
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
