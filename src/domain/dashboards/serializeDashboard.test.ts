import { canEditDashboard, dashboardActor } from './editAccess.js';
import { statusOfDashboardErrorBody } from './errorBodies.js';
import { type DashboardView, formatApiDate, formatPythonIsoDate, serializeDashboard } from './serializeDashboard.js';

const now = new Date('2024-06-01T00:00:00Z');
const options = { now, retentionDays: null };

function view(over: Partial<DashboardView> = {}): DashboardView {
  return {
    id: '5',
    title: 'D',
    dateAdded: new Date('2024-01-02T03:04:05.678Z'),
    createdBy: null,
    filters: null,
    widgets: [],
    projectIds: [],
    permissions: null,
    ...over,
  };
}

describe('serializeDashboard', () => {
  it('formats dates as Sentry does', () => {
    expect(formatApiDate(new Date('2024-01-02T03:04:05.678Z'))).toBe('2024-01-02T03:04:05.678000Z');
    expect(formatPythonIsoDate(new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02T03:04:05+00:00');
    expect(formatPythonIsoDate(new Date('2024-01-02T03:04:05.5Z'))).toBe('2024-01-02T03:04:05.500000+00:00');
  });

  it('orders widgets and queries, and fills the read defaults', () => {
    const widget = (id: string, order: number) => ({
      id, order, title: id, description: null, thresholds: { max_values: { max1: 1, max2: 2 } }, interval: null, display_type: 5, widget_type: null,
      limit: null, detail: null, discover_widget_split: null, dataset_source: 4, dateAdded: now,
      queries: [
        { id: 'b', order: 9, name: '', fields: [], conditions: '', aggregates: null, columns: null, field_aliases: null, orderby: '', is_hidden: false, selected_aggregate: null },
        { id: 'a', order: 2, name: '', fields: [], conditions: '', aggregates: null, columns: null, field_aliases: null, orderby: '', is_hidden: false, selected_aggregate: null },
      ],
    });
    const out = serializeDashboard(view({ widgets: [widget('w2', 8), widget('w1', 4)] }), options) as { widgets: Record<string, unknown>[] };
    expect(out.widgets.map((w) => w.id)).toEqual(['w1', 'w2']);
    expect(out.widgets[0]).toMatchObject({ interval: '5m', widgetType: 'discover', displayType: 'world_map', datasetSource: 'split_version_1', layout: null, thresholds: { max_values: { max1: 1, max2: 2 } } });
    expect((out.widgets[0]!.queries as { id: string; aggregates: unknown }[]).map((q) => [q.id, q.aggregates])).toEqual([['a', []], ['b', []]]);
  });

  it('answers projects, release filters and optional filter keys', () => {
    const out = serializeDashboard(view({ projectIds: ['30', '4'], filters: { release: [], release_id: ['7'], period: '7d', environment: null, utc: false } }), options);
    expect(out).toMatchObject({ projects: [4, 30], filters: { releaseId: ['7'] }, period: '7d', utc: false });
    expect(out).not.toHaveProperty('environment');
    expect(serializeDashboard(view({ projectIds: ['4'], filters: { all_projects: true } }), options).projects).toEqual([-1]);
  });

  it('moves a start older than the retention window and reports it expired', () => {
    const filters = { start: '2024-01-01T00:00:00.000Z', end: '2024-05-30T00:00:00.000Z' };
    expect(serializeDashboard(view({ filters }), options)).toMatchObject({ start: '2024-01-01T00:00:00+00:00', expired: false });
    expect(serializeDashboard(view({ filters }), { now, retentionDays: 90 })).toMatchObject({ start: '2024-03-03T00:00:00+00:00', expired: true });
  });
});

describe('canEditDashboard (edit-access variant)', () => {
  const member = dashboardActor({ userId: '2', isSuperuser: false, role: 'member' });
  const closed = { isEditableByEveryone: false, teamIds: ['10'] };

  it('org:write comes from manager, owner, superuser, or an organisation-level actor', () => {
    expect(dashboardActor({ userId: '1', isSuperuser: false, role: 'owner' }).hasOrgWrite).toBe(true);
    expect(dashboardActor({ userId: '1', isSuperuser: false, role: 'manager' }).hasOrgWrite).toBe(true);
    expect(dashboardActor({ userId: '1', isSuperuser: false, role: 'admin' }).hasOrgWrite).toBe(false);
    expect(dashboardActor({ userId: '1', isSuperuser: true, role: null }).hasOrgWrite).toBe(true);
    expect(dashboardActor({ userId: null, isSuperuser: false, role: null }).hasOrgWrite).toBe(true);
  });

  it('applies the permissions row: everyone, creator, team member, else refused', () => {
    const facts = { actor: member, createdById: '1', actorTeamIds: new Set<string>() };
    expect(canEditDashboard({ ...facts, permissions: null })).toBe(true);
    expect(canEditDashboard({ ...facts, permissions: { isEditableByEveryone: true, teamIds: [] } })).toBe(true);
    expect(canEditDashboard({ ...facts, permissions: closed })).toBe(false);
    expect(canEditDashboard({ ...facts, permissions: closed, actorTeamIds: new Set(['10']) })).toBe(true);
    expect(canEditDashboard({ ...facts, permissions: closed, createdById: '2' })).toBe(true);
  });
});

describe('statusOfDashboardErrorBody', () => {
  it('recovers the status of a job failure body', () => {
    expect(statusOfDashboardErrorBody({ detail: 'The requested resource does not exist' })).toBe(404);
    expect(statusOfDashboardErrorBody({ detail: 'You do not have permission to perform this action.' })).toBe(403);
    expect(statusOfDashboardErrorBody(['Dashboard with that title already exists.'])).toBe(409);
    expect(statusOfDashboardErrorBody(['You cannot use a query not owned by this widget'])).toBe(400);
    expect(statusOfDashboardErrorBody({ title: ['This field may not be blank.'] })).toBe(400);
  });
});
