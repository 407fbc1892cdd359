-- Artifact bundles: what current sentry-cli uploads (reference sections 1.10 and 6; DESIGN.md sections 4 and 6).
-- We differ from Sentry on purpose: a bundle is identified by the SHA-1 of its bytes (`checksum`), not by the
-- manifest's content-derived `debug_id`, which sentry-cli computes without the release, dist or project, so two
-- builds for two dists share it and Sentry overwrites one with the other (cli protocol 3.5, pain point 7).
-- Release/dist, project and debug-id links are additive: a later upload adds links and never replaces one.

CREATE TABLE artifact_bundle (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id     bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  -- the manifest debug_id (normalised), else derived from the checksum; not unique (see above)
  bundle_id           uuid NOT NULL,
  -- sha1 of the whole uploaded file, SYSB header included: the bundle's identity within the organisation
  checksum            varchar(40) NOT NULL,
  file_id             bigint NOT NULL REFERENCES file(id) ON DELETE CASCADE,
  artifact_count      integer NOT NULL CHECK (artifact_count >= 0),
  -- the manifest's release and dist, kept so that a later request naming no version can be linked without
  -- reading the bundle again (request values win over these, as in Sentry)
  manifest_release    varchar(250),
  manifest_dist       varchar(64),
  date_added          timestamptz NOT NULL DEFAULT now(),
  date_uploaded       timestamptz NOT NULL DEFAULT now(),
  date_last_modified  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT artifact_bundle_org_checksum_unique UNIQUE (organization_id, checksum)
);
CREATE INDEX artifact_bundle_org_bundle_id_idx ON artifact_bundle (organization_id, bundle_id);
CREATE INDEX artifact_bundle_file_idx ON artifact_bundle (file_id);
CREATE INDEX artifact_bundle_org_date_added_idx ON artifact_bundle (organization_id, date_added);

-- dist_name '' means "no dist" (Sentry's NULL_STRING), so that the unique key treats it as one value.
CREATE TABLE release_artifact_bundle (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id     bigint NOT NULL,
  release_name        varchar(250) NOT NULL,
  dist_name           varchar(64) NOT NULL DEFAULT '',
  artifact_bundle_id  bigint NOT NULL REFERENCES artifact_bundle(id) ON DELETE CASCADE,
  date_added          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT release_artifact_bundle_unique UNIQUE (artifact_bundle_id, release_name, dist_name)
);
CREATE INDEX release_artifact_bundle_lookup_idx ON release_artifact_bundle (organization_id, release_name, dist_name);

CREATE TABLE project_artifact_bundle (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id     bigint NOT NULL,
  project_id          bigint NOT NULL REFERENCES project(id) ON DELETE CASCADE,
  artifact_bundle_id  bigint NOT NULL REFERENCES artifact_bundle(id) ON DELETE CASCADE,
  date_added          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT project_artifact_bundle_unique UNIQUE (project_id, artifact_bundle_id)
);
CREATE INDEX project_artifact_bundle_bundle_idx ON project_artifact_bundle (artifact_bundle_id);

-- source_file_type: Sentry's SourceFileType (1 source, 2 minified_source, 3 source_map, 4 indexed_ram_bundle).
CREATE TABLE debug_id_artifact_bundle (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id     bigint NOT NULL,
  debug_id            uuid NOT NULL,
  source_file_type    integer NOT NULL CHECK (source_file_type BETWEEN 1 AND 4),
  artifact_bundle_id  bigint NOT NULL REFERENCES artifact_bundle(id) ON DELETE CASCADE,
  date_added          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT debug_id_artifact_bundle_unique UNIQUE (artifact_bundle_id, debug_id, source_file_type)
);
CREATE INDEX debug_id_artifact_bundle_lookup_idx ON debug_id_artifact_bundle (organization_id, debug_id);

-- The URLs of each bundle, written once when the bundle is first stored. Sentry indexes URLs per release+dist, and
-- only once a release has 3 bundles (indexing was an expensive backfill there). Indexing per bundle instead gives the
-- same lookups (release_artifact_bundle -> bundle -> url) for every release, with no threshold, no backfill, and no
-- re-indexing when an upload adds a release or dist link to a stored bundle.
CREATE TABLE artifact_bundle_index (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id     bigint NOT NULL,
  artifact_bundle_id  bigint NOT NULL REFERENCES artifact_bundle(id) ON DELETE CASCADE,
  url                 text NOT NULL,
  date_added          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT artifact_bundle_index_unique UNIQUE (artifact_bundle_id, url)
);
CREATE INDEX artifact_bundle_index_org_url_idx ON artifact_bundle_index (organization_id, url);

-- Links asked for by assemble requests that arrived while the bundle was still being assembled (the status is keyed
-- by checksum only, so such requests share the running job and cannot enqueue their own). The job applies and
-- deletes them in its transaction; the endpoint and the job serialise on an advisory lock per (org, checksum), so a
-- request either leaves a row here before the job's transaction or finds the stored bundle after it. '' = none.
CREATE TABLE artifact_bundle_pending_link (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  checksum         varchar(40) NOT NULL,
  version          varchar(250) NOT NULL DEFAULT '',
  dist             varchar(64) NOT NULL DEFAULT '',
  project_ids      bigint[] NOT NULL,
  date_added       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT artifact_bundle_pending_link_unique UNIQUE (organization_id, checksum, version, dist, project_ids)
);
