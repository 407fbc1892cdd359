import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { authenticateBearer } from '../../src/auth/apiTokens.js';
import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, type TestDatabase } from '../support/database.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'dist', 'service', 'cli.js');

describe('assembler token', () => {
  let testDb: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  const organizationId = (5_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString();

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'aa-token-cli-'));
    env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: testDb.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: testRedisPrefix(),
      STORAGE_DIR: join(dir, 'blobs'),
      TEMP_DIR: dir,
      LOG_LEVEL: 'warn',
    };
    await testDb.db.insertInto('organization').values({ id: organizationId, name: 'Token Org', slug: 'token-org' }).execute();
  });
  afterAll(async () => {
    await testDb.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a token printing only the token, lists it without its value, and revokes it', async () => {
    const created = await cli(['token', 'create', '--org', 'token-org', '--name', 'deploy bot']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^sntrys_[A-Za-z0-9_-]{43}\n$/);
    const token = created.stdout.trim();
    const auth = await authenticateBearer(testDb.db, `Bearer ${token}`);
    expect(auth).toMatchObject({ ok: true, organizationId, userId: null });
    const tokenId = auth.ok ? auth.tokenId : '';

    const listed = await cli(['token', 'list', '--org', 'token-org']);
    expect(listed.stdout).toMatch(new RegExp(`^${tokenId}\\tname="deploy bot"\\tuser=-\\tactive\\tlast_used=\\S+\\n$`));
    expect(listed.stdout).not.toContain(token);

    expect(await cli(['token', 'revoke', tokenId])).toMatchObject({ code: 0, stdout: `revoked token ${tokenId}\n` });
    expect(await authenticateBearer(testDb.db, `Bearer ${token}`)).toEqual({ ok: false, detail: 'Invalid token' });
    expect((await cli(['token', 'list', '--org', 'token-org'])).stdout).toMatch(/\trevoked=\d{4}-/);
  }, 60_000);

  it('fails with one line on stderr for an unknown organisation or token', async () => {
    const noOrg = await cli(['token', 'create', '--org', 'nope']);
    expect(noOrg).toMatchObject({ code: 1, stdout: '' });
    expect(noOrg.stderr).toBe('assembler: organization nope not found\n');
    const noToken = await cli(['token', 'revoke', '424242']);
    expect(noToken).toMatchObject({ code: 1, stderr: 'assembler: no active token with id 424242\n' });
  }, 60_000);
});
