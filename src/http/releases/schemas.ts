import { z } from 'zod';
import { DATE_FORMAT_MESSAGE, parseApiDate } from '../../domain/releases/apiDate.js';
import { AppError } from '../../domain/errors.js';

/**
 * Request bodies of the releases API, with the messages Sentry's (DRF) serializers give, so clients that print
 * `{"field": ["message"]}` show the same text. Unknown keys are ignored, as Sentry ignores them.
 */
const REQUIRED = 'This field is required.';
const NOT_NULL = 'This field may not be null.';

const typeError = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? REQUIRED : issue.input === null ? NOT_NULL : message;

const maxLength = (max: number) => ({ error: `Ensure this field has no more than ${max} characters.` });

const text = (max?: number) => {
  const base = z.string({ error: typeError('Not a valid string.') });
  return max === undefined ? base : base.max(max, maxLength(max));
};

const apiDate = z.string({ error: typeError(DATE_FORMAT_MESSAGE) }).transform((value, ctx) => {
  const date = parseApiDate(value);
  if (date === null) {
    ctx.addIssue({ code: 'custom', message: DATE_FORMAT_MESSAGE });
    return z.NEVER;
  }
  return date;
});

const list = <T extends z.ZodType>(item: T) =>
  z.array(item, { error: (issue) => (issue.input === undefined ? REQUIRED : issue.input === null ? NOT_NULL : 'Expected a list of items.') });

const status = z.enum(['open', 'archived'], { error: (issue) => (issue.input === undefined ? REQUIRED : `"${String(issue.input)}" is not a valid choice.`) });

/** Projects by slug or id; ids may come as numbers. */
const projectRef = z.union([z.string(), z.number().int().nonnegative()], { error: 'Not a valid project slug or id.' }).transform(String);

const inlineCommit = z.object({
  id: text(64).min(1, { error: 'This field may not be blank.' }),
  repository: text(200).nullish(),
  message: text().nullish(),
  author_name: text(128).nullish(),
  author_email: text(75).nullish(),
  timestamp: apiDate.nullish(),
});

const headRef = z.object({
  repository: text(200),
  commit: text(64).min(1, { error: 'This field may not be blank.' }),
  previousCommit: text(64).nullish(),
});

const releaseFields = {
  ref: text(250).nullish(),
  url: text(2000).nullish(),
  dateReleased: apiDate.nullish(),
  dateStarted: apiDate.nullish(),
  status: status.optional(),
  commits: list(inlineCommit).optional(),
  refs: list(headRef).optional(),
};

/** POST releases/ (both scopes; the project scope ignores `projects`). */
export const createReleaseBody = z.object({
  // no length here: releaseVersionProblem holds it to Sentry's 200 code points and says so (a zod max would
  // count UTF-16 units and name the column's 250)
  version: text(),
  projects: list(projectRef).optional(),
  ...releaseFields,
});

/** PUT releases/{version}/: any subset. */
export const updateReleaseBody = z.object({
  projects: list(projectRef).optional(),
  ...releaseFields,
});

// Sentry's environment names: no line breaks, form feeds or slashes, at most 64 characters.
const environmentName = text(64)
  .min(1, { error: 'This field may not be blank.' })
  .regex(/^[^\n\r\f/]*$/, { error: 'Invalid value for environment' });

/** POST releases/{version}/deploys/ */
export const createDeployBody = z.object({
  environment: environmentName,
  name: text(64).nullish(),
  url: text(2000).nullish(),
  dateStarted: apiDate.nullish(),
  dateFinished: apiDate.nullish(),
});

/** Parses a JSON body; a failure is a 400 whose body is Sentry's `{field: [messages]}`. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const got = Array.isArray(body) ? 'list' : body === null || body === undefined ? 'nothing' : typeof body;
    throw fieldErrors({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`] });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const errors: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const [field, ...rest] = issue.path.map(String);
    const key = field ?? 'non_field_errors';
    const message = rest.length > 0 ? `${rest.join('.')}: ${issue.message}` : issue.message;
    (errors[key] ??= []).push(message);
  }
  throw fieldErrors(errors);
}

function fieldErrors(details: Record<string, string[]>): AppError {
  const first = Object.values(details)[0]?.[0] ?? 'Invalid request';
  return new AppError('validation_failed', first, { details });
}
