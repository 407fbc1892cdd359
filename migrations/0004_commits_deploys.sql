-- Release history: code repositories, commits and their authors, the commits of a release (ordered, newest first),
-- the head commit a release recorded per repository, environments and deploys (Sentry's sentry_repository,
-- sentry_commit, sentry_commitauthor, sentry_releasecommit, sentry_releaseheadcommit, sentry_environment and
-- sentry_deploy, our names). The release's materialised columns (commit_count, last_commit_id, authors,
-- total_deploys, last_deploy_id) already exist in 0001.

-- provider is null for repositories named by clients (inline commits); integrations would set it.
CREATE TABLE repository (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  name             varchar(200) NOT NULL,
  url              text,
  provider         varchar(64),
  external_id      varchar(64),
  status           integer NOT NULL DEFAULT 0,
  date_added       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT repository_org_name_unique UNIQUE (organization_id, name)
);

-- Emails are stored lower-cased (get-or-create lowercases them), so the unique constraint is case-insensitive.
CREATE TABLE commit_author (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  name             varchar(128),
  email            varchar(200) NOT NULL,
  external_id      varchar(164),
  CONSTRAINT commit_author_org_email_unique UNIQUE (organization_id, email),
  CONSTRAINT commit_author_org_external_id_unique UNIQUE (organization_id, external_id)
);

CREATE TABLE commit (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  repository_id    bigint NOT NULL REFERENCES repository(id) ON DELETE CASCADE,
  key              varchar(64) NOT NULL,
  date_added       timestamptz NOT NULL DEFAULT now(),
  author_id        bigint REFERENCES commit_author(id) ON DELETE SET NULL,
  message          text,
  CONSTRAINT commit_repository_key_unique UNIQUE (repository_id, key)
);
CREATE INDEX commit_repository_date_added_idx ON commit (repository_id, date_added);
CREATE INDEX commit_author_idx ON commit (author_id);

-- "order" 0 is the newest commit (the release's head); a release's commits are replaced as a whole.
CREATE TABLE release_commit (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL,
  release_id       bigint NOT NULL REFERENCES release(id) ON DELETE CASCADE,
  commit_id        bigint NOT NULL REFERENCES commit(id) ON DELETE CASCADE,
  "order"          integer NOT NULL,
  CONSTRAINT release_commit_release_commit_unique UNIQUE (release_id, commit_id),
  CONSTRAINT release_commit_release_order_unique UNIQUE (release_id, "order")
);
CREATE INDEX release_commit_commit_idx ON release_commit (commit_id);

CREATE TABLE release_head_commit (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL,
  repository_id    bigint NOT NULL REFERENCES repository(id) ON DELETE CASCADE,
  release_id       bigint NOT NULL REFERENCES release(id) ON DELETE CASCADE,
  commit_id        bigint NOT NULL REFERENCES commit(id) ON DELETE CASCADE,
  CONSTRAINT release_head_commit_repository_release_unique UNIQUE (repository_id, release_id)
);
CREATE INDEX release_head_commit_release_idx ON release_head_commit (release_id);

CREATE TABLE environment (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  name             varchar(64) NOT NULL,
  date_added       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT environment_org_name_unique UNIQUE (organization_id, name)
);

CREATE TABLE deploy (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL,
  release_id       bigint NOT NULL REFERENCES release(id) ON DELETE CASCADE,
  environment_id   bigint NOT NULL REFERENCES environment(id) ON DELETE CASCADE,
  date_finished    timestamptz NOT NULL DEFAULT now(),
  date_started     timestamptz,
  name             varchar(64),
  url              text,
  notified         boolean DEFAULT false
);
CREATE INDEX deploy_release_idx ON deploy (release_id, date_finished);
