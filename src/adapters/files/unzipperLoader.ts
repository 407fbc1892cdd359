import type unzipper from 'unzipper';

let loaded: Promise<typeof unzipper> | undefined;

/**
 * The zip reader, loaded on the first zip a process opens: unzipper pulls in some eighty modules (bluebird,
 * fs-extra, ...) that an idle worker, and a process that never reads a zip, should not hold in memory.
 */
export function loadUnzipper(): Promise<typeof unzipper> {
  loaded ??= import('unzipper').then((module) => module.default);
  return loaded;
}
