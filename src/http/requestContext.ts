import type {} from 'fastify';

/**
 * What an earlier hook (authentication and organisation resolution) puts on every organisation-scoped request.
 * Routes read these and never parse tokens or organisation slugs themselves.
 */
export interface RequestOrganization {
  /** the organisation id (snowflake, decimal string) */
  id: string;
  slug: string;
}

export interface RequestActor {
  /** the acting user, or null for an organisation token that acts for no user */
  userId: string | null;
  isSuperuser: boolean;
}

/** Set on project-scoped requests (`/api/0/projects/{org}/{project}/...`) only. */
export interface RequestProject {
  id: string;
  slug: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    organization: RequestOrganization;
    actor: RequestActor;
    project: RequestProject;
  }
}
