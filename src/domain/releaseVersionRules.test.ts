import { MAX_RELEASE_VERSION_LENGTH, releaseVersionProblem } from './releaseVersionRules.js';

describe('releaseVersionProblem', () => {
  it.each(['1.0.0', 'my-app@2.3.4+build.5', 'abc def', 'latest-build', '...', 'v'.repeat(MAX_RELEASE_VERSION_LENGTH)])(
    'accepts %j',
    (version) => {
      expect(releaseVersionProblem(version)).toBeUndefined();
    },
  );

  it.each(['a/b', 'a\\b', 'a\rb', 'a\nb', 'a\tb', 'a\fb', '.', '..', 'latest', 'LATEST', 'Latest', ' latest '])(
    'refuses %j as not allowed',
    (version) => {
      expect(releaseVersionProblem(version)).toBe(`Release with name ${version} is not allowed`);
    },
  );

  it('refuses blank versions', () => {
    expect(releaseVersionProblem('')).toBe('This field may not be blank.');
    expect(releaseVersionProblem('   ')).toBe('This field may not be blank.');
  });

  it('counts characters, not UTF-16 units, against the 200 limit', () => {
    expect(releaseVersionProblem('😀'.repeat(200))).toBeUndefined();
    expect(releaseVersionProblem('x'.repeat(201))).toBe('Ensure this field has no more than 200 characters.');
  });
});
