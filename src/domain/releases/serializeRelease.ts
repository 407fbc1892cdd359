import { formatApiDate, serializeUser, type UserView } from '../dashboards/serializeDashboard.js';
import { parseReleaseVersion } from '../releaseVersion.js';
import { releaseAuthors, type SerializedAuthor } from './releaseAuthors.js';
import { serializeCommit, type CommitView } from './serializeCommit.js';
import { serializeDeploy, type DeployView } from './serializeDeploy.js';
import { releaseStatusName } from './releaseStatus.js';

/** The release columns the serializer reads (the db adapter's Release extends it with the rest). */
export interface ReleaseFacts {
  id: string;
  version: string;
  /** 0 open, 1 archived; null is treated as open. */
  status: number | null;
  ref: string | null;
  url: string | null;
  dateAdded: Date;
  dateStarted: Date | null;
  dateReleased: Date | null;
  data: Record<string, unknown>;
  commitCount: number | null;
  authors: string[] | null;
  totalDeploys: number | null;
  userAgent: string | null;
}

export interface ReleaseProjectView {
  id: string;
  slug: string;
  name: string;
  platform: string | null;
  /** release_project.new_groups, which may be null */
  newGroups: number | null;
}

/** Everything one release's response needs, loaded in batches by the use case. */
export interface ReleaseView {
  release: ReleaseFacts;
  projects: ReleaseProjectView[];
  owner: UserView | null;
  lastCommit: CommitView | null;
  lastDeploy: DeployView | null;
  /** every author the `authors` ids resolved to (a map over all releases of a batch is fine) */
  authorsById: ReadonlyMap<string, SerializedAuthor>;
  /** the artifact count: single release files plus artifact index entries */
  fileCount: number;
}

export interface SerializeReleaseOptions {
  /** counts new groups of this project only (Sentry's `project` option) */
  projectId?: string;
  /** shows only this project, and its count (a release listed for one project) */
  specializedToProjectId?: string;
}

/**
 * Sentry's release serializer (reference B.3 and B.5) over what this service stores: no events, so `firstEvent`,
 * `lastEvent` are null and there is no health data. Release and project ids are JSON numbers, as Sentry sends them
 * (identity ids and 53-bit snowflakes are exact in a double).
 */
export function serializeRelease(view: ReleaseView, options: SerializeReleaseOptions = {}): Record<string, unknown> {
  const { release } = view;
  const specialized = options.specializedToProjectId;
  const projects = specialized ? view.projects.filter((p) => p.id === specialized) : view.projects;
  return {
    id: Number(release.id),
    version: release.version,
    status: releaseStatusName(release.status),
    shortVersion: release.version,
    versionInfo: serializeVersionInfo(release.version),
    ref: release.ref,
    url: release.url,
    dateReleased: release.dateReleased ? formatApiDate(release.dateReleased) : null,
    dateCreated: formatApiDate(release.dateAdded),
    dateStarted: release.dateStarted ? formatApiDate(release.dateStarted) : null,
    data: release.data,
    newGroups: newGroupsTotal(view.projects, specialized ?? options.projectId),
    owner: view.owner ? serializeUser(view.owner) : null,
    commitCount: release.commitCount ?? 0,
    lastCommit: view.lastCommit ? serializeCommit(view.lastCommit) : null,
    deployCount: release.totalDeploys ?? 0,
    lastDeploy: view.lastDeploy ? serializeDeploy(view.lastDeploy) : null,
    authors: releaseAuthors(release.authors, view.authorsById),
    projects: projects.map(serializeProject),
    firstEvent: null,
    lastEvent: null,
    currentProjectMeta: {},
    userAgent: release.userAgent,
    fileCount: view.fileCount,
  };
}

/** The sum of the non-null counts, or one project's count; 0 when there is none. */
function newGroupsTotal(projects: readonly ReleaseProjectView[], onlyProjectId: string | undefined): number {
  return projects
    .filter((p) => onlyProjectId === undefined || p.id === onlyProjectId)
    .reduce((sum, p) => sum + (p.newGroups ?? 0), 0);
}

function serializeProject(project: ReleaseProjectView): Record<string, unknown> {
  return {
    id: Number(project.id),
    slug: project.slug,
    name: project.name,
    newGroups: project.newGroups,
    platform: project.platform,
    platforms: project.platform ? [project.platform] : [],
    hasHealthData: false,
  };
}

/** `versionInfo`: the parsed version in the API's camelCase, or null when the parser refuses the name. */
export function serializeVersionInfo(version: string): Record<string, unknown> | null {
  const info = parseReleaseVersion(version);
  if (!info) return null;
  const parsed = info.version_parsed;
  return {
    package: info.package,
    version: parsed
      ? {
          raw: info.version_raw,
          major: parsed.major,
          minor: parsed.minor,
          patch: parsed.patch,
          pre: parsed.pre,
          buildCode: parsed.build_code,
          components: parsed.components,
        }
      : { raw: info.version_raw },
    description: info.description,
    buildHash: info.build_hash,
  };
}
