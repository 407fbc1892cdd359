import { sql, type Kysely } from 'kysely';
import type { CandidateUser } from '../../domain/releases/releaseAuthors.js';
import { asDashboardDb } from './dashboardSchema.js';
import type { Database } from './schema.js';

/**
 * Active members of the organisation who own any of these emails (lower-cased), as primary (app_user.email) or
 * secondary (user_email) address. Each user comes with all their emails, so the caller can rank the matches.
 */
export async function findMemberUsersByEmails(
  base: Kysely<Database>,
  organizationId: string,
  emails: readonly string[],
): Promise<CandidateUser[]> {
  const lowered = [...new Set(emails.map((e) => e.toLowerCase()))];
  if (lowered.length === 0) return [];
  const db = asDashboardDb(base);
  const users = await db
    .selectFrom('app_user as u')
    .innerJoin('organization_member as m', 'm.user_id', 'u.id')
    .select(['u.id', 'u.email'])
    .where('m.organization_id', '=', organizationId)
    .where('u.is_active', '=', true)
    .where((eb) =>
      eb.or([
        eb(sql<string>`lower(u.email)`, 'in', lowered),
        eb.exists(
          eb
            .selectFrom('user_email as ue')
            .select('ue.id')
            .whereRef('ue.user_id', '=', 'u.id')
            .where(sql<string>`lower(ue.email)`, 'in', lowered),
        ),
      ]),
    )
    .orderBy('u.id')
    .execute();
  if (users.length === 0) return [];
  const secondary = await db
    .selectFrom('user_email')
    .select(['user_id', 'email'])
    .where(
      'user_id',
      'in',
      users.map((u) => u.id),
    )
    .execute();
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    emails: secondary.filter((e) => e.user_id === u.id).map((e) => e.email),
  }));
}
