import { AppError } from '../../domain/errors.js';
import { translateFsError, translateS3Error } from './storageErrors.js';

const withCode = (code: string) => Object.assign(new Error(code), { code });
const s3Error = (name: string, status?: number, extra: object = {}) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

function codeOf(err: unknown): string {
  return err instanceof AppError ? err.code : 'raw';
}

describe('translateFsError', () => {
  it.each([
    ['ENOENT', 'not_found'],
    ['EMFILE', 'storage_unavailable'],
    ['EAGAIN', 'storage_unavailable'],
    ['EIO', 'storage_unavailable'],
    ['ENOSPC', 'storage_unavailable'],
    ['EACCES', 'raw'],
    ['EISDIR', 'raw'],
  ])('%s -> %s', (code, expected) => {
    expect(codeOf(translateFsError(withCode(code), 'a/b', 'get'))).toBe(expected);
  });

  it('keeps the key, the operation and the cause', () => {
    const cause = withCode('EIO');
    const err = translateFsError(cause, 'ab/cdef/x', 'put') as AppError;
    expect(err.details).toEqual({ key: 'ab/cdef/x', operation: 'put' });
    expect(err.cause).toBe(cause);
  });

  it('returns unknown errors and AppErrors unchanged', () => {
    const raw = new Error('boom');
    const app = new AppError('internal', 'x');
    expect(translateFsError(raw, 'k', 'get')).toBe(raw);
    expect(translateFsError(app, 'k', 'get')).toBe(app);
    expect(translateFsError('a string', 'k', 'get')).toBe('a string');
  });
});

describe('translateS3Error', () => {
  it.each([
    [s3Error('NoSuchKey', 404), 'not_found'],
    [s3Error('NotFound', 404), 'not_found'],
    [s3Error('Unknown', 404), 'not_found'],
    [s3Error('InternalError', 500), 'storage_unavailable'],
    [s3Error('ServiceUnavailable', 503), 'storage_unavailable'],
    [s3Error('SlowDown', 503), 'storage_unavailable'],
    [s3Error('Whatever', 429), 'storage_unavailable'],
    [s3Error('ThrottlingException', 400), 'storage_unavailable'],
    [s3Error('RequestTimeout', 400), 'storage_unavailable'],
    [s3Error('TimeoutError'), 'storage_unavailable'],
    [s3Error('Error', undefined, { code: 'ECONNREFUSED' }), 'storage_unavailable'],
    [s3Error('Error', undefined, { code: 'ECONNRESET' }), 'storage_unavailable'],
    [new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1'), 'storage_unavailable'],
    [new Error('connect ECONNREFUSED but not the wrapper'), 'raw'],
    [s3Error('Odd', 400, { $retryable: { throttling: false } }), 'storage_unavailable'],
    [s3Error('AccessDenied', 403), 'raw'],
    [s3Error('NoSuchBucket', 404), 'raw'],
    [s3Error('InvalidArgument', 400), 'raw'],
  ])('%p -> %s', (err, expected) => {
    expect(codeOf(translateS3Error(err, 'k', 'get'))).toBe(expected);
  });
});
