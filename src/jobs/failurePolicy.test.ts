import { AppError } from '../domain/errors.js';
import { transientFailureDetail, translateNoSpaceError } from './failurePolicy.js';

describe('transientFailureDetail', () => {
  const storage = (cause: unknown) => new AppError('storage_unavailable', 'Blob storage unavailable (put x)', { cause });

  it.each<[unknown, string]>([
    [Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }), 'storage unavailable: no space left'],
    [Object.assign(new Error('quota'), { code: 'EDQUOT' }), 'storage unavailable: disk quota exceeded'],
    [Object.assign(new Error('internal'), { name: 'InternalError', $metadata: { httpStatusCode: 503 } }), 'storage unavailable: the blob store answered HTTP 503'],
    [Object.assign(new Error('slow'), { name: 'SlowDown', $metadata: { httpStatusCode: 429 } }), 'storage unavailable: the blob store is throttling requests'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'storage unavailable: cannot reach the blob store (ECONNREFUSED)'],
    [new Error('who knows'), 'storage unavailable: temporary failure'],
  ])('says what happened to the blob store: %#', (cause, detail) => {
    expect(transientFailureDetail(storage(cause))).toBe(detail);
  });

  it('names the dependency for database and Redis outages', () => {
    expect(transientFailureDetail(new AppError('db_unavailable', 'x'))).toBe('database unavailable');
    expect(transientFailureDetail(new AppError('redis_unavailable', 'x'))).toBe('redis unavailable');
    expect(transientFailureDetail(new AppError('db_conflict', 'x'))).toBe('database busy');
  });
});

describe('translateNoSpaceError', () => {
  it('turns a raw ENOSPC into storage_unavailable and leaves everything else alone', () => {
    const raw = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const translated = translateNoSpaceError(raw);
    expect(translated).toBeInstanceOf(AppError);
    expect((translated as AppError).code).toBe('storage_unavailable');
    const other = Object.assign(new Error('nope'), { code: 'EACCES' });
    expect(translateNoSpaceError(other)).toBe(other);
  });
});
