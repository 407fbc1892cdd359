-- Organisation API tokens (Bearer). Only the sha256 of a token is stored; the plaintext is shown once at creation.
CREATE TABLE api_token (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  user_id          bigint REFERENCES app_user(id) ON DELETE CASCADE,
  name             varchar(200) NOT NULL DEFAULT '',
  token_hash       char(64) NOT NULL,
  scopes           text[] NOT NULL DEFAULT '{}',
  date_added       timestamptz NOT NULL DEFAULT now(),
  last_used_at     timestamptz,
  revoked_at       timestamptz,
  CONSTRAINT api_token_hash_unique UNIQUE (token_hash)
);
CREATE INDEX api_token_organization_idx ON api_token (organization_id);
