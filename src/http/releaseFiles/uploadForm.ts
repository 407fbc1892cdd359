import { z } from 'zod';
import { normalizeContentType } from '../../domain/contentType.js';
import { findNulCharacter, NUL_CHARACTER_MESSAGE } from '../../domain/nulCharacters.js';

/** Sentry's details for a refused single-file upload (the CLI prints them). */
export const UPLOAD_FORM_ERROR = {
  missingFile: 'Missing uploaded file',
  missingName: 'File name must be specified',
  nameWhitespace: 'File name must not contain special whitespace characters',
  badHeader: 'header value was not formatted correctly',
  headerWhitespace: 'header value must not contain special whitespace characters',
} as const;

/** Sentry's Distribution.name is at most 64 characters (the column is varchar(64)). */
export const MAX_DIST_LENGTH = 64;

/** Characters a name or header value must not hold: they would break the response headers of a download. */
const SPECIAL_WHITESPACE = /[\n\t\r\f\v\\]/;

/** The text fields of the form as received: every value of each field, in order. */
const uploadFieldsSchema = z.object({
  name: z.array(z.string()).optional(),
  dist: z.array(z.string()).optional(),
  header: z.array(z.string()).optional(),
});

export interface UploadFormInput {
  fields: Record<string, string[]>;
  /** the `file` part's filename and declared type; undefined when the form had no file part */
  file: { filename: string; mimetype: string | undefined } | undefined;
}

export interface UploadForm {
  name: string;
  dist: string | null;
  headers: Record<string, string>;
}

export type FormDecision = { ok: true; form: UploadForm } | { ok: false; error: string };

/**
 * Sentry's reading of the form: `name` defaults to the file's filename; as with a Django form the last value of a
 * repeated field wins; an empty `dist` means none; `Content-Type` records the part's declared type (parameters
 * dropped, guessed from the name when absent), then each `header` field `Key:Value` adds or overrides a header.
 */
export function parseUploadForm(input: UploadFormInput): FormDecision {
  if (!input.file) return { ok: false, error: UPLOAD_FORM_ERROR.missingFile };
  const fields = uploadFieldsSchema.parse(input.fields);
  const withNul = findNulCharacter({ ...fields, filename: input.file.filename });
  if (withNul !== undefined) return { ok: false, error: `${withNul.replace(/\[\d+\]$/, '')}: ${NUL_CHARACTER_MESSAGE}` };
  const name = fields.name?.at(-1) ?? input.file.filename;
  if (!name || name === 'file') return { ok: false, error: UPLOAD_FORM_ERROR.missingName };
  if (SPECIAL_WHITESPACE.test(name)) return { ok: false, error: UPLOAD_FORM_ERROR.nameWhitespace };
  const dist = fields.dist?.at(-1) || null;
  if (dist !== null && dist.length > MAX_DIST_LENGTH) return { ok: false, error: `dist: must be at most ${MAX_DIST_LENGTH} characters` };
  const headers: Record<string, string> = { 'Content-Type': normalizeContentType(input.file.mimetype, name.slice(name.lastIndexOf('/') + 1)) };
  for (const field of fields.header ?? []) {
    const parsed = parseHeaderField(field);
    if (!parsed.ok) return parsed;
    headers[parsed.key] = parsed.value;
  }
  return { ok: true, form: { name, dist, headers } };
}

function parseHeaderField(field: string): { ok: true; key: string; value: string } | { ok: false; error: string } {
  const colon = field.indexOf(':');
  if (colon <= 0) return { ok: false, error: UPLOAD_FORM_ERROR.badHeader };
  const value = field.slice(colon + 1);
  if (SPECIAL_WHITESPACE.test(value)) return { ok: false, error: UPLOAD_FORM_ERROR.headerWhitespace };
  return { ok: true, key: field.slice(0, colon), value: value.trim() };
}
