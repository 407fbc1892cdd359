import { camelKeysDeep, camelToSnake, snakeKeysDeep, snakeToCamel } from './caseKeys.js';

describe('camelToSnake (Django re_camel_case)', () => {
  it.each([
    ['minH', 'min_h'],
    ['releaseId', 'release_id'],
    ['isEditableByEveryone', 'is_editable_by_everyone'],
    ['maxValues', 'max_values'],
    ['displayType', 'display_type'],
    ['already_snake', 'already_snake'],
    ['HTTPResponse', 'http_response'],
    ['releaseID', 'release_id'],
    ['_leading', 'leading'],
    ['x', 'x'],
  ])('%s -> %s', (input, expected) => {
    expect(camelToSnake(input)).toBe(expected);
  });
});

describe('snakeToCamel (Sentry snake_to_camel_case)', () => {
  it.each([
    ['non_field_errors', 'nonFieldErrors'],
    ['display_type', 'displayType'],
    ['is_editable_by_everyone', 'isEditableByEveryone'],
    ['max1', 'max1'],
    ['0', '0'],
    ['_private_', 'private'],
  ])('%s -> %s', (input, expected) => {
    expect(snakeToCamel(input)).toBe(expected);
  });
});

describe('deep key conversion', () => {
  it('converts keys at every depth and never values', () => {
    const body = {
      widgets: [{ displayType: 'line', layout: { minH: 2 }, queries: [{ fieldAliases: ['countAlias'], conditions: 'user.email:x' }] }],
      permissions: { isEditableByEveryone: 'False' },
      thresholds: { maxValues: { max1: 1 } },
    };
    expect(snakeKeysDeep(body)).toEqual({
      widgets: [{ display_type: 'line', layout: { min_h: 2 }, queries: [{ field_aliases: ['countAlias'], conditions: 'user.email:x' }] }],
      permissions: { is_editable_by_everyone: 'False' },
      thresholds: { max_values: { max1: 1 } },
    });
  });

  it('turns nested error keys back into camelCase', () => {
    const errors = { widgets: [{}, { display_type: ['bad'], queries: [{ field_aliases: { '0': ['x'] } }] }], non_field_errors: ['y'] };
    expect(camelKeysDeep(errors)).toEqual({
      widgets: [{}, { displayType: ['bad'], queries: [{ fieldAliases: { '0': ['x'] } }] }],
      nonFieldErrors: ['y'],
    });
  });

  it('lets a later key win when two keys convert to the same name', () => {
    expect(snakeKeysDeep({ fooBar: 1, foo_bar: 2 })).toEqual({ foo_bar: 2 });
  });
});
