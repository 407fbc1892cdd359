/**
 * Sentry's offset pagination as its clients see it: `per_page` (1..100, default 100), a `cursor` of the form
 * `<value>:<offset>:<is_prev>`, and a `Link` header with a previous and a next cursor, each saying whether it has
 * results. sentry-cli follows `rel="next"` while `results="true"`.
 */
export const DEFAULT_PER_PAGE = 100;
export const MAX_PER_PAGE = 100;

export interface PageRequest {
  offset: number;
  limit: number;
}

/** The page a query string asks for; malformed values fall back to the first page and the default size. */
export function pageRequest(query: { per_page?: unknown; cursor?: unknown }): PageRequest {
  const perPage = typeof query.per_page === 'string' ? Number.parseInt(query.per_page, 10) : Number.NaN;
  const limit = Number.isInteger(perPage) && perPage > 0 ? Math.min(perPage, MAX_PER_PAGE) : DEFAULT_PER_PAGE;
  const match = typeof query.cursor === 'string' ? /^\d+:(\d+):[01]$/.exec(query.cursor) : null;
  const offset = match ? Number(match[1]) : 0;
  return { offset: Number.isSafeInteger(offset) ? offset : 0, limit };
}

/** Splits a fetch of `limit + 1` rows into the page and whether a next page exists. */
export function pageOf<T>(rows: readonly T[], page: PageRequest): { items: T[]; hasNext: boolean } {
  return { items: rows.slice(0, page.limit), hasNext: rows.length > page.limit };
}

/**
 * The `Link` header for a page of `baseUrl` (no query string). The other query parameters are kept, so following a
 * cursor keeps the filters.
 */
export function linkHeader(
  baseUrl: string,
  query: Record<string, string>,
  page: PageRequest,
  hasNext: boolean,
): string {
  const link = (offset: number, isPrev: 0 | 1, rel: string, results: boolean) => {
    const cursor = `0:${offset}:${isPrev}`;
    const params = new URLSearchParams({ ...query, cursor });
    return `<${baseUrl}?${params.toString()}>; rel="${rel}"; results="${results}"; cursor="${cursor}"`;
  };
  const previous = link(Math.max(page.offset - page.limit, 0), 1, 'previous', page.offset > 0);
  return `${previous}, ${link(page.offset + page.limit, 0, 'next', hasNext)}`;
}
