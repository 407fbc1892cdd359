import { createLogger, redactUrlSecrets } from '../../src/logging/logger.js';
import { ApiHarness } from './apiHarness.js';

// The access log as an operator reads it: every line the HTTP app writes at info level, captured from the real pino
// root, must hold no credential: not the Bearer token, not a cookie, not a `token` in the query string.
describe('access log', () => {
  const lines: string[] = [];
  let api: ApiHarness;
  const bearer = 'sntrys_bearer_secret_0123456789';
  const cookie = 'sessionid=cookie_secret_0123456789';
  const queryToken = 'query_secret_0123456789';

  beforeAll(async () => {
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    api = await ApiHarness.create({ worker: false, logger });
  });

  afterAll(async () => {
    await api.close();
  }, 30_000);

  it('records method, path and status but never a token, Authorization or cookie', async () => {
    const base = '/api/0/organizations/acme/releases/';
    const answers = [
      await api.inject({ method: 'GET', url: `${base}?token=${queryToken}&per_page=5`, headers: { cookie } }),
      await api.inject({ method: 'GET', url: `${base}?per_page=5`, headers: { authorization: `Bearer ${bearer}`, cookie } }),
      await api.inject({ method: 'GET', url: `/api/0/organizations/acme/releases/nope/files/?access_token=${queryToken}` }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 401, 404]);
    const log = lines.join('');
    // the requests were logged at all, with their paths and the harmless parameters
    expect(log).toContain('/api/0/organizations/acme/releases/?token=[redacted]&per_page=5');
    expect(log).toContain('access_token=[redacted]');
    expect(log).toContain('"statusCode":401');
    for (const secret of [bearer, 'cookie_secret', queryToken, api.token]) expect(log).not.toContain(secret);
  });

  it('redacts secret-looking query values and leaves the rest of the URL alone', () => {
    expect(redactUrlSecrets('/a/b/?download=1&token=abc&sentry_key=k&q=x')).toBe('/a/b/?download=1&token=[redacted]&sentry_key=[redacted]&q=x');
    expect(redactUrlSecrets('/a/?%74oken=abc')).toBe('/a/?%74oken=[redacted]');
    expect(redactUrlSecrets('/a/b/')).toBe('/a/b/');
    expect(redactUrlSecrets('/a/?token')).toBe('/a/?token');
  });
});
