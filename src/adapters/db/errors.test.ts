import { AppError } from '../../domain/errors.js';
import { pgErrorCode, translateDbError } from './errors.js';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code, severity: 'ERROR' });
const codeOf = (err: unknown) => (err instanceof AppError ? err.code : 'raw');

describe('translateDbError', () => {
  it.each([
    ['40001', 'db_conflict'],
    ['40P01', 'db_conflict'],
    ['55P03', 'lock_timeout'],
    ['57P01', 'db_unavailable'],
    ['57P03', 'db_unavailable'],
    ['08006', 'db_unavailable'],
    ['08001', 'db_unavailable'],
    ['53300', 'db_unavailable'],
    ['23505', 'raw'],
    ['23503', 'raw'],
    ['42P01', 'raw'],
  ])('SQLSTATE %s -> %s', (code, expected) => {
    expect(codeOf(translateDbError(pgError(code)))).toBe(expected);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])('socket error %s -> db_unavailable', (code) => {
    expect(codeOf(translateDbError(Object.assign(new Error('socket'), { code })))).toBe('db_unavailable');
  });

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
  ])('pg message %p -> db_unavailable', (message) => {
    expect(codeOf(translateDbError(new Error(message)))).toBe('db_unavailable');
  });

  it('treats an AggregateError of refused connections as unavailable, but not a mixed one', () => {
    const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: 'ECONNREFUSED' });
    expect(codeOf(translateDbError(new AggregateError([refused('::1'), refused('127.0.0.1')])))).toBe('db_unavailable');
    expect(codeOf(translateDbError(new AggregateError([refused('::1'), new Error('other')])))).toBe('raw');
  });

  it('keeps the cause and passes other errors through unchanged', () => {
    const cause = pgError('40001');
    expect((translateDbError(cause) as AppError).cause).toBe(cause);
    const other = new Error('syntax error');
    const app = new AppError('not_found', 'x');
    expect(translateDbError(other)).toBe(other);
    expect(translateDbError(app)).toBe(app);
    expect(translateDbError(undefined)).toBeUndefined();
  });
});

describe('pgErrorCode', () => {
  it('reads five-character SQLSTATEs only', () => {
    expect(pgErrorCode(pgError('23505'))).toBe('23505');
    expect(pgErrorCode(Object.assign(new Error(), { code: 'ECONNRESET' }))).toBeUndefined();
    expect(pgErrorCode('23505')).toBeUndefined();
  });
});
