import { AppError } from '../errors.js';

/**
 * The fixed error answers of the dashboard endpoints (reference A.7), each with its HTTP status. Validation errors
 * (400, DRF envelope) are the only bodies not listed here.
 */
export const NOT_FOUND_BODY = { detail: 'The requested resource does not exist' };
export const FORBIDDEN_BODY = { detail: 'You do not have permission to perform this action.' };
export const TITLE_TAKEN_BODY = ['Dashboard with that title already exists.'];
/** POST answers a title clash with a bare JSON string (Sentry's organization_dashboards endpoint). */
export const CREATE_TITLE_TAKEN_BODY = 'Dashboard title already taken';
export const WIDGET_NOT_IN_DASHBOARD_BODY = ['You cannot update widgets that are not part of this dashboard.'];
export const QUERY_NOT_IN_WIDGET_BODY = ['You cannot use a query not owned by this widget'];
export const LAST_DASHBOARD_BODY = ['Cannot delete last Dashboard.'];

export interface DashboardErrorAnswer {
  status: 400 | 403 | 404 | 409;
  body: unknown;
}

const FIXED_ANSWERS: readonly DashboardErrorAnswer[] = [
  { status: 404, body: NOT_FOUND_BODY },
  { status: 403, body: FORBIDDEN_BODY },
  { status: 409, body: TITLE_TAKEN_BODY },
  { status: 409, body: CREATE_TITLE_TAKEN_BODY },
  { status: 409, body: LAST_DASHBOARD_BODY },
  { status: 400, body: WIDGET_NOT_IN_DASHBOARD_BODY },
  { status: 400, body: QUERY_NOT_IN_WIDGET_BODY },
];

/**
 * The status of a dashboard error body. A reconcile job's failure reason is the error body alone (the validation
 * errors, as producers expect); the HTTP layer recovers the status from it: a fixed answer, else a 400 envelope.
 */
export function statusOfDashboardErrorBody(body: unknown): DashboardErrorAnswer['status'] {
  const text = JSON.stringify(body);
  return FIXED_ANSWERS.find((answer) => JSON.stringify(answer.body) === text)?.status ?? 400;
}

/** What a dashboard AppError carries in `details`: the exact HTTP answer. */
export interface DashboardErrorDetails {
  status: DashboardErrorAnswer['status'];
  body: unknown;
}

const CODE_BY_STATUS = { 400: 'validation_failed', 403: 'forbidden', 404: 'not_found', 409: 'conflict' } as const;

/** A permanent dashboard failure: code by status, the body as the message (also the job's failure reason). */
export function dashboardError(status: DashboardErrorDetails['status'], body: unknown): AppError {
  const details: DashboardErrorDetails = { status, body };
  return new AppError(CODE_BY_STATUS[status], JSON.stringify(body), { details });
}

/** The HTTP answer an error stands for, when it is a dashboard AppError. */
export function dashboardErrorDetails(err: unknown): DashboardErrorDetails | null {
  if (!(err instanceof AppError) || typeof err.details !== 'object' || err.details === null) return null;
  const { status, body } = err.details as Partial<DashboardErrorDetails>;
  return typeof status === 'number' && body !== undefined ? { status, body } : null;
}
