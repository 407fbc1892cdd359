import { matchAuthorsToUsers, releaseAuthors, unmappedAuthor } from './releaseAuthors.js';

describe('matchAuthorsToUsers', () => {
  it('scenario 6: matches emails case-insensitively', () => {
    expect(matchAuthorsToUsers(['stebe@sentry.io'], [{ id: '1', email: 'Stebe@sentry.io', emails: [] }])).toEqual(new Map([['stebe@sentry.io', '1']]));
  });

  it('scenario 7: a primary email beats a secondary one, whatever the ids', () => {
    const users = [
      { id: '1', email: 'other@sentry.io', emails: ['stebe@sentry.io'] },
      { id: '2', email: 'stebe@sentry.io', emails: [] },
    ];
    expect(matchAuthorsToUsers(['STEBE@sentry.io'], users).get('stebe@sentry.io')).toBe('2');
  });

  it('picks the oldest user among equal matches and leaves unmatched emails out', () => {
    const users = [
      { id: '10', email: 'a@x.io', emails: [] },
      { id: '9', email: 'a@x.io', emails: [] },
    ];
    const out = matchAuthorsToUsers(['a@x.io', 'b@x.io'], users);
    expect([...out]).toEqual([['a@x.io', '9']]);
  });
});

describe('releaseAuthors', () => {
  it('keeps order, skips unresolved ids and de-duplicates by email', () => {
    const a = { id: '1', email: 'a@x.io' };
    const b = unmappedAuthor({ name: 'B', email: 'b@x.io' });
    const resolved = new Map([
      ['1', a],
      ['2', b],
      ['3', { ...a }],
    ]);
    expect(releaseAuthors(['2', '9', '1', '3'], resolved)).toEqual([b, a]);
    expect(releaseAuthors(null, resolved)).toEqual([]);
  });
});
