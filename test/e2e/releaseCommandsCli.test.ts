import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ApiHarness } from '../http/apiHarness.js';
import { expectSuccess, runSentryCli, useCliServer, type CliTarget } from './sentryCli.js';

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

  /** A git checkout with an origin remote and three commits by two authors. */
  async function gitCheckout(): Promise<{ dir: string; shas: string[] }> {
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
      await exec('git', ['-c', `user.name=${name}`, '-c', `user.email=${email}`, 'commit', '-q', '-m', `Change ${i}`], { cwd: dir, env: { ...process.env, HOME: dir } });
    }
    const { stdout } = await git('log', '--format=%H');
    return { dir, shas: stdout.trim().split('\n') };
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
    const { body } = await release('7.1.0');
    expect(body).toMatchObject({ commitCount: 1, lastCommit: { id: '0123456789abcdef0123456789abcdef01234567' } });
  });

  it('archives, restores and deletes a release', async () => {
    expectSuccess(await cli(['releases', 'new', '7.2.0']));
    expect(expectSuccess(await cli(['releases', 'archive', '7.2.0'])).stdout).toContain('Archived release 7.2.0');
    expect((await release('7.2.0')).body.status).toBe('archived');
    expect(expectSuccess(await cli(['releases', 'restore', '7.2.0'])).stdout).toContain('Restored release 7.2.0');
    expect((await release('7.2.0')).body.status).toBe('open');
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
