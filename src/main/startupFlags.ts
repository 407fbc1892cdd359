/**
 * V8 flags the roles run with. V8 reads some of them only at start-up, and Node refuses others in NODE_OPTIONS, so
 * `bin/assembler.js` (the one entry of the npm bin, the npm scripts and the image) restarts Node with them (in
 * NODE_OPTIONS or on its command line) when they are missing.
 *
 * Every role, in NODE_OPTIONS:
 * - `--max-semi-space-size=1`: start-up garbage would otherwise grow the young generation to two 16 MiB semi-spaces,
 *   which the process keeps: about 10 MB more RSS for an idle worker, for no measured gain.
 */
export const STARTUP_V8_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/**
 * The roles that take uploads over HTTP (`api`, `all`), on the node command line (Node refuses it in NODE_OPTIONS):
 * - `--heap-growing-percent=300`: after a full collection, the heap may grow to 4x what survived before the next
 *   one (V8's own largest factor; it picked 1.1-1.3 here). V8 counts the Buffer memory allocated since the last full
 *   collection as heap growth, and a chunk upload allocates a Buffer for every piece of body it reads (Node's HTTP
 *   parser copies each) and one for every inflated gzip chunk. With the 20 MB heap's budget of about 9 MB, the API
 *   marked its whole heap again every 10-20 MB of upload: 40-50 full collections per 96 MiB, about 250 ms of the
 *   second core per upload (perf: V8's concurrent marking was a quarter of the API's samples), the core the client
 *   and the kernel need. With it, about 25 ms, and gzip uploads ran 20-30% faster; the API's peak RSS did not move
 *   (222-227 MB under the bench's uploads, mostly Buffers). The worker roles keep V8's own factor: their peak RSS is
 *   what the worker's memory bound is about.
 */
export const HTTP_ROLE_V8_FLAGS: readonly string[] = ['--heap-growing-percent=300'];

const HTTP_ROLES: ReadonlySet<string> = new Set(['api', 'all']);

/** `--max_semi_space_size=4` -> `--max-semi-space-size`: V8 takes either spelling. */
const flagName = (arg: string) => (arg.split('=')[0] ?? arg).replaceAll('_', '-');

export interface StartupRestart {
  /** NODE_OPTIONS for the restarted process */
  nodeOptions: string;
  /** node's own arguments (before the script) for the restarted process */
  execArgv: string[];
}

/**
 * How to restart Node with the flags of `role` (the `assembler` command's first argument), or null when none is
 * missing. A flag the operator set (in NODE_OPTIONS or on the node command line), with any value, wins and is not
 * repeated; the operator's other options and node arguments are kept, after ours.
 */
export function startupRestart(nodeOptions: string | undefined, execArgv: readonly string[], role: string | undefined): StartupRestart | null {
  const given = new Set([...(nodeOptions ?? '').split(/\s+/), ...execArgv].filter(Boolean).map(flagName));
  const missing = (flags: readonly string[]) => flags.filter((flag) => !given.has(flagName(flag)));
  const missingOptions = missing(STARTUP_V8_FLAGS);
  const missingArgs = role !== undefined && HTTP_ROLES.has(role) ? missing(HTTP_ROLE_V8_FLAGS) : [];
  if (missingOptions.length === 0 && missingArgs.length === 0) return null;
  return {
    nodeOptions: [...missingOptions, nodeOptions?.trim()].filter(Boolean).join(' '),
    execArgv: [...missingArgs, ...execArgv],
  };
}
