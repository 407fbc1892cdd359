/**
 * V8 flags every role runs with. V8 reads them only at start-up, so `bin/assembler.js` (the one entry of the npm
 * bin, the npm scripts and the image) restarts Node with them in NODE_OPTIONS when they are missing.
 *
 * `--max-semi-space-size=1`: start-up garbage would otherwise grow the young generation to two 16 MiB semi-spaces,
 * which the process keeps: about 10 MB more RSS for an idle worker, for no measured gain.
 */
export const STARTUP_V8_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/** `--max_semi_space_size=4` -> `--max-semi-space-size`: V8 takes either spelling. */
const flagName = (arg: string) => (arg.split('=')[0] ?? arg).replaceAll('_', '-');

/**
 * The NODE_OPTIONS to restart with, or null when nothing is missing. A flag the operator set (in NODE_OPTIONS or on
 * the node command line), with any value, wins and is not repeated; the operator's other options are kept, after ours.
 */
export function nodeOptionsWithStartupFlags(nodeOptions: string | undefined, execArgv: readonly string[]): string | null {
  const given = new Set([...(nodeOptions ?? '').split(/\s+/), ...execArgv].filter(Boolean).map(flagName));
  const missing = STARTUP_V8_FLAGS.filter((flag) => !given.has(flagName(flag)));
  if (missing.length === 0) return null;
  return [...missing, nodeOptions?.trim()].filter(Boolean).join(' ');
}
