import { nodeOptionsWithStartupFlags } from './startupFlags.js';

describe('nodeOptionsWithStartupFlags', () => {
  it('adds the semi-space flag when neither NODE_OPTIONS nor the command line has it', () => {
    expect(nodeOptionsWithStartupFlags(undefined, [])).toBe('--max-semi-space-size=1');
    expect(nodeOptionsWithStartupFlags('', [])).toBe('--max-semi-space-size=1');
  });

  it("keeps the operator's options, after ours", () => {
    expect(nodeOptionsWithStartupFlags(' --max-old-space-size=200  --enable-source-maps ', ['--inspect'])).toBe(
      '--max-semi-space-size=1 --max-old-space-size=200  --enable-source-maps',
    );
  });

  it('changes nothing when the operator set a semi-space size, in either spelling, in NODE_OPTIONS or on the command line', () => {
    expect(nodeOptionsWithStartupFlags('--max-semi-space-size=1', [])).toBeNull();
    expect(nodeOptionsWithStartupFlags('--max-old-space-size=200 --max_semi_space_size=8', [])).toBeNull();
    expect(nodeOptionsWithStartupFlags(undefined, ['--max-semi-space-size=4'])).toBeNull();
  });
});
