import { sql } from 'kysely';
import type { DashboardDb, DashboardTx } from './dashboardSchema.js';

/**
 * Receipts of applied dashboard PUTs (migration 0007). A receipt is written in the reconcile's transaction, so it
 * exists exactly when the PUT's changes are committed; Redis (the job and its completion) can lose writes in a
 * failover, Postgres cannot.
 */

/** How long receipts are kept: far longer than a PUT's wait or a job's retries, the only times a redo happens. */
export const RECEIPT_RETENTION = '1 day';

/** The dashboard a PUT with this request id updated, or undefined if it has not been applied (committed). */
export async function findReconcileReceipt(db: DashboardDb, requestId: string): Promise<string | undefined> {
  const row = await db.selectFrom('dashboard_reconcile_receipt').select('dashboard_id').where('request_id', '=', requestId).executeTakeFirst();
  return row?.dashboard_id;
}

/** Records that the PUT `requestId` is applied to `dashboardId`, and forgets this dashboard's receipts past retention. */
export async function insertReconcileReceipt(tx: DashboardTx, receipt: { requestId: string; organizationId: string; dashboardId: string }): Promise<void> {
  await tx
    .insertInto('dashboard_reconcile_receipt')
    .values({ request_id: receipt.requestId, organization_id: receipt.organizationId, dashboard_id: receipt.dashboardId })
    .execute();
  await tx
    .deleteFrom('dashboard_reconcile_receipt')
    .where('dashboard_id', '=', receipt.dashboardId)
    .where('date_added', '<', sql<Date>`now() - ${RECEIPT_RETENTION}::interval`)
    .execute();
}
