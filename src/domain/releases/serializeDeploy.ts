import { formatApiDate } from '../dashboards/serializeDashboard.js';

export interface DeployView {
  id: string;
  /** the environment's name */
  environment: string | null;
  name: string | null;
  url: string | null;
  dateStarted: Date | null;
  dateFinished: Date;
}

/** Sentry's DeploySerializer: the id is a string; every other field but `dateFinished` may be null. */
export function serializeDeploy(deploy: DeployView): Record<string, unknown> {
  return {
    id: deploy.id,
    environment: deploy.environment,
    dateStarted: deploy.dateStarted ? formatApiDate(deploy.dateStarted) : null,
    dateFinished: formatApiDate(deploy.dateFinished),
    name: deploy.name,
    url: deploy.url,
  };
}
