import { COMMAND_LINE_V8_FLAGS, startupRestart } from './startupFlags.js';

const TRIGGERS = ['--incremental-marking-soft-trigger=90', '--incremental-marking-hard-trigger=95'];

describe('startupRestart', () => {
  it('adds the semi-space flag to NODE_OPTIONS and the marking triggers to the command line when none is set', () => {
    expect(COMMAND_LINE_V8_FLAGS).toEqual(TRIGGERS);
    expect(startupRestart(undefined, [])).toEqual({ nodeOptions: '--max-semi-space-size=1', execArgv: TRIGGERS });
    expect(startupRestart('', [])).toEqual({ nodeOptions: '--max-semi-space-size=1', execArgv: TRIGGERS });
  });

  it("keeps the operator's options and node arguments, after ours", () => {
    expect(startupRestart(' --max-old-space-size=200  --enable-source-maps ', ['--inspect'])).toEqual({
      nodeOptions: '--max-semi-space-size=1 --max-old-space-size=200  --enable-source-maps',
      execArgv: [...TRIGGERS, '--inspect'],
    });
  });

  it('changes nothing when the operator set a semi-space size, in either spelling, in NODE_OPTIONS or on the command line', () => {
    expect(startupRestart('--max-semi-space-size=1', TRIGGERS)).toBeNull();
    expect(startupRestart('--max-old-space-size=200 --max_semi_space_size=8', TRIGGERS)).toBeNull();
    expect(startupRestart(undefined, ['--max-semi-space-size=4', ...TRIGGERS])).toBeNull();
  });

  it('a marking trigger the operator set wins and is not repeated; only the missing one is added', () => {
    expect(startupRestart('--max-semi-space-size=1', ['--incremental_marking_soft_trigger=50'])).toEqual({
      nodeOptions: '--max-semi-space-size=1',
      execArgv: ['--incremental-marking-hard-trigger=95', '--incremental_marking_soft_trigger=50'],
    });
  });
});
