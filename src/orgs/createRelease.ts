import { findOrganizationBySlug } from '../adapters/db/organizations.js';
import { findProjectsBySlugsOrIds, type Project } from '../adapters/db/projects.js';
import { getOrCreateRelease, listReleaseProjectIds, type Release } from '../adapters/db/releases.js';
import { AppError } from '../domain/errors.js';
import { releaseVersionProblem } from '../domain/releaseVersionRules.js';
import { fieldError, type OrgDeps } from './deps.js';

export interface CreateReleaseInput {
  organizationSlug: string;
  version: string;
  /** Projects to link, by slug or numeric id. */
  projectSlugs?: string[];
}

export interface CreateReleaseResult {
  release: Release;
  /** False when the release already existed (creating it again is not an error). */
  created: boolean;
  /** Every project linked to the release after this call. */
  projectIds: string[];
}

async function resolveProjects(deps: OrgDeps, organizationId: string, refs: string[]): Promise<Project[]> {
  const wanted = [...new Set(refs)];
  const projects = await findProjectsBySlugsOrIds(deps.db, organizationId, wanted);
  const found = new Set(projects.flatMap((p) => [p.slug, p.id]));
  // An id ref may carry leading zeros ("007" finds project 7).
  const canonical = (ref: string) => (/^\d+$/.test(ref) ? BigInt(ref).toString() : ref);
  const missing = wanted.filter((ref) => !found.has(canonical(ref)));
  if (missing.length > 0) {
    throw new AppError('not_found', `project "${missing[0]}" not found`, { details: { missing } });
  }
  return projects;
}

/** Creates a release (or finds the existing one) and links the given projects; idempotent. */
export async function createRelease(deps: OrgDeps, input: CreateReleaseInput): Promise<CreateReleaseResult> {
  const problem = releaseVersionProblem(input.version);
  if (problem) throw fieldError('version', problem);
  const org = await findOrganizationBySlug(deps.db, input.organizationSlug);
  if (!org) throw new AppError('not_found', `organization "${input.organizationSlug}" not found`);
  const projects = await resolveProjects(deps, org.id, input.projectSlugs ?? []);
  return deps.db.transaction().execute(async (tx) => {
    const { release, created } = await getOrCreateRelease(tx, {
      organizationId: org.id,
      version: input.version,
      projectIds: projects.map((p) => p.id),
    });
    return { release, created, projectIds: await listReleaseProjectIds(tx, release.id) };
  });
}
