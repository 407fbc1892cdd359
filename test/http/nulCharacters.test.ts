import { ApiHarness } from './apiHarness.js';

type Json = Record<string, any>;

// Postgres stores no NUL (U+0000): at every HTTP boundary (path parameters, query values, JSON bodies, upload forms)
// one answers 400 naming the field, never a 500 from the database.
describe('NUL characters at the HTTP boundary', () => {
  let api: ApiHarness;
  const org = '/api/0/organizations/acme';
  const web = '/api/0/projects/acme/web';
  const NUL = '%00';

  beforeAll(async () => {
    api = await ApiHarness.create({ worker: false });
    expect((await api.inject({ method: 'POST', url: `${org}/releases/`, payload: { version: '1.0', projects: ['web'] } })).statusCode).toBe(201);
  });

  afterAll(async () => {
    await api.close();
  }, 30_000);

  const send = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: Json) => api.inject({ method, url, ...(payload ? { payload } : {}) });

  it('refuses a NUL in a release version, in the body and in the path, with Sentry field errors', async () => {
    const created = await send('POST', `${org}/releases/`, { version: 'a\u0000b', projects: ['web'] });
    expect([created.statusCode, created.json()]).toEqual([400, { version: ['Null characters are not allowed.'] }]);
    for (const url of [`${org}/releases/a${NUL}b/`, `${org}/releases/a${NUL}b/files/`, `${web}/releases/a${NUL}b/files/`]) {
      const answer = await send('GET', url);
      expect([url, answer.statusCode]).toEqual([url, 400]);
      expect(JSON.stringify(answer.json())).toContain('Null characters are not allowed.');
    }
  });

  it('refuses a NUL in an organisation or project slug before looking it up', async () => {
    for (const url of [`/api/0/organizations/ac${NUL}me/releases/`, `/api/0/projects/acme/we${NUL}b/releases/`]) {
      const answer = await send('GET', url);
      expect([url, answer.statusCode]).toEqual([url, 400]);
    }
  });

  it('refuses a NUL in a query and in a deploy environment', async () => {
    const listed = await send('GET', `${org}/releases/?query=1${NUL}`);
    expect([listed.statusCode, listed.json()]).toEqual([400, { query: ['Null characters are not allowed.'] }]);
    const deploy = await send('POST', `${org}/releases/1.0/deploys/`, { environment: 'prod\u0000' });
    expect([deploy.statusCode, deploy.json()]).toEqual([400, { environment: ['Null characters are not allowed.'] }]);
  });

  it('refuses a NUL in a dashboard title, also deep in a widget', async () => {
    const dashboard = await send('POST', `${org}/dashboards/`, { title: 'Ops\u0000', widgets: [] });
    expect([dashboard.statusCode, dashboard.json()]).toEqual([400, { detail: 'title: Null characters are not allowed.' }]);
    const widget = await send('POST', `${org}/dashboards/`, { title: 'Ops', widgets: [{ title: 'w\u0000', displayType: 'line', queries: [] }] });
    expect([widget.statusCode, widget.json()]).toEqual([400, { detail: 'widgets[0].title: Null characters are not allowed.' }]);
    expect(await api.db.selectFrom('release').select('version').where('version', 'like', '%b').execute()).toEqual([]);
  });

  it('refuses a NUL in an uploaded file name, dist or header', async () => {
    for (const [field, value] of [
      ['name', '~/a\u0000.js'],
      ['dist', 'd\u0000'],
      ['header', 'Sourcemap:a\u0000.map'],
    ] as const) {
      const boundary = 'nulboundary';
      const fields = field === 'name' ? [['name', value]] : [['name', '~/a.js'], [field, value]];
      const parts = [
        ...fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`),
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.js"\r\nContent-Type: application/javascript\r\n\r\nx\r\n`,
        `--${boundary}--\r\n`,
      ];
      const answer = await api.inject({
        method: 'POST',
        url: `${org}/releases/1.0/files/`,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: Buffer.from(parts.join(''), 'utf8'),
      });
      expect([field, answer.statusCode, answer.json()]).toEqual([field, 400, { detail: `${field}: Null characters are not allowed.` }]);
    }
  });
});
