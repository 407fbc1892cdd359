/**
 * V8 flags every role runs with. V8 reads some of them only at start-up, and Node refuses others in NODE_OPTIONS, so
 * `bin/assembler.js` (the one entry of the npm bin, the npm scripts and the image) restarts Node with them (in
 * NODE_OPTIONS or on its command line) when they are missing.
 *
 * In NODE_OPTIONS (Node takes only a few V8 flags there):
 * - `--max-semi-space-size=1`: start-up garbage would otherwise grow the young generation to two 16 MiB semi-spaces,
 *   which the process keeps: about 10 MB more RSS for an idle worker, for no measured gain.
 */
export const STARTUP_V8_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/**
 * On the node command line (Node refuses them in NODE_OPTIONS):
 * - `--incremental-marking-soft-trigger=90`, `--incremental-marking-hard-trigger=95`: start a full collection's
 *   marking when 90% (soon) or 95% (at once) of the heap's growth since the last one is used. By default V8 also counts
 *   Buffer memory allocated since then against that growth, which is only about 9 MB for our 20 MB heap, so a process
 *   that moves bytes through Buffers (a chunk upload: every body piece is a new Buffer) marked its whole heap again
 *   every 10-20 MB: 40-50 full collections per 96 MiB uploaded, about 250 ms of a second core's time that the client
 *   and the kernel need. With the triggers, 5-7. Buffer memory still has its own trigger (external memory pressure),
 *   so it is still freed: the 300 MB bundle's peak RSS did not move.
 */
export const COMMAND_LINE_V8_FLAGS: readonly string[] = ['--incremental-marking-soft-trigger=90', '--incremental-marking-hard-trigger=95'];

/** `--max_semi_space_size=4` -> `--max-semi-space-size`: V8 takes either spelling. */
const flagName = (arg: string) => (arg.split('=')[0] ?? arg).replaceAll('_', '-');

export interface StartupRestart {
  /** NODE_OPTIONS for the restarted process */
  nodeOptions: string;
  /** node's own arguments (before the script) for the restarted process */
  execArgv: string[];
}

/**
 * How to restart Node with the start-up flags, or null when none is missing. A flag the operator set (in NODE_OPTIONS
 * or on the node command line), with any value, wins and is not repeated; the operator's other options are kept,
 * after ours.
 */
export function startupRestart(nodeOptions: string | undefined, execArgv: readonly string[]): StartupRestart | null {
  const given = new Set([...(nodeOptions ?? '').split(/\s+/), ...execArgv].filter(Boolean).map(flagName));
  const missing = (flags: readonly string[]) => flags.filter((flag) => !given.has(flagName(flag)));
  const missingOptions = missing(STARTUP_V8_FLAGS);
  const missingArgs = missing(COMMAND_LINE_V8_FLAGS);
  if (missingOptions.length === 0 && missingArgs.length === 0) return null;
  return {
    nodeOptions: [...missingOptions, nodeOptions?.trim()].filter(Boolean).join(' '),
    execArgv: [...missingArgs, ...execArgv],
  };
}
