import { INVALID_JSON_BODY, parseReleaseAssembleBody } from './releaseAssembleBody.js';

const sha = (c: string) => c.repeat(40);

describe('parseReleaseAssembleBody', () => {
  it('accepts checksum and chunks, including an empty chunk list and repeated digests', () => {
    expect(parseReleaseAssembleBody(JSON.stringify({ checksum: sha('a'), chunks: [] }))).toEqual({
      ok: true,
      body: { checksum: sha('a'), chunks: [] },
    });
    expect(parseReleaseAssembleBody(JSON.stringify({ checksum: sha('a'), chunks: [sha('b'), sha('b')] }))).toEqual({
      ok: true,
      body: { checksum: sha('a'), chunks: [sha('b'), sha('b')] },
    });
  });

  it.each([[''], ['{'], ['not json'], [undefined]])('answers "Invalid json body" for %p', (raw) => {
    expect(parseReleaseAssembleBody(raw)).toEqual({ ok: false, error: INVALID_JSON_BODY });
  });

  it.each([
    [{ lol: 'test' }, /^checksum: is required$/],
    [{ checksum: 'invalid', chunks: [] }, /^checksum: must be a 40-character lower-case hex SHA-1$/],
    [{ checksum: sha('A'), chunks: [] }, /^checksum: must be a 40-character/],
    [{ checksum: sha('a') }, /^chunks: is required$/],
    [{ checksum: sha('a'), chunks: 'x' }, /^chunks: must be an array/],
    [{ checksum: sha('a'), chunks: [sha('b'), 'nope'] }, /^chunks\[1\]: must be a 40-character/],
    [{ checksum: sha('a'), chunks: [], projects: ['web'] }, /projects/],
    [[], /^The body must be a JSON object$/],
    [null, /^The body must be a JSON object$/],
  ])('refuses %j with one line naming the field', (body, message) => {
    const parsed = parseReleaseAssembleBody(JSON.stringify(body));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(message);
  });
});
