import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { ReleaseHistoryDatabase } from './releaseHistorySchema.js';

/**
 * Table types for Kysely. Postgres `bigint` comes back from `pg` as a decimal string; ids stay strings everywhere
 * (as Sentry's API returns them) and sizes are converted to numbers by the repositories that read them.
 */
type Id = ColumnType<string, string | bigint, never>;
type GeneratedId = ColumnType<string, never, never>;
type BigIntColumn = ColumnType<string, number | string | bigint, number | string | bigint>;
type NullableBigInt = ColumnType<string | null, number | string | bigint | null, number | string | bigint | null>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | undefined, string>;

export interface OrganizationTable {
  id: Id;
  name: string;
  slug: string;
  status: Generated<number>;
  date_added: Timestamp;
}

export interface ProjectTable {
  id: Id;
  organization_id: string;
  slug: string;
  name: string;
  platform: string | null;
  status: Generated<number>;
  date_added: Timestamp;
}

export interface ReleaseTable {
  id: GeneratedId;
  organization_id: string;
  version: string;
  status: Generated<number | null>;
  ref: string | null;
  url: string | null;
  date_added: Timestamp;
  date_started: NullableTimestamp;
  date_released: NullableTimestamp;
  data: Json<Record<string, unknown>>;
  owner_id: string | null;
  commit_count: Generated<number | null>;
  last_commit_id: string | null;
  authors: string[] | null;
  total_deploys: Generated<number | null>;
  last_deploy_id: string | null;
  package: string | null;
  major: NullableBigInt;
  minor: NullableBigInt;
  patch: NullableBigInt;
  revision: NullableBigInt;
  prerelease: string | null;
  build_code: string | null;
  build_number: NullableBigInt;
  user_agent: string | null;
}

export interface ReleaseProjectTable {
  id: GeneratedId;
  project_id: string;
  release_id: string;
  new_groups: Generated<number | null>;
}

export interface DistributionTable {
  id: GeneratedId;
  organization_id: string;
  release_id: string;
  name: string;
  date_added: Timestamp;
}

export interface FileTable {
  id: GeneratedId;
  name: string;
  type: string;
  timestamp: Timestamp;
  headers: Json<Record<string, unknown>>;
  size: NullableBigInt;
  checksum: string | null;
}

export interface FileBlobTable {
  id: GeneratedId;
  checksum: string;
  size: BigIntColumn;
  path: string | null;
  inline_data: Buffer | null;
  compression: string;
  timestamp: Timestamp;
}

export interface FileBlobIndexTable {
  id: GeneratedId;
  file_id: string;
  blob_id: string;
  offset: BigIntColumn;
}

export interface FileBlobOwnerTable {
  id: GeneratedId;
  blob_id: string;
  organization_id: string;
}

export interface ReleaseFileTable {
  id: GeneratedId;
  organization_id: string;
  release_id: string;
  file_id: string;
  ident: string;
  name: string;
  dist_id: string | null;
  artifact_count: Generated<number | null>;
  date_accessed: Timestamp;
}

export interface ArtifactBundleTable {
  id: GeneratedId;
  organization_id: string;
  bundle_id: string;
  checksum: string;
  file_id: string;
  artifact_count: number;
  manifest_release: string | null;
  manifest_dist: string | null;
  date_added: Timestamp;
  date_uploaded: Timestamp;
  date_last_modified: Timestamp;
}

export interface ReleaseArtifactBundleTable {
  id: GeneratedId;
  organization_id: string;
  release_name: string;
  dist_name: Generated<string>;
  artifact_bundle_id: string;
  date_added: Timestamp;
}

export interface ProjectArtifactBundleTable {
  id: GeneratedId;
  organization_id: string;
  project_id: string;
  artifact_bundle_id: string;
  date_added: Timestamp;
}

export interface DebugIdArtifactBundleTable {
  id: GeneratedId;
  organization_id: string;
  debug_id: string;
  source_file_type: number;
  artifact_bundle_id: string;
  date_added: Timestamp;
}

export interface ArtifactBundleIndexTable {
  id: GeneratedId;
  organization_id: string;
  artifact_bundle_id: string;
  url: string;
  date_added: Timestamp;
}

export interface ArtifactBundlePendingLinkTable {
  id: GeneratedId;
  organization_id: string;
  checksum: string;
  version: Generated<string>;
  dist: Generated<string>;
  project_ids: string[];
  date_added: Timestamp;
}

/** Migration 0006: a release-bundle upload whose files were stored (the status fallback once Redis forgot it). */
export interface ReleaseBundleUploadTable {
  id: GeneratedId;
  organization_id: string;
  release_id: string;
  checksum: string;
  file_count: number;
  date_added: Timestamp;
  date_last_seen: Timestamp;
}

export interface Database extends ReleaseHistoryDatabase {
  organization: OrganizationTable;
  project: ProjectTable;
  release: ReleaseTable;
  release_project: ReleaseProjectTable;
  distribution: DistributionTable;
  file: FileTable;
  file_blob: FileBlobTable;
  file_blob_index: FileBlobIndexTable;
  file_blob_owner: FileBlobOwnerTable;
  release_file: ReleaseFileTable;
  artifact_bundle: ArtifactBundleTable;
  release_artifact_bundle: ReleaseArtifactBundleTable;
  project_artifact_bundle: ProjectArtifactBundleTable;
  debug_id_artifact_bundle: DebugIdArtifactBundleTable;
  artifact_bundle_index: ArtifactBundleIndexTable;
  artifact_bundle_pending_link: ArtifactBundlePendingLinkTable;
  release_bundle_upload: ReleaseBundleUploadTable;
}

export type OrganizationRow = Selectable<OrganizationTable>;
export type ProjectRow = Selectable<ProjectTable>;
export type ReleaseRow = Selectable<ReleaseTable>;
export type FileRow = Selectable<FileTable>;
export type FileBlobRow = Selectable<FileBlobTable>;
export type ReleaseFileRow = Selectable<ReleaseFileTable>;
export type NewFile = Insertable<FileTable>;
