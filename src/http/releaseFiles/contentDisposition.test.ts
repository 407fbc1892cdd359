import { contentDisposition } from './contentDisposition.js';

describe('contentDisposition', () => {
  it('quotes a plain name as it is', () => {
    expect(contentDisposition('app.min.js')).toBe('attachment; filename="app.min.js"');
  });

  it('adds filename* for non-ASCII names, quotes and backslashes', () => {
    expect(contentDisposition('café.js')).toBe(`attachment; filename="caf_.js"; filename*=UTF-8''caf%C3%A9.js`);
    expect(contentDisposition('a"b.js')).toBe(`attachment; filename="a_b.js"; filename*=UTF-8''a%22b.js`);
    expect(contentDisposition("it's.js")).toBe(`attachment; filename="it's.js"`);
  });

  it('never lets a control character through', () => {
    expect(contentDisposition('a\r\nb')).toBe(`attachment; filename="a__b"; filename*=UTF-8''a%0D%0Ab`);
  });
});
