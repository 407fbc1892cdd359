import { DEFAULT_CONTENT_TYPE, normalizeContentType } from './contentType.js';

describe('normalizeContentType', () => {
  it.each([
    ['text/plain; charset=utf-8', 'x.bin', 'text/plain'],
    ['  application/json  ', 'x', 'application/json'],
    ['application/javascript;charset=UTF-8', 'x', 'application/javascript'],
    ['image/png', 'photo.jpg', 'image/png'],
  ])('keeps the given type %p before the first ";"', (given, name, expected) => {
    expect(normalizeContentType(given, name)).toBe(expected);
  });

  it.each([
    [undefined, 'app.js', 'text/javascript'],
    [null, 'app.js.map', 'application/json'],
    ['', 'index.html', 'text/html'],
    ['  ; charset=utf-8', 'style.css', 'text/css'],
    [undefined, 'dir/photo.JPG', 'image/jpeg'],
  ])('guesses from the name when the type is %p', (given, name, expected) => {
    expect(normalizeContentType(given, name)).toBe(expected);
  });

  it.each(['README', 'file.unknownext', ''])('falls back to application/octet-stream for %p', (name) => {
    expect(normalizeContentType(undefined, name)).toBe(DEFAULT_CONTENT_TYPE);
  });
});
