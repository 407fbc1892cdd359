import { z } from 'zod';

export const INVALID_JSON_BODY = 'Invalid json body';

/** Matches the job payload's bound, so a body we accept is always a payload the worker accepts. */
const MAX_CHUNKS = 100_000;

const required = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`);

const sha1Hex = z
  .string({ error: required('a string') })
  .regex(/^[0-9a-f]{40}$/, 'must be a 40-character lower-case hex SHA-1');

/** Sentry's schema for `POST releases/{version}/assemble/`: both keys required, nothing else allowed. */
export const releaseAssembleBodySchema = z.strictObject(
  {
    checksum: sha1Hex,
    chunks: z.array(sha1Hex, { error: required('an array of SHA-1 strings') }).max(MAX_CHUNKS, `must have at most ${MAX_CHUNKS} entries`),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'The body must be a JSON object' : undefined) },
);

export type ReleaseAssembleBody = z.infer<typeof releaseAssembleBodySchema>;

export type ParsedBody<T> = { ok: true; body: T } | { ok: false; error: string };

/**
 * Parses the raw body the way Sentry does: anything that is not JSON is "Invalid json body"; a schema violation is
 * one line naming the first offending field.
 */
export function parseReleaseAssembleBody(raw: string | undefined): ParsedBody<ReleaseAssembleBody> {
  let json: unknown;
  try {
    json = JSON.parse(raw ?? '');
  } catch {
    return { ok: false, error: INVALID_JSON_BODY };
  }
  const result = releaseAssembleBodySchema.safeParse(json);
  return result.success ? { ok: true, body: result.data } : { ok: false, error: firstIssueLine(result.error) };
}

function firstIssueLine(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid body';
  const path = issue.path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join('');
  return path ? `${path}: ${issue.message}` : issue.message;
}
