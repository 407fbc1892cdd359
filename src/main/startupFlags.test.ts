import { HTTP_ROLE_V8_FLAGS, startupRestart } from './startupFlags.js';

const HEAP_GROWTH = '--heap-growing-percent=300';

describe('startupRestart', () => {
  it('adds the semi-space flag to NODE_OPTIONS for every role, and the heap growth to the command line of api and all', () => {
    expect(HTTP_ROLE_V8_FLAGS).toEqual([HEAP_GROWTH]);
    for (const role of ['worker', 'dashboards', 'migrate', 'gc', undefined]) {
      expect(startupRestart(undefined, [], role)).toEqual({ nodeOptions: '--max-semi-space-size=1', execArgv: [] });
    }
    for (const role of ['api', 'all']) {
      expect(startupRestart('', [], role)).toEqual({ nodeOptions: '--max-semi-space-size=1', execArgv: [HEAP_GROWTH] });
    }
  });

  it("keeps the operator's options and node arguments, after ours", () => {
    expect(startupRestart(' --max-old-space-size=200  --enable-source-maps ', ['--inspect'], 'api')).toEqual({
      nodeOptions: '--max-semi-space-size=1 --max-old-space-size=200  --enable-source-maps',
      execArgv: [HEAP_GROWTH, '--inspect'],
    });
  });

  it('changes nothing when the operator set them, with any value, in either spelling, in NODE_OPTIONS or on the command line', () => {
    expect(startupRestart('--max-semi-space-size=1', [], 'worker')).toBeNull();
    expect(startupRestart('--max-old-space-size=200 --max_semi_space_size=8', [], 'worker')).toBeNull();
    expect(startupRestart(undefined, ['--max-semi-space-size=4'], 'dashboards')).toBeNull();
    expect(startupRestart('--max-semi-space-size=1', ['--heap_growing_percent=50'], 'api')).toBeNull();
  });

  it('adds only what is missing', () => {
    expect(startupRestart('--max-semi-space-size=2', [], 'all')).toEqual({ nodeOptions: '--max-semi-space-size=2', execArgv: [HEAP_GROWTH] });
    expect(startupRestart(undefined, [HEAP_GROWTH], 'api')).toEqual({ nodeOptions: '--max-semi-space-size=1', execArgv: [HEAP_GROWTH] });
  });
});
