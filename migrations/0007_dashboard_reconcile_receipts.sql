-- Dashboard PUT receipts (issue 17): the durable answer to "did this PUT's reconcile commit?". The reconcile job writes
-- the row in the transaction that applies the PUT, so a row exists exactly when the update is in Postgres. The API
-- answers 200 only once the row is there, and re-enqueues a job that Redis lost in a failover (async replication can
-- drop an acknowledged write); a job whose receipt exists is not applied again. Rows older than a day are deleted by
-- later reconciles of the same dashboard (a redo happens within a PUT's wait or a job's retries, long before).

CREATE TABLE dashboard_reconcile_receipt (
  -- the PUT's request id, also in the job's payload and id
  request_id       uuid PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  -- the dashboard the PUT updated (for the prebuilt dashboard: the one it forked)
  dashboard_id     bigint NOT NULL REFERENCES dashboard(id) ON DELETE CASCADE,
  date_added       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dashboard_reconcile_receipt_dashboard_idx ON dashboard_reconcile_receipt (dashboard_id, date_added);
