import { authorEmail, defaultRepositoryName, planReleaseCommits, releaseAuthorIds } from './planReleaseCommits.js';

describe('planReleaseCommits', () => {
  it('keeps commits in order, defaults the repository, lower-cases author emails and keeps the first place of a repeat', () => {
    const plan = planReleaseCommits('42', [
      { id: 'b', repository: 'acme/app', author_name: 'Ann', author_email: 'Ann@X.io', message: 'two' },
      { id: 'a', author_name: null, author_email: 'ann@x.io' },
      { id: 'b', repository: 'acme/app', message: 'again' },
      { id: 'c', repository: ' acme/lib ', author_name: 'Ann' },
    ]);
    expect(plan.commits.map((c) => [c.repository, c.key, c.authorEmail])).toEqual([
      ['acme/app', 'b', 'ann@x.io'],
      [defaultRepositoryName('42'), 'a', 'ann@x.io'],
      ['acme/lib', 'c', 'ann@localhost'],
    ]);
    expect(plan.commits[0]?.message).toBe('two');
    expect(plan.repositories).toEqual(['acme/app', 'organization-42', 'acme/lib']);
    expect(plan.authors).toEqual([
      { email: 'ann@x.io', name: 'Ann' },
      { email: 'ann@localhost', name: 'Ann' },
    ]);
  });

  it('makes an email from a name, and none without either', () => {
    expect(authorEmail({ author_name: 'Jane Doe' })).toBe('jane-doe@localhost');
    expect(authorEmail({ author_name: null, author_email: null })).toBeNull();
    expect(authorEmail({ author_email: `${'x'.repeat(80)}@y.io` })).toHaveLength(75);
  });

  it('release authors are the distinct ids in commit order', () => {
    expect(releaseAuthorIds(['3', null, '1', '3'])).toEqual(['3', '1']);
  });
});
