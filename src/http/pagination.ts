import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../domain/errors.js';

/**
 * Sentry-style pagination. A cursor is Sentry's `<value>:<offset>:<is_prev>`; lists without a sort value use value 0
 * and the offset counts the items before the page (the dashboards list does the same). The Link header offers a
 * previous and a next cursor, each with `results="true"` only when that page has something; sentry-cli follows
 * `rel="next"` while `results="true"`. Every list of the API (releases, release files, deploys, repositories,
 * dashboards) pages this way.
 */
export const DEFAULT_PER_PAGE = 100;
export const MAX_PER_PAGE = 100;

export const INVALID_PER_PAGE = 'Invalid per_page parameter.';
export const INVALID_CURSOR = 'Invalid cursor parameter.';

export const perPageSchema = z
  .string()
  .regex(/^\d{1,6}$/, INVALID_PER_PAGE)
  .transform(Number)
  .refine((n) => n >= 1 && n <= MAX_PER_PAGE, INVALID_PER_PAGE);

/**
 * The offset a cursor points at (its value is not used: these lists have no sort value to resume from). An empty
 * cursor is the first page: sentry-cli starts every listing with `?cursor=`.
 */
export const cursorSchema = z
  .string()
  .regex(/^(?:-?\d{1,15}(?:\.\d+)?:\d{1,12}:[01])?$/, INVALID_CURSOR)
  .transform((value) => (value === '' ? 0 : Number(value.split(':')[1])));

export interface PageWindow {
  offset: number;
  perPage: number;
}

export function pageWindow(perPage: number | undefined, offset: number | undefined): PageWindow {
  return { offset: offset ?? 0, perPage: perPage ?? DEFAULT_PER_PAGE };
}

/** The page a request asks for; a malformed `per_page` or `cursor` is a 400 with Sentry's message. */
export function requestedPage(query: unknown): PageWindow {
  const parsed = pageQuerySchema.safeParse(query);
  if (!parsed.success) throw new AppError('validation_failed', parsed.error.issues[0]?.message ?? INVALID_CURSOR);
  return pageWindow(parsed.data.per_page, parsed.data.cursor);
}

const pageQuerySchema = z.object({ per_page: perPageSchema.optional(), cursor: cursorSchema.optional() });

/** Splits a fetch of `perPage + 1` rows into the page and whether a next page exists. */
export function pageOf<T>(rows: readonly T[], window: PageWindow): { items: T[]; hasNext: boolean } {
  return { items: rows.slice(0, window.perPage), hasNext: rows.length > window.perPage };
}

/** The Link header of a page of this request's list, keeping its other query parameters (repeated ones too). */
export function requestLinkHeader(request: FastifyRequest, window: PageWindow, hasNext: boolean): string {
  const at = request.url.indexOf('?');
  const base = `${request.protocol}://${request.host}${at === -1 ? request.url : request.url.slice(0, at)}`;
  return paginationLinkHeader(base, new URLSearchParams(at === -1 ? '' : request.url.slice(at + 1)), window, hasNext);
}

/**
 * The Link header for one page of a list. `base` is the absolute URL without its query string;
 * the request's other parameters (`query`) are repeated in both links, the cursor replaced.
 */
export function paginationLinkHeader(base: string, query: URLSearchParams, window: PageWindow, hasNext: boolean): string {
  const rest = new URLSearchParams(query);
  rest.delete('cursor');
  const prefix = `${base}?${rest.toString()}`;
  const link = (rel: 'previous' | 'next', offset: number, isPrev: boolean, results: boolean) => {
    const cursor = `0:${offset}:${isPrev ? 1 : 0}`;
    return `<${prefix}&cursor=${cursor}>; rel="${rel}"; results="${results}"; cursor="${cursor}"`;
  };
  const previous = link('previous', Math.max(window.offset - window.perPage, 0), true, window.offset > 0);
  const next = link('next', window.offset + window.perPage, false, hasNext);
  return `${previous}, ${next}`;
}
