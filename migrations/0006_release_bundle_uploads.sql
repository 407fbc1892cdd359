-- Release-bundle uploads that were stored (DESIGN.md section 6): the durable answer to "did this upload end ok?"
-- once its Redis assemble status (600 s) has expired. The assemble job writes the row in the transaction that
-- commits the bundle's release files, so a row exists exactly when the files were stored; a failed or rolled-back
-- upload leaves none. Keyed by release as well as checksum: the same bytes uploaded to another release are another
-- upload, and deleting the release (cascade) forgets its uploads.

CREATE TABLE release_bundle_upload (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
  release_id       bigint NOT NULL REFERENCES release(id) ON DELETE CASCADE,
  -- sha1 of the whole uploaded bundle, as the client names it in the assemble request
  checksum         varchar(40) NOT NULL,
  -- manifest entries of the bundle (0: an empty manifest, which ends ok and stores no file)
  file_count       integer NOT NULL CHECK (file_count >= 0),
  date_added       timestamptz NOT NULL DEFAULT now(),
  -- when an identical upload last ended ok (a retried job or a re-upload of the same bytes)
  date_last_seen   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT release_bundle_upload_unique UNIQUE (organization_id, release_id, checksum)
);
CREATE INDEX release_bundle_upload_release_idx ON release_bundle_upload (release_id);
