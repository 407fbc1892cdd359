import type { SerializedAuthor } from './releaseAuthors.js';
import { serializeRelease, serializeVersionInfo, type ReleaseView } from './serializeRelease.js';

const release = (overrides: Partial<ReleaseView['release']> = {}): ReleaseView['release'] => ({
  id: '7',
  version: '1.0.0',
  status: 0,
  ref: null,
  url: null,
  dateAdded: new Date('2026-01-02T03:04:05.678Z'),
  dateStarted: null,
  dateReleased: null,
  data: {},
  commitCount: 0,
  authors: null,
  totalDeploys: 0,
  userAgent: null,
  ...overrides,
});

const view = (overrides: Partial<ReleaseView> = {}): ReleaseView => ({
  release: release(),
  projects: [],
  owner: null,
  lastCommit: null,
  lastDeploy: null,
  authorsById: new Map(),
  fileCount: 0,
  ...overrides,
});

const stebe: SerializedAuthor = { name: 'stebe', email: 'stebe@sentry.io' };

describe('serializeRelease', () => {
  it('scenario 1: a 32-hex version is a build hash; an unmapped author is {name, email}; counts come from the release', () => {
    const version = 'a'.repeat(16) + '0123456789abcdef';
    const out = serializeRelease(
      view({
        release: release({ version, commitCount: 1, authors: ['1'] }),
        projects: [
          { id: '10', slug: 'p1', name: 'P1', platform: null, newGroups: 1 },
          { id: '11', slug: 'p2', name: 'P2', platform: 'javascript', newGroups: 1 },
        ],
        authorsById: new Map([['1', stebe]]),
      }),
    );
    expect(out).toMatchObject({ id: 7, version, shortVersion: version, newGroups: 2, commitCount: 1, authors: [stebe], firstEvent: null, lastEvent: null });
    expect(out.versionInfo).toEqual({ package: null, version: { raw: version }, description: version.slice(0, 12), buildHash: version });
    expect(out.projects).toEqual([
      { id: 10, slug: 'p1', name: 'P1', newGroups: 1, platform: null, platforms: [], hasHealthData: false },
      { id: 11, slug: 'p2', name: 'P2', newGroups: 1, platform: 'javascript', platforms: ['javascript'], hasHealthData: false },
    ]);
  });

  it('scenario 2: a release specialized to one project shows that project and its count only', () => {
    const projects = [
      { id: '10', slug: 'p1', name: 'P1', platform: null, newGroups: 1 },
      { id: '11', slug: 'p2', name: 'P2', platform: null, newGroups: 4 },
    ];
    const out = serializeRelease(view({ projects }), { specializedToProjectId: '11' });
    expect(out.newGroups).toBe(4);
    expect((out.projects as { slug: string }[]).map((p) => p.slug)).toEqual(['p2']);
    const counted = serializeRelease(view({ projects }), { projectId: '10' });
    expect([counted.newGroups, (counted.projects as unknown[]).length]).toEqual([1, 2]);
  });

  it('scenario 3: authors null is an empty list', () => {
    expect(serializeRelease(view({ release: release({ version: '1', authors: null }) })).authors).toEqual([]);
  });

  it('scenario 4: a package version with prerelease and build code', () => {
    expect(serializeVersionInfo('foo.bar.BazApp@1.0a+20200101100')).toEqual({
      package: 'foo.bar.BazApp',
      version: { raw: '1.0a+20200101100', major: 1, minor: 0, patch: 0, pre: 'a', buildCode: '20200101100', components: 2 },
      description: '1.0a (20200101100)',
      buildHash: null,
    });
    expect(serializeVersionInfo('latest')).toBeNull();
  });

  it('scenario 10: two author emails of one user are one author (first wins)', () => {
    const user: SerializedAuthor = { id: '5', name: 'Stebe', email: 'stebe@sentry.io' };
    const out = serializeRelease(view({ release: release({ authors: ['1', '2'] }), authorsById: new Map([['1', user], ['2', { ...user }]]) }));
    expect(out.authors).toEqual([user]);
  });

  it('scenario 11: deploy count and the last deploy with a string id', () => {
    const out = serializeRelease(
      view({
        release: release({ totalDeploys: 1 }),
        lastDeploy: { id: '42', environment: 'production', name: null, url: null, dateStarted: null, dateFinished: new Date('2026-01-01T00:00:00Z') },
      }),
    );
    expect(out.deployCount).toBe(1);
    expect(out.lastDeploy).toEqual({ id: '42', environment: 'production', name: null, url: null, dateStarted: null, dateFinished: '2026-01-01T00:00:00.000000Z' });
  });

  it('scenario 12: dangling author ids and last commit serialize as [] and null', () => {
    const out = serializeRelease(view({ release: release({ authors: ['9999999'], commitCount: 1 }), lastCommit: null }));
    expect([out.authors, out.lastCommit, out.commitCount]).toEqual([[], null, 1]);
  });

  it('scenario 17/18: null project counts read as 0 in the total; several projects add up', () => {
    const nulls = serializeRelease(view({ projects: [{ id: '1', slug: 'a', name: 'A', platform: null, newGroups: null }] }), { projectId: '1' });
    expect(nulls.newGroups).toBe(0);
    expect((nulls.projects as { newGroups: unknown }[])[0]?.newGroups).toBeNull();
    const sum = serializeRelease(
      view({
        projects: [
          { id: '1', slug: 'a', name: 'A', platform: null, newGroups: 3 },
          { id: '2', slug: 'b', name: 'B', platform: null, newGroups: 2 },
        ],
      }),
    );
    expect(sum.newGroups).toBe(5);
  });

  it('shows status, dates in Sentry format, the last commit, owner and file count', () => {
    const out = serializeRelease(
      view({
        release: release({ status: 1, dateReleased: new Date('2026-02-03T04:05:06.789Z'), ref: 'main', userAgent: 'sentry-cli/2.58.6' }),
        lastCommit: { key: 'abc', message: 'm', dateAdded: new Date('2026-01-01T00:00:00Z'), repository: null, author: null },
        owner: { id: '3', username: 'u', name: '', email: 'u@x.io', isActive: true, isSuperuser: false, dateJoined: new Date('2025-01-01T00:00:00Z'), emails: [] },
        fileCount: 12,
      }),
    );
    expect(out).toMatchObject({
      status: 'archived',
      dateCreated: '2026-01-02T03:04:05.678000Z',
      dateReleased: '2026-02-03T04:05:06.789000Z',
      ref: 'main',
      userAgent: 'sentry-cli/2.58.6',
      fileCount: 12,
      owner: { id: '3', username: 'u', email: 'u@x.io' },
      lastCommit: { id: 'abc', message: 'm', repository: {}, author: {}, pullRequest: null, suspectCommitType: '' },
    });
    expect(serializeRelease(view({ release: release({ status: null }) })).status).toBe('open');
  });
});
