import { formatApiDate } from '../dashboards/serializeDashboard.js';
import type { SerializedAuthor } from './releaseAuthors.js';

/** A code repository as the API shows it (Sentry's RepositorySerializer, without integration fields). */
export interface RepositoryView {
  id: string;
  name: string;
  url: string | null;
  provider: string | null;
  status: number;
  dateAdded: Date;
}

export interface CommitView {
  /** the commit's key (sha), which the API calls `id` */
  key: string;
  message: string | null;
  dateAdded: Date;
  repository: RepositoryView | null;
  /** the mapped author (a user or `{name, email}`), null when the commit has none */
  author: SerializedAuthor | null;
}

const REPOSITORY_STATUS: Record<number, string> = {
  0: 'active',
  1: 'disabled',
  2: 'hidden',
  3: 'pending_deletion',
  4: 'deletion_in_progress',
};

/**
 * Repositories named by clients have no provider. sentry-cli requires `provider.id` and `provider.name` to be
 * strings, so a missing provider is shown as Sentry shows one it does not know.
 */
function serializeProvider(provider: string | null): { id: string; name: string } {
  if (!provider) return { id: 'unknown', name: 'Unknown Provider' };
  const bare = provider.replace(/^integrations:/, '');
  return { id: provider, name: bare.charAt(0).toUpperCase() + bare.slice(1) };
}

export function serializeRepository(repo: RepositoryView): Record<string, unknown> {
  return {
    id: repo.id,
    name: repo.name,
    url: repo.url,
    provider: serializeProvider(repo.provider),
    status: REPOSITORY_STATUS[repo.status] ?? 'active',
    dateCreated: formatApiDate(repo.dateAdded),
    integrationId: null,
    externalSlug: null,
    externalId: null,
  };
}

/** Sentry's CommitSerializer: the key is the id; a missing repository or author is `{}`. */
export function serializeCommit(commit: CommitView): Record<string, unknown> {
  return {
    id: commit.key,
    message: commit.message,
    dateCreated: formatApiDate(commit.dateAdded),
    pullRequest: null,
    suspectCommitType: '',
    repository: commit.repository ? serializeRepository(commit.repository) : {},
    author: commit.author ?? {},
  };
}
