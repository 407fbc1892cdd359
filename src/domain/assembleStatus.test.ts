import {
  ASSEMBLE_STATUS_TTL_SECONDS,
  ASSEMBLE_TASK,
  assembleStatusKey,
  decodeAssembleStatus,
  encodeAssembleStatus,
  type AssembleState,
} from './assembleStatus.js';

const CHECKSUM = 'a'.repeat(40);

describe('assembleStatusKey', () => {
  it('matches the reference vectors (same keys as Sentry)', () => {
    expect(assembleStatusKey('1', CHECKSUM, ASSEMBLE_TASK.releaseBundle)).toBe(
      'assemble-status:669fcfceb968efabef2141aa05850a60df9312f2',
    );
    expect(assembleStatusKey('1', CHECKSUM, ASSEMBLE_TASK.artifactBundle)).toBe(
      'assemble-status:d49caad1e5537a1e6fabc4fa815a06b891a3be32',
    );
  });

  it('differs by scope and by checksum', () => {
    const base = assembleStatusKey('1', CHECKSUM, 'organization.artifacts');
    expect(assembleStatusKey('2', CHECKSUM, 'organization.artifacts')).not.toBe(base);
    expect(assembleStatusKey('1', 'b'.repeat(40), 'organization.artifacts')).not.toBe(base);
  });

  it('uses the Sentry task strings', () => {
    expect(ASSEMBLE_TASK).toEqual({ releaseBundle: 'organization.artifacts', artifactBundle: 'organization.artifact_bundle' });
    expect(ASSEMBLE_STATUS_TTL_SECONDS).toBe(600);
  });
});

describe('encode/decodeAssembleStatus', () => {
  it('stores the JSON pair Sentry stores', () => {
    expect(encodeAssembleStatus('created', null)).toBe('["created",null]');
    expect(encodeAssembleStatus('error', 'the bundle is invalid')).toBe('["error","the bundle is invalid"]');
  });

  it.each<[AssembleState, string | null]>([
    ['created', null],
    ['assembling', null],
    ['ok', null],
    ['error', 'Reported checksum mismatch'],
    ['created', 'cylons'],
  ])('round-trips %s / %j', (state, detail) => {
    expect(decodeAssembleStatus(encodeAssembleStatus(state, detail))).toEqual({ state, detail, retryable: false });
  });

  it('marks a retryable error with a third element, read back as retryable (only for an error)', () => {
    expect(encodeAssembleStatus('error', 'storage unavailable: no space left', true)).toBe('["error","storage unavailable: no space left",true]');
    expect(decodeAssembleStatus('["error","storage unavailable: no space left",true]')).toEqual({
      state: 'error',
      detail: 'storage unavailable: no space left',
      retryable: true,
    });
    expect(decodeAssembleStatus('["ok",null,true]')).toEqual({ state: 'ok', detail: null, retryable: false });
  });

  it('reads a missing key as no status', () => {
    expect(decodeAssembleStatus(null)).toBeNull();
  });

  it('reads a pair without detail as a null detail', () => {
    expect(decodeAssembleStatus('["ok"]')).toEqual({ state: 'ok', detail: null, retryable: false });
  });

  it.each(['', 'ok', '{"state":"ok"}', '[]', '["done",null]', '[null,null]', '["error",{"x":1}]', '["ok",null,1]', '[1', 'null'])(
    'reads garbage %j as no status',
    (raw) => {
      expect(decodeAssembleStatus(raw)).toBeNull();
    },
  );
});
