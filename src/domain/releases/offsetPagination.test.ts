import { linkHeader, pageOf, pageRequest } from './offsetPagination.js';

describe('offset pagination', () => {
  it('reads per_page and cursor, falling back on malformed values', () => {
    expect(pageRequest({ per_page: '2', cursor: '0:4:0' })).toEqual({ offset: 4, limit: 2 });
    expect(pageRequest({ per_page: '1000' })).toEqual({ offset: 0, limit: 100 });
    expect(pageRequest({ per_page: 'x', cursor: 'garbage' })).toEqual({ offset: 0, limit: 100 });
  });

  it('splits the extra row off and builds Sentry Link headers that keep the filters', () => {
    expect(pageOf([1, 2, 3], { offset: 0, limit: 2 })).toEqual({ items: [1, 2], hasNext: true });
    expect(pageOf([1], { offset: 0, limit: 2 })).toEqual({ items: [1], hasNext: false });
    expect(linkHeader('http://h/x/', { query: 'a' }, { offset: 2, limit: 2 }, false)).toBe(
      '<http://h/x/?query=a&cursor=0%3A0%3A1>; rel="previous"; results="true"; cursor="0:0:1", ' +
        '<http://h/x/?query=a&cursor=0%3A4%3A0>; rel="next"; results="false"; cursor="0:4:0"',
    );
  });
});
