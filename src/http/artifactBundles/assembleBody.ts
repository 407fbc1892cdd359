import { z } from 'zod';

/** Sentry's per-field messages (newest revision of the endpoint), checked in this order. */
export const FIELD_MESSAGES = {
  version: 'The version field cannot be empty and cannot contain any "/" characters.',
  dist: 'The dist field must be a string.',
  projects: 'The projects field is required and must be provided as an array of strings.',
  checksum: 'The checksum field is required and must be a 40-character hexadecimal string.',
  chunks: 'The chunks field is required and must be provided as an array of 40-character hexadecimal strings.',
} as const;

export const INVALID_JSON_MESSAGE = 'Invalid json body';

/** Payload limits (jobs/assembleJobs.ts): longer values could not be stored, so they are refused up front. */
const MAX_CHUNKS = 100_000;
const MAX_PROJECTS = 1000;

const sha1Hex = z.string().regex(/^[0-9a-f]{40}$/);

const FIELDS = {
  version: z.string().regex(/^[^/]+$/).max(250).optional(),
  dist: z.string().max(64).optional(),
  projects: z.array(z.string().min(1).max(200)).max(MAX_PROJECTS),
  checksum: sha1Hex,
  chunks: z.array(sha1Hex).max(MAX_CHUNKS),
};

export interface ArtifactBundleAssembleBody {
  version?: string;
  dist?: string;
  projects: string[];
  checksum: string;
  chunks: string[];
}

export type ParsedBody = { ok: true; body: ArtifactBundleAssembleBody } | { ok: false; error: string };

/**
 * Validates the raw request body text: JSON first ("Invalid json body"), then an object with only the known keys,
 * then each field in Sentry's order with its own message.
 */
export function parseAssembleBody(text: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: INVALID_JSON_MESSAGE };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: `${JSON.stringify(value)} is not of type 'object'` };
  }
  const record = value as Record<string, unknown>;
  const unexpected = Object.keys(record).filter((key) => !Object.hasOwn(FIELDS, key));
  if (unexpected.length > 0) {
    return { ok: false, error: `Additional properties are not allowed (${unexpected.map((k) => `'${k}'`).join(', ')} was unexpected)` };
  }
  for (const field of Object.keys(FIELDS) as Array<keyof typeof FIELDS>) {
    if (!FIELDS[field].safeParse(record[field]).success) return { ok: false, error: FIELD_MESSAGES[field] };
  }
  return { ok: true, body: record as unknown as ArtifactBundleAssembleBody };
}
