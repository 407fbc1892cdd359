import Fastify from 'fastify';
import { AppError, type AppErrorCode } from '../domain/errors.js';
import { installErrorHandlers } from './errorHandler.js';

describe('the JSON error handler', () => {
  async function answerTo(thrown: unknown) {
    const app = Fastify({ logger: false });
    installErrorHandlers(app);
    app.get('/boom', async () => {
      throw thrown;
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    await app.close();
    return [res.statusCode, res.json()];
  }

  it.each<[AppErrorCode, number]>([
    ['not_found', 404],
    ['validation_failed', 400],
    ['invalid_payload', 400],
    ['conflict', 409],
    ['forbidden', 403],
    ['file_too_large', 413],
  ])('maps %s to %i with the message as detail', async (code, status) => {
    expect(await answerTo(new AppError(code, `said ${code}`))).toEqual([status, { detail: `said ${code}` }]);
  });

  it('answers transient errors with 503 and anything else with 500, never with the internal message', async () => {
    expect(await answerTo(new AppError('db_unavailable', 'connect ECONNREFUSED 10.0.0.5:5432'))).toEqual([503, { detail: 'Service temporarily unavailable' }]);
    expect(await answerTo(new AppError('internal', 'secret path /srv/x'))).toEqual([500, { detail: 'Internal Error' }]);
    expect(await answerTo(new TypeError('cannot read x of undefined'))).toEqual([500, { detail: 'Internal Error' }]);
  });

  it('answers untranslated Postgres and Redis connection failures with 503 and Retry-After', async () => {
    const app = Fastify({ logger: false });
    installErrorHandlers(app);
    const thrown: Record<string, unknown> = {
      pgRefused: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      pgShutdown: Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      pgTerminated: new Error('Connection terminated unexpectedly'),
      redisClosed: new Error('Connection is closed.'),
      redisRetries: Object.assign(new Error('Reached the max retries per request limit (which is 3).'), { name: 'MaxRetriesPerRequestError' }),
    };
    for (const [name, err] of Object.entries(thrown)) {
      app.get(`/${name}`, async () => {
        throw err;
      });
    }
    for (const name of Object.keys(thrown)) {
      const res = await app.inject({ method: 'GET', url: `/${name}` });
      expect([name, res.statusCode, res.headers['retry-after'], res.json()]).toEqual([name, 503, '5', { detail: 'Service temporarily unavailable' }]);
    }
    await app.close();
  });
});
