import { artifactBundleId, debugIdFromChecksum, normalizeDebugId, SOURCE_FILE_TYPES, sourceFileType } from './debugId.js';

describe('normalizeDebugId', () => {
  it('lower-cases a mixed-case UUID (Sentry fixture artifact_bundle_debug_ids)', () => {
    expect(normalizeDebugId('Eb6e60f1-65ff-4f6f-Adff-f1bbeDEd627b')).toBe('eb6e60f1-65ff-4f6f-adff-f1bbeded627b');
  });

  it.each([
    ['compact', 'EB6E60F165FF4F6FADFFF1BBEDED627B', 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b'],
    ['with an appendix', 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b-1A', 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b-1a'],
    ['with a zero appendix', 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b-0', 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b'],
    ['with a padded appendix', 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b-000000a', 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b-a'],
    ['in Breakpad form', 'EB6E60F165FF4F6FADFFF1BBEDED627B2', 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b-2'],
    ['with surrounding spaces', ' eb6e60f1-65ff-4f6f-adff-f1bbeded627b ', 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b'],
    [
      'that is a SHA-1',
      '0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33',
      '0beec7b5-ea3f-0fdb-c95d-0dd47f3c5bc2-75da8a33',
    ],
  ])('reads a debug id %s', (_case, input, expected) => {
    expect(normalizeDebugId(input)).toBe(expected);
  });

  it.each([
    'Eb6e60f1asd1bbeDEd627b-1232xwzsd',
    '',
    'eb6e60f1-65ff-4f6f-adff-f1bbeded627',
    'eb6e60f1-65ff-4f6f-adff-f1bbeded627bx',
    'eb6e60f1-65ff-4f6f-adff-f1bbeded627b-123456789',
    'eb6e60f1-65ff4f6f-adff-f1bbeded627b',
    'gb6e60f1-65ff-4f6f-adff-f1bbeded627b',
  ])('refuses %j', (input) => {
    expect(normalizeDebugId(input)).toBeNull();
  });

  it.each([null, undefined, 42, {}, ['eb6e60f1-65ff-4f6f-adff-f1bbeded627b']])('refuses a non-string %j', (value) => {
    expect(normalizeDebugId(value)).toBeNull();
  });
});

describe('debugIdFromChecksum and artifactBundleId', () => {
  it('takes the first 32 hex digits of the checksum as a UUID', () => {
    expect(debugIdFromChecksum('0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33')).toBe('0beec7b5-ea3f-0fdb-c95d-0dd47f3c5bc2');
  });

  it('refuses a value that is not hex', () => {
    expect(() => debugIdFromChecksum('not-a-checksum')).toThrow('not a checksum');
  });

  it('prefers the manifest debug_id, without its appendix', () => {
    expect(artifactBundleId('67429B2F-1D9E-43BB-A626-771A1E37555C', 'a'.repeat(40))).toBe('67429b2f-1d9e-43bb-a626-771a1e37555c');
    expect(artifactBundleId('67429b2f-1d9e-43bb-a626-771a1e37555c-5', 'a'.repeat(40))).toBe('67429b2f-1d9e-43bb-a626-771a1e37555c');
  });

  it.each([null, 'nope'])('falls back to the checksum when the manifest debug_id is %j', (debugId) => {
    expect(artifactBundleId(debugId, '0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33')).toBe('0beec7b5-ea3f-0fdb-c95d-0dd47f3c5bc2');
  });
});

describe('sourceFileType', () => {
  it('maps the four Sentry types', () => {
    expect(SOURCE_FILE_TYPES).toEqual({ source: 1, minified_source: 2, source_map: 3, indexed_ram_bundle: 4 });
    expect(sourceFileType('minified_source')).toBe(2);
    expect(sourceFileType('source_map')).toBe(3);
  });

  it.each(['soure', null, undefined, '', 'toString', '__proto__', 'Source'])('has no number for %j', (type) => {
    expect(sourceFileType(type)).toBeNull();
  });
});
