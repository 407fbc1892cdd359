/**
 * Every failed call of the API client: the HTTP status (0 when no answer came: connection refused or reset), Sentry's
 * `detail` string when the body carried one, and the parsed body (JSON, else text) for anything richer.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly detail: string | null,
    readonly body: unknown,
    readonly method: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(`${method} ${url} failed: ${status === 0 ? 'no response' : `HTTP ${status}`}${detail ? `: ${detail}` : ''}`, options);
  }
}

/** Sentry answers errors as `{"detail": "..."}`; anything else has no detail. */
export function detailOf(body: unknown): string | null {
  if (body && typeof body === 'object' && 'detail' in body && typeof (body as { detail: unknown }).detail === 'string') {
    return (body as { detail: string }).detail;
  }
  return null;
}
