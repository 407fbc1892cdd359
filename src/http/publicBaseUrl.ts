import type { FastifyRequest } from 'fastify';

/**
 * The base every absolute URL we answer is built on (the chunk-upload `url`, artifact-lookup download `url`s).
 *
 * Sentry's clients insist on absolute URLs that start with the URL they were configured with: Sentry's JavaScript CLI
 * (behind the bundler plugins) refuses to send its token elsewhere, and Symbolicator sends credentials only to URLs
 * under its lookup URL. So the base is the origin the client used (`Host`; `X-Forwarded-Proto`/`-Host` only when
 * TRUST_PROXY believes the proxy, which fastify decides), unless PUBLIC_URL names it outright. Building it from the
 * request avoids the classic self-hosting bug of an absolute URL naming an internal host. No trailing slash.
 */
export function publicBaseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  return `${request.protocol}://${request.host}`;
}

/** An absolute URL for `path` (which starts with `/`) on the request's public base. */
export function publicUrlFor(request: FastifyRequest, publicUrl: string | undefined, path: string): string {
  return publicBaseUrl(request, publicUrl) + path;
}
