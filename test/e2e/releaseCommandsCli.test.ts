import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { createApiToken, revokeApiToken } from '../../src/auth/apiTokens.js';
import type { ApiHarness } from '../http/apiHarness.js';
import { expectSuccess, runSentryCli, useCliServer, type CliMajor, type CliTarget } from './sentryCli.js';

const exec = promisify(execFile);
type Json = Record<string, any>;

// The unmodified sentry-cli (2.58.6, and 3.x for its organisation-scoped release calls) against the releases API:
// set-commits in both modes (named repository and local git), archive/restore, delete, and the errors it prints.
describe('sentry-cli releases commands against the releases API', () => {
  let api: ApiHarness;
  let target: CliTarget;
  const cli = (args: string[], options: Parameters<typeof runSentryCli>[3] = {}) => runSentryCli(2, target, args, options);

  useCliServer({ worker: false }, (server) => {
    ({ api, target } = server);
  });

  const release = async (version: string) => {
    const res = await api.inject({ method: 'GET', url: `/api/0/organizations/acme/releases/${encodeURIComponent(version)}/` });
    return { status: res.statusCode, body: res.json() as Json };
  };

  /**
   * Fixed commit dates make every checkout's history the same commits (same SHAs): `--local` starts at the previous
   * release's last commit, which must be in whichever checkout a later test runs in.
   */
  const commitDate = (n: number) => {
    const date = new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
    return { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  };

  /** A git checkout with an origin remote and three commits by two authors; `commit` adds one more. */
  async function gitCheckout(): Promise<{ dir: string; shas: string[]; commit: (message: string) => Promise<string> }> {
    const dir = await mkdtemp(join(tmpdir(), 'aa-git-'));
    const git = (...args: string[]) => exec('git', args, { cwd: dir, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir } });
    await git('init', '-q', '-b', 'main');
    await git('remote', 'add', 'origin', 'https://github.com/acme/shop.git');
    const authors = [
      ['Ann', 'ann@example.com'],
      ['Ben', 'ben@example.com'],
      ['Ann', 'ann@example.com'],
    ];
    for (const [i, [name, email]] of authors.entries()) {
      await writeFile(join(dir, `file-${i}.txt`), `content ${i}\n`);
      await git('add', '.');
      await exec('git', ['-c', `user.name=${name}`, '-c', `user.email=${email}`, 'commit', '-q', '-m', `Change ${i}`], { cwd: dir, env: { ...process.env, HOME: dir, ...commitDate(i) } });
    }
    const { stdout } = await git('log', '--format=%H');
    let added = 0;
    const commit = async (message: string) => {
      added += 1;
      await writeFile(join(dir, `${message}.txt`), `${message}\n`);
      await git('add', '.');
      await exec('git', ['-c', 'user.name=Cy', '-c', 'user.email=cy@example.com', 'commit', '-q', '-m', message], { cwd: dir, env: { ...process.env, HOME: dir, ...commitDate(10 + added) } });
      return (await git('rev-parse', 'HEAD')).stdout.trim();
    };
    return { dir, shas: stdout.trim().split('\n'), commit };
  }

  it('set-commits --local sends the local git history inline, authors included', async () => {
    expectSuccess(await cli(['releases', 'new', '7.0.0']));
    const { dir, shas } = await gitCheckout();
    const result = expectSuccess(await cli(['releases', 'set-commits', '7.0.0', '--local'], { cwd: dir }));
    expect(result.stdout).toContain('Success! Set commits for release 7.0.0');
    const { body } = await release('7.0.0');
    expect(body.commitCount).toBe(3);
    // the CLI names the repository after the remote it read (2.58.6 sends the remote's name) and sends raw messages
    expect(body.lastCommit).toMatchObject({ id: shas[0], repository: { name: expect.any(String) } });
    expect(body.lastCommit.message.trim()).toBe('Change 2');
    expect(body.authors).toEqual([
      { name: 'Ann', email: 'ann@example.com' },
      { name: 'Ben', email: 'ben@example.com' },
    ]);
  });

  it('set-commits --commit repo@sha records the head of a repository the server lists', async () => {
    expectSuccess(await cli(['releases', 'new', '7.1.0']));
    // the repository comes to exist through inline commits (there are no integrations to add one)
    const seeded = await api.inject({ method: 'PUT', url: '/api/0/organizations/acme/releases/7.1.0/', payload: { commits: [{ id: 'seed', repository: 'acme/shop' }] } });
    expect(seeded.statusCode).toBe(200);
    const unknown = await cli(['releases', 'set-commits', '7.1.0', '--commit', 'nope/repo@abc123']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Unknown repo 'nope/repo'");

    const result = expectSuccess(await cli(['releases', 'set-commits', '7.1.0', '--commit', 'acme/shop@0123456789abcdef0123456789abcdef01234567']));
    expect(result.stdout).toContain('acme/shop');
    // recorded as the repository's head; with no provider to fetch the range, the commits stay (as in Sentry)
    const { body } = await release('7.1.0');
    expect(body).toMatchObject({ commitCount: 1, lastCommit: { id: 'seed' } });
    const heads = await sql<{ key: string }>`
      SELECT c.key FROM release_head_commit h JOIN commit c ON c.id = h.commit_id JOIN release r ON r.id = h.release_id
      WHERE r.version = '7.1.0'`.execute(api.db);
    expect(heads.rows).toEqual([{ key: '0123456789abcdef0123456789abcdef01234567' }]);
  });

  it.each([2, 3] as CliMajor[])('sentry-cli %s.x info exits 0 with a valid token (its scopes shown) and 1 with a revoked one', async (major) => {
    const created = await createApiToken(api.db, { organizationSlug: 'acme', name: `info-${major}` });
    const withToken = { ...target, token: created.token };
    const ok = expectSuccess(await runSentryCli(major, withToken, ['info']));
    expect(ok.stdout).toContain('org:ci');
    await revokeApiToken(api.db, created.id);
    const revoked = await runSentryCli(major, withToken, ['info']);
    expect(revoked.code).toBe(1);
    expect(revoked.signal).toBeNull();
  });

  it('releases info --show-commits lists what set-commits --local stored (2.58.6 and 3.x)', async () => {
    expectSuccess(await cli(['releases', 'new', '7.4.0']));
    const { dir, shas } = await gitCheckout();
    expectSuccess(await cli(['releases', 'set-commits', '7.4.0', '--local'], { cwd: dir }));
    for (const major of [2, 3] as CliMajor[]) {
      const shown = expectSuccess(await runSentryCli(major, target, ['releases', 'info', '7.4.0', '--show-commits']));
      for (const sha of shas) expect(shown.stdout).toContain(sha.slice(0, 12));
    }
  });

  it('3.x: a short-SHA range from set-commits --commit is never handed to the next set-commits --local', async () => {
    const v3 = (args: string[], cwd?: string) => runSentryCli(3, target, args, cwd ? { cwd } : {});
    const { dir, commit } = await gitCheckout();
    // earlier tests' releases end at this history's head: 9.0.0 gets commits of its own
    const shas = [await commit('before-9.0.0-b'), await commit('before-9.0.0-a')].reverse();
    expectSuccess(await v3(['releases', 'new', '9.0.0']));
    expectSuccess(await v3(['releases', 'set-commits', '9.0.0', '--local'], dir));
    const repository = (await release('9.0.0')).body.lastCommit.repository.name as string;

    // a range of short SHAs, as people type them
    expectSuccess(await v3(['releases', 'new', '9.1.0']));
    expectSuccess(await v3(['releases', 'set-commits', '9.1.0', '--commit', `${repository}@${shas[1]!.slice(0, 7)}..${shas[0]!.slice(0, 7)}`]));

    const next = await commit('after-9.1.0');
    expectSuccess(await v3(['releases', 'new', '9.2.0']));
    const handed = await api.inject({ method: 'GET', url: '/api/0/organizations/acme/releases/9.2.0/previous-with-commits/' });
    expect((handed.json() as Json).lastCommit.id).toBe(shas[0]);
    const result = expectSuccess(await v3(['releases', 'set-commits', '9.2.0', '--local'], dir));
    expect(result.stdout).toContain('9.2.0');
    expect((await release('9.2.0')).body.lastCommit.id).toBe(next);
  });

  it('archives, restores and deletes a release', async () => {
    expectSuccess(await cli(['releases', 'new', '7.2.0']));
    expectSuccess(await cli(['releases', 'new', '7.2.1']));
    expect(expectSuccess(await cli(['releases', 'archive', '7.2.0'])).stdout).toContain('Archived release 7.2.0');
    expect((await release('7.2.0')).body.status).toBe('archived');
    // `releases list` reads the project list, which hides archived releases as Sentry's does
    const versionsListed = async () => expectSuccess(await cli(['releases', 'list'])).stdout.split('\n').map((line) => line.split('|').map((cell) => cell.trim())).flat();
    expect(await versionsListed()).not.toContain('7.2.0');
    expect(await versionsListed()).toContain('7.2.1');
    expect(expectSuccess(await cli(['releases', 'restore', '7.2.0'])).stdout).toContain('Restored release 7.2.0');
    expect((await release('7.2.0')).body.status).toBe('open');
    expect(await versionsListed()).toContain('7.2.0');
    expect(expectSuccess(await cli(['releases', 'delete', '7.2.0'])).stdout).toContain('Deleted release 7.2.0');
    expect((await release('7.2.0')).status).toBe(404);
    // a 404 is "nothing to delete" for the CLI, not an error
    const again = expectSuccess(await cli(['releases', 'delete', '7.2.0']));
    expect(again.stdout).not.toContain('Deleted release');
  });

  it('creates and finalizes with several projects through the organisation endpoints, deploys and lists', async () => {
    const created = expectSuccess(await cli(['releases', 'new', '7.3.0', '-p', 'web', '-p', 'web', '--finalize']));
    expect(created.stdout).toContain('Created release 7.3.0');
    expect((await release('7.3.0')).body).toMatchObject({ projects: [expect.objectContaining({ slug: 'web' })], dateReleased: expect.any(String) });
    expect(expectSuccess(await cli(['releases', 'deploys', '7.3.0', 'new', '-e', 'production', '-n', 'first'])).stdout).toContain("Created new deploy first for 'production'");
    expect(expectSuccess(await cli(['releases', 'deploys', '7.3.0', 'list'])).stdout).toContain('production');
    expect(expectSuccess(await cli(['releases', 'list'])).stdout).toContain('7.3.0');
    const info = expectSuccess(await cli(['releases', 'info', '7.3.0']));
    expect(info.stdout).toContain('7.3.0');
  });

  it('sentry-cli 3.x creates, finalizes and shows a release', async () => {
    expect(expectSuccess(await runSentryCli(3, target, ['releases', 'new', '8.0.0'])).stdout).toContain('Created release 8.0.0');
    expect(expectSuccess(await runSentryCli(3, target, ['releases', 'finalize', '8.0.0'])).stdout).toContain('Finalized release 8.0.0');
    expect((await release('8.0.0')).body).toMatchObject({ version: '8.0.0', dateReleased: expect.any(String), projects: [expect.objectContaining({ slug: 'web' })] });
  });
});
