-- Core tables: organisations, projects, releases, files and blobs, release files.
-- Ids: organization and project ids are snowflake ids chosen by the application; the rest are identity columns.

CREATE TABLE organization (
  id          bigint PRIMARY KEY,
  name        varchar(64) NOT NULL,
  slug        varchar(50) NOT NULL UNIQUE,
  status      integer NOT NULL DEFAULT 0,
  date_added  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE project (
  id               bigint PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  slug             varchar(100) NOT NULL,
  name             varchar(200) NOT NULL,
  platform         varchar(64),
  status           integer NOT NULL DEFAULT 0,
  date_added       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT project_org_slug_unique UNIQUE (organization_id, slug)
);

CREATE TABLE release (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  version          varchar(250) NOT NULL,
  status           integer DEFAULT 0,
  ref              varchar(250),
  url              text,
  date_added       timestamptz NOT NULL DEFAULT now(),
  date_started     timestamptz,
  date_released    timestamptz,
  data             jsonb NOT NULL DEFAULT '{}'::jsonb,
  owner_id         bigint,
  commit_count     integer DEFAULT 0,
  last_commit_id   bigint,
  authors          text[],
  total_deploys    integer DEFAULT 0,
  last_deploy_id   bigint,
  package          text,
  major            bigint,
  minor            bigint,
  patch            bigint,
  revision         bigint,
  prerelease       text,
  build_code       text,
  build_number     bigint,
  user_agent       text,
  CONSTRAINT release_org_version_unique UNIQUE (organization_id, version)
);
CREATE INDEX release_org_date_added_idx ON release (organization_id, date_added);
CREATE INDEX release_org_version_pattern_idx ON release (organization_id, version text_pattern_ops);

CREATE TABLE release_project (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id  bigint NOT NULL REFERENCES project(id) ON DELETE CASCADE,
  release_id  bigint NOT NULL REFERENCES release(id) ON DELETE CASCADE,
  new_groups  integer DEFAULT 0,
  CONSTRAINT release_project_unique UNIQUE (project_id, release_id)
);
CREATE INDEX release_project_release_idx ON release_project (release_id);

CREATE TABLE distribution (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL,
  release_id       bigint NOT NULL REFERENCES release(id) ON DELETE CASCADE,
  name             varchar(64) NOT NULL,
  date_added       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT distribution_release_name_unique UNIQUE (release_id, name)
);

-- A logical file: an ordered list of blobs (file_blob_index).
CREATE TABLE file (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text NOT NULL,
  type       varchar(64) NOT NULL,
  timestamp  timestamptz NOT NULL DEFAULT now(),
  headers    jsonb NOT NULL DEFAULT '{}'::jsonb,
  size       bigint,
  checksum   varchar(40)
);
CREATE INDEX file_timestamp_idx ON file (timestamp);
CREATE INDEX file_checksum_idx ON file (checksum);

-- A content-addressed blob. `path` is the storage key (random, never derived from the checksum);
-- `inline_data` holds tiny printable blobs instead of a stored object; `compression` says how the stored
-- object is encoded ('zstd' or 'none').
CREATE TABLE file_blob (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  checksum     varchar(40) NOT NULL,
  size         bigint NOT NULL,
  path         text,
  inline_data  bytea,
  compression  varchar(16) NOT NULL DEFAULT 'zstd',
  timestamp    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT file_blob_checksum_unique UNIQUE (checksum),
  CONSTRAINT file_blob_location CHECK ((path IS NULL) <> (inline_data IS NULL))
);
CREATE INDEX file_blob_timestamp_idx ON file_blob (timestamp);

CREATE TABLE file_blob_index (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  file_id  bigint NOT NULL REFERENCES file(id) ON DELETE CASCADE,
  blob_id  bigint NOT NULL REFERENCES file_blob(id) ON DELETE RESTRICT,
  "offset" bigint NOT NULL,
  CONSTRAINT file_blob_index_unique UNIQUE (file_id, blob_id, "offset")
);
CREATE INDEX file_blob_index_blob_idx ON file_blob_index (blob_id);

CREATE TABLE file_blob_owner (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  blob_id          bigint NOT NULL REFERENCES file_blob(id) ON DELETE CASCADE,
  organization_id  bigint NOT NULL,
  CONSTRAINT file_blob_owner_unique UNIQUE (blob_id, organization_id)
);
CREATE INDEX file_blob_owner_org_idx ON file_blob_owner (organization_id);

CREATE TABLE release_file (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL,
  release_id       bigint NOT NULL REFERENCES release(id) ON DELETE CASCADE,
  file_id          bigint NOT NULL REFERENCES file(id) ON DELETE CASCADE,
  ident            varchar(40) NOT NULL,
  name             text NOT NULL,
  dist_id          bigint REFERENCES distribution(id) ON DELETE CASCADE,
  artifact_count   integer DEFAULT 1,
  date_accessed    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT release_file_release_ident_unique UNIQUE (release_id, ident)
);
CREATE INDEX release_file_release_name_idx ON release_file (release_id, name);
CREATE INDEX release_file_file_idx ON release_file (file_id);
