import { findProjectsBySlugsOrIds } from '../adapters/db/projects.js';
import type { DbOrTx } from '../adapters/db/connect.js';
import { fieldError } from '../orgs/deps.js';

/**
 * The ids of the projects named by slug or id in a request body. Any unknown name is a 400 on `projects`
 * (the request names projects of its own organisation; a typo must not silently drop one).
 */
export async function resolveReleaseProjectIds(db: DbOrTx, organizationId: string, refs: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(refs)];
  if (wanted.length === 0) return [];
  const projects = await findProjectsBySlugsOrIds(db, organizationId, wanted);
  const known = new Set(projects.flatMap((p) => [p.slug, p.id]));
  const canonical = (ref: string) => (/^\d+$/.test(ref) ? BigInt(ref).toString() : ref);
  const missing = wanted.filter((ref) => !known.has(canonical(ref)));
  if (missing.length > 0) throw fieldError('projects', `Invalid project ids or slugs: ${missing.join(', ')}`);
  return projects.map((p) => p.id);
}
