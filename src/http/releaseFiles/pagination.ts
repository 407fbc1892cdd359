import { z } from 'zod';

/**
 * Sentry-style pagination. A cursor is Sentry's `<value>:<offset>:<is_prev>`; lists without a sort value use value 0
 * and the offset counts the items before the page (the dashboards list does the same). The Link header offers a
 * previous and a next cursor, each with `results="true"` only when that page has something; sentry-cli follows
 * `rel="next"` while `results="true"`.
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

/**
 * The Link header for one page of a list of `total` items. `base` is the absolute URL without its query string;
 * the request's other parameters (`query`) are repeated in both links, the cursor replaced.
 */
export function paginationLinkHeader(base: string, query: URLSearchParams, window: PageWindow, total: number): string {
  const rest = new URLSearchParams(query);
  rest.delete('cursor');
  const prefix = `${base}?${rest.toString()}`;
  const link = (rel: 'previous' | 'next', offset: number, isPrev: boolean, results: boolean) => {
    const cursor = `0:${offset}:${isPrev ? 1 : 0}`;
    return `<${prefix}&cursor=${cursor}>; rel="${rel}"; results="${results}"; cursor="${cursor}"`;
  };
  const previous = link('previous', Math.max(window.offset - window.perPage, 0), true, window.offset > 0);
  const next = link('next', window.offset + window.perPage, false, window.offset + window.perPage < total);
  return `${previous}, ${next}`;
}
