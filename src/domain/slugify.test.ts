import {
  djangoSlugify,
  GENERATED_SLUG_MAX_LENGTH,
  HEX_ALPHABET,
  pickFreeSlug,
  RESERVED_PROJECT_SLUGS,
  SLUG_ERROR_MESSAGE,
  SLUG_SUFFIX_ALPHABET,
  slugCandidates,
  slugifyLabel,
  slugProblem,
  type RandomString,
} from './slugify.js';

/** A deterministic "random": cycles through the alphabet it is given and records every call. */
function recordingRandom() {
  const calls: Array<{ size: number; alphabet: string }> = [];
  let cursor = 0;
  const random: RandomString = (size, alphabet) => {
    calls.push({ size, alphabet });
    let out = '';
    for (let i = 0; i < size; i += 1) out += alphabet[(cursor++ * 7 + 3) % alphabet.length];
    return out;
  };
  return { random, calls };
}

/** Slug selection the way the use cases do it, against an in-memory set of taken slugs (case-insensitive). */
async function chooseSlug(label: string, taken: string[], options: { max?: number; reserved?: Iterable<string> } = {}) {
  const max = options.max ?? 30;
  const { random } = recordingRandom();
  const lowerTaken = new Set(taken.map((t) => t.toLowerCase()));
  return pickFreeSlug(slugCandidates(slugifyLabel(label, max), max, random, options.reserved), async (slug) =>
    lowerTaken.has(slug.toLowerCase()),
  );
}

describe('djangoSlugify', () => {
  it.each([
    ['f o o', 'f-o-o'],
    ['_foo_', 'foo'],
    ['Hello, World!', 'hello-world'],
    ['  --a  b--  ', 'a-b'],
    ['snake_case_name', 'snake_case_name'],
    ['Ünïcödé Façade', 'unicode-facade'],
    ['ﬁle ½', 'file-12'],
    ['日本語', ''],
    ['a\x1cb\tc', 'a-b-c'],
    ['a\u00a0b', 'a-b'],
  ])('%j -> %j', (input, expected) => {
    expect(djangoSlugify(input)).toBe(expected);
  });
});

describe('slug selection (reference D.5)', () => {
  it('matt, no conflict -> matt', async () => {
    expect(await chooseSlug('matt', [])).toBe('matt');
  });

  it('a label equal to an existing slug gets a random suffix', async () => {
    const slug = await chooseSlug('matt', ['matt']);
    expect(slug).toMatch(/^matt-[a-z0-79]{2}$/);
  });

  it('the taken check is case-insensitive', async () => {
    expect(await chooseSlug('matt', ['MATT'])).toMatch(/^matt-/);
  });

  it('an existing slug that is also reserved becomes 12 hex characters', async () => {
    const slug = await chooseSlug('matt', ['matt'], { reserved: ['matt'] });
    expect(slug.startsWith('matt-')).toBe(false);
    expect(slug).toMatch(/^[0-9a-f]{12}$/);
  });

  it('matt with max length 2 -> ma', async () => {
    expect(await chooseSlug('matt', [], { max: 2 })).toBe('ma');
  });

  it('an all-digit label always gets a suffix, even when free', async () => {
    expect(await chooseSlug('1234', [])).toMatch(/^1234-[a-z0-79]{2}$/);
  });

  it('f o o -> f-o-o and _foo_ -> foo', async () => {
    expect(await chooseSlug('f o o', [])).toBe('f-o-o');
    expect(await chooseSlug('_foo_', [])).toBe('foo');
  });

  it('a project named "settings" gets a 12-hex slug', async () => {
    const slug = await chooseSlug('settings', [], { max: GENERATED_SLUG_MAX_LENGTH, reserved: RESERVED_PROJECT_SLUGS });
    expect(slug).toMatch(/^[0-9a-f]{12}$/);
  });

  it('the reserved check is exact: "Settings" slugifies to the reserved slug and is replaced too', async () => {
    const slug = await chooseSlug('Settings', [], { max: 50, reserved: RESERVED_PROJECT_SLUGS });
    expect(slug).toMatch(/^[0-9a-f]{12}$/);
  });

  it('a project name longer than 50 characters -> its first 50 slug characters, trailing "-" stripped', async () => {
    const name = `${'a'.repeat(49)} second part of the name`;
    expect(await chooseSlug(name, [], { max: 50 })).toBe('a'.repeat(49));
    const exact = 'b'.repeat(60);
    expect(await chooseSlug(exact, [], { max: 50 })).toBe('b'.repeat(50));
  });

  it('an empty slug (nothing ASCII) falls back to 12 hex characters', async () => {
    expect(await chooseSlug('日本語', [])).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('slugCandidates', () => {
  it('follows the suffix schedule 2x2, 3x3, 20x5, 1x12 with Sentry alphabet', () => {
    const { random, calls } = recordingRandom();
    const candidates = [...slugCandidates('project', 50, random)];
    expect(candidates[0]).toBe('project');
    expect(candidates).toHaveLength(27);
    expect(calls.map((c) => c.size)).toEqual([2, 2, 3, 3, 3, ...Array<number>(20).fill(5), 12]);
    expect(calls.every((c) => c.alphabet === SLUG_SUFFIX_ALPHABET)).toBe(true);
    expect(SLUG_SUFFIX_ALPHABET).toBe('abcdefghijklmnopqrstuvwxyz0123456790');
  });

  it('cuts the stem so a suffixed candidate stays within the maximum length', () => {
    const { random } = recordingRandom();
    const base = 'x'.repeat(30);
    const suffixed = [...slugCandidates(base, 30, random)].slice(1);
    for (const candidate of suffixed) expect(candidate.length).toBeLessThanOrEqual(30);
    expect(suffixed[0]).toMatch(/^x{27}-[a-z0-79]{2}$/);
    expect(suffixed.at(-1)).toMatch(/^x{17}-[a-z0-79]{12}$/);
  });

  it('draws the fallback from hex and does not offer an all-digit fallback unsuffixed', () => {
    const digits: RandomString = (size, alphabet) => (alphabet === HEX_ALPHABET ? '1'.repeat(size) : 'z'.repeat(size));
    const candidates = [...slugCandidates('', 50, digits)];
    expect(candidates[0]).toBe('111111111111-zz');
    expect(candidates).toHaveLength(26);
  });

  it('pickFreeSlug keeps the last candidate when all are taken', async () => {
    expect(await pickFreeSlug(['a', 'b', 'c'], async () => true)).toBe('c');
  });
});

describe('slugProblem', () => {
  it('accepts lowercase slugs and refuses the rest', () => {
    expect(slugProblem('my-project_2', 50)).toBeUndefined();
    expect(slugProblem('1234', 50)).toBe(SLUG_ERROR_MESSAGE);
    expect(slugProblem('My-Project', 50)).toBe(SLUG_ERROR_MESSAGE);
    expect(slugProblem('', 50)).toBe(SLUG_ERROR_MESSAGE);
    expect(slugProblem('a/b', 50)).toBe(SLUG_ERROR_MESSAGE);
    expect(slugProblem('abc', 2)).toBe('Ensure this field has no more than 2 characters.');
  });
});
