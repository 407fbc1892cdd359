-- Users, organisation membership and teams (what dashboard edit permissions refer to), and dashboards with their
-- widgets and widget queries (Sentry's sentry_dashboard* tables, our names).
-- Ids are identity columns; organisation and project ids are the snowflake ids of 0001.

CREATE TABLE app_user (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      varchar(128) NOT NULL,
  name          varchar(200) NOT NULL DEFAULT '',
  email         varchar(75) NOT NULL DEFAULT '',
  is_active     boolean NOT NULL DEFAULT true,
  is_superuser  boolean NOT NULL DEFAULT false,
  date_joined   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT app_user_username_unique UNIQUE (username)
);

CREATE TABLE user_email (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  email        varchar(75) NOT NULL,
  is_verified  boolean NOT NULL DEFAULT false,
  CONSTRAINT user_email_user_email_unique UNIQUE (user_id, email)
);

CREATE TABLE organization_member (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  user_id          bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  role             varchar(32) NOT NULL DEFAULT 'member',
  date_added       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT organization_member_org_user_unique UNIQUE (organization_id, user_id),
  CONSTRAINT organization_member_role_check CHECK (role IN ('member', 'admin', 'manager', 'owner'))
);
CREATE INDEX organization_member_user_idx ON organization_member (user_id);

CREATE TABLE team (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  slug             varchar(50) NOT NULL,
  name             varchar(64) NOT NULL,
  date_added       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT team_org_slug_unique UNIQUE (organization_id, slug)
);

CREATE TABLE organization_member_team (
  id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_member_id  bigint NOT NULL REFERENCES organization_member(id) ON DELETE CASCADE,
  team_id                 bigint NOT NULL REFERENCES team(id) ON DELETE CASCADE,
  CONSTRAINT organization_member_team_unique UNIQUE (organization_member_id, team_id)
);
CREATE INDEX organization_member_team_team_idx ON organization_member_team (team_id);

-- created_by_id is nullable (Sentry: not null, cascade): a dashboard created through an organisation token that
-- acts for no user has no creator, and deleting a user keeps the organisation's dashboards.
CREATE TABLE dashboard (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  title            varchar(255) NOT NULL,
  created_by_id    bigint REFERENCES app_user(id) ON DELETE SET NULL,
  date_added       timestamptz NOT NULL DEFAULT now(),
  visits           bigint DEFAULT 1,
  last_visited     timestamptz DEFAULT now(),
  filters          jsonb,
  CONSTRAINT dashboard_org_title_unique UNIQUE (organization_id, title)
);

-- (dashboard_id, order) is unique and not deferred: the reconcile assigns every kept or new widget an order above
-- the current maximum (the reference's "max + 1" offset), so row-by-row updates never collide.
CREATE TABLE dashboard_widget (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dashboard_id           bigint NOT NULL REFERENCES dashboard(id) ON DELETE CASCADE,
  "order"                integer NOT NULL CHECK ("order" >= 0),
  title                  varchar(255) NOT NULL,
  description            varchar(255),
  thresholds             jsonb,
  "interval"             varchar(10),
  display_type           integer NOT NULL CHECK (display_type >= 0),
  date_added             timestamptz NOT NULL DEFAULT now(),
  widget_type            integer CHECK (widget_type >= 0),
  "limit"                integer,
  detail                 jsonb,
  discover_widget_split  integer CHECK (discover_widget_split >= 0),
  dataset_source         integer NOT NULL DEFAULT 0 CHECK (dataset_source >= 0),
  CONSTRAINT dashboard_widget_order_unique UNIQUE (dashboard_id, "order")
);

CREATE TABLE dashboard_widget_query (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  widget_id           bigint NOT NULL REFERENCES dashboard_widget(id) ON DELETE CASCADE,
  name                varchar(255) NOT NULL,
  fields              text[] NOT NULL DEFAULT '{}',
  conditions          text NOT NULL,
  aggregates          text[],
  columns             text[],
  field_aliases       text[],
  orderby             text NOT NULL DEFAULT '',
  "order"             integer NOT NULL CHECK ("order" >= 0),
  date_added          timestamptz NOT NULL DEFAULT now(),
  date_modified       timestamptz NOT NULL DEFAULT now(),
  is_hidden           boolean NOT NULL DEFAULT false,
  selected_aggregate  integer,
  CONSTRAINT dashboard_widget_query_order_unique UNIQUE (widget_id, "order")
);

CREATE TABLE dashboard_project (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id    bigint NOT NULL REFERENCES project(id) ON DELETE CASCADE,
  dashboard_id  bigint NOT NULL REFERENCES dashboard(id) ON DELETE CASCADE,
  CONSTRAINT dashboard_project_unique UNIQUE (project_id, dashboard_id)
);
CREATE INDEX dashboard_project_dashboard_idx ON dashboard_project (dashboard_id);

CREATE TABLE dashboard_permissions (
  id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dashboard_id             bigint NOT NULL REFERENCES dashboard(id) ON DELETE CASCADE,
  is_editable_by_everyone  boolean NOT NULL DEFAULT true,
  CONSTRAINT dashboard_permissions_dashboard_unique UNIQUE (dashboard_id)
);

CREATE TABLE dashboard_permissions_team (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  permissions_id  bigint NOT NULL REFERENCES dashboard_permissions(id) ON DELETE CASCADE,
  team_id         bigint NOT NULL REFERENCES team(id) ON DELETE CASCADE,
  CONSTRAINT dashboard_permissions_team_unique UNIQUE (team_id, permissions_id)
);
CREATE INDEX dashboard_permissions_team_permissions_idx ON dashboard_permissions_team (permissions_id);

-- A prebuilt dashboard (only 'default-overview') that the organisation replaced or removed.
CREATE TABLE dashboard_tombstone (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  slug             varchar(255) NOT NULL,
  date_added       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT dashboard_tombstone_org_slug_unique UNIQUE (organization_id, slug)
);
