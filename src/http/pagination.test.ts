import { cursorSchema, pageOf, pageWindow, paginationLinkHeader, perPageSchema, requestedPage } from './pagination.js';

describe('release-file pagination', () => {
  it('parses per_page within 1..100 and refuses the rest with Sentry\'s message', () => {
    expect(perPageSchema.parse('1')).toBe(1);
    expect(perPageSchema.parse('100')).toBe(100);
    for (const bad of ['0', '101', '-1', '1.5', 'abc', '']) {
      expect(perPageSchema.safeParse(bad).error?.issues[0]?.message).toBe('Invalid per_page parameter.');
    }
  });

  it('reads the offset of a cursor and refuses malformed ones', () => {
    expect(cursorSchema.parse('0:200:0')).toBe(200);
    expect(cursorSchema.parse('0:0:1')).toBe(0);
    expect(cursorSchema.parse('1.5:10:0')).toBe(10);
    expect(cursorSchema.parse('')).toBe(0);
    for (const bad of [' ', '0:1', 'a:1:0', '0:-1:0', '0:1:2', '0:1:0:0']) {
      expect(cursorSchema.safeParse(bad).error?.issues[0]?.message).toBe('Invalid cursor parameter.');
    }
  });

  it('defaults to the first 100', () => {
    expect(pageWindow(undefined, undefined)).toEqual({ offset: 0, perPage: 100 });
  });

  it('links the first page: no previous results, a next page while items remain', () => {
    const header = paginationLinkHeader('http://h/api/0/x/files/', new URLSearchParams('per_page=2'), { offset: 0, perPage: 2 }, true);
    expect(header).toBe(
      '<http://h/api/0/x/files/?per_page=2&cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", ' +
        '<http://h/api/0/x/files/?per_page=2&cursor=0:2:0>; rel="next"; results="true"; cursor="0:2:0"',
    );
  });

  it('links the last page: previous results, no next results; the old cursor is replaced', () => {
    const header = paginationLinkHeader('http://h/f/', new URLSearchParams('cursor=0:4:0&query=app'), { offset: 4, perPage: 2 }, false);
    expect(header).toBe(
      '<http://h/f/?query=app&cursor=0:2:1>; rel="previous"; results="true"; cursor="0:2:1", ' +
        '<http://h/f/?query=app&cursor=0:6:0>; rel="next"; results="false"; cursor="0:6:0"',
    );
  });

  it('an empty first page has results neither way', () => {
    const empty = paginationLinkHeader('http://h/f/', new URLSearchParams(), { offset: 0, perPage: 100 }, false);
    expect(empty).toBe(
      '<http://h/f/?&cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <http://h/f/?&cursor=0:100:0>; rel="next"; results="false"; cursor="0:100:0"',
    );
  });

  it('reads a request page, refusing malformed values with a validation error', () => {
    expect(requestedPage({ per_page: '2', cursor: '0:4:0' })).toEqual({ offset: 4, perPage: 2 });
    expect(requestedPage({})).toEqual({ offset: 0, perPage: 100 });
    expect(() => requestedPage({ per_page: '1000' })).toThrow('Invalid per_page parameter.');
    expect(() => requestedPage({ cursor: 'garbage' })).toThrow('Invalid cursor parameter.');
  });

  it('splits a fetch of one row more than a page into the page and whether another follows', () => {
    expect(pageOf([1, 2, 3], { offset: 0, perPage: 2 })).toEqual({ items: [1, 2], hasNext: true });
    expect(pageOf([1, 2], { offset: 0, perPage: 2 })).toEqual({ items: [1, 2], hasNext: false });
  });
});
