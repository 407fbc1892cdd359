import type { ColumnType, Selectable } from 'kysely';

/** Kysely table types of migration 0004 (repositories, commits, authors, release commits, environments, deploys). */
type GeneratedId = ColumnType<string, never, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export interface RepositoryTable {
  id: GeneratedId;
  organization_id: string;
  name: string;
  url: WithDefault<string | null>;
  provider: WithDefault<string | null>;
  external_id: WithDefault<string | null>;
  status: WithDefault<number>;
  date_added: Timestamp;
}

export interface CommitAuthorTable {
  id: GeneratedId;
  organization_id: string;
  name: WithDefault<string | null>;
  email: string;
  external_id: WithDefault<string | null>;
}

export interface CommitTable {
  id: GeneratedId;
  organization_id: string;
  repository_id: string;
  key: string;
  date_added: Timestamp;
  author_id: WithDefault<string | null>;
  message: WithDefault<string | null>;
}

export interface ReleaseCommitTable {
  id: GeneratedId;
  organization_id: string;
  release_id: string;
  commit_id: string;
  order: number;
}

export interface ReleaseHeadCommitTable {
  id: GeneratedId;
  organization_id: string;
  repository_id: string;
  release_id: string;
  commit_id: string;
}

export interface EnvironmentTable {
  id: GeneratedId;
  organization_id: string;
  name: string;
  date_added: Timestamp;
}

export interface DeployTable {
  id: GeneratedId;
  organization_id: string;
  release_id: string;
  environment_id: string;
  date_finished: Timestamp;
  date_started: NullableTimestamp;
  name: WithDefault<string | null>;
  url: WithDefault<string | null>;
  notified: WithDefault<boolean | null>;
}

export interface ReleaseHistoryDatabase {
  repository: RepositoryTable;
  commit_author: CommitAuthorTable;
  commit: CommitTable;
  release_commit: ReleaseCommitTable;
  release_head_commit: ReleaseHeadCommitTable;
  environment: EnvironmentTable;
  deploy: DeployTable;
}

export type RepositoryRow = Selectable<RepositoryTable>;
export type CommitAuthorRow = Selectable<CommitAuthorTable>;
export type CommitRow = Selectable<CommitTable>;
export type DeployRow = Selectable<DeployTable>;
