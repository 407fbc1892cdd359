import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * Who made a temp folder: the process id, the process's start time (Linux: clock ticks after boot, from
 * /proc/<pid>/stat; 0 where there is no /proc) and a tag of the host name. A pid alone is not enough: the worker in a
 * container is pid 1 again after a restart, and pids are reused; and two containers sharing a folder see each other's
 * pids in no namespace of their own. A folder is swept only when its host is ours and its process (pid + start time)
 * no longer runs.
 */
export interface TempDirOwner {
  pid: number;
  startTime: number;
  host: string;
}

/** The start time of a process, or null when it does not run (or its start time cannot be read). */
export type ProcessStartTime = (pid: number) => number | null;

export function hostTag(name: string = hostname()): string {
  return createHash('sha1').update(name).digest('hex').slice(0, 8);
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command name, which may itself hold spaces). */
export function linuxStartTime(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(fields[19]);
  return Number.isSafeInteger(start) ? start : null;
}

function hasProcFs(): boolean {
  return linuxStartTime(process.pid) !== null;
}

/** Without /proc: 0 for a process that runs (signal 0 reaches it, or it is someone else's), null otherwise. */
function signalStartTime(pid: number): number | null {
  try {
    process.kill(pid, 0);
    return 0;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? 0 : null;
  }
}

export const processStartTime: ProcessStartTime = hasProcFs() ? linuxStartTime : signalStartTime;

export const CURRENT_OWNER: TempDirOwner = { pid: process.pid, startTime: processStartTime(process.pid) ?? 0, host: hostTag() };

function ownerTag(owner: TempDirOwner): string {
  return `${owner.pid}.${owner.startTime}.${owner.host}`;
}

/**
 * Runs `fn` with a fresh private folder that is removed on every path out, success or failure. The folder name says
 * which process made it (`{prefix}{pid}.{start time}.{host tag}-XXXXXX`), so that folders left behind by a process
 * that was killed can be found and swept by `sweepOrphanedTempDirs`.
 */
export async function withTempDir<T>(parent: string, prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(parent, `${prefix}${ownerTag(CURRENT_OWNER)}-`));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What a folder's name says about its maker: an owner, `legacy` (a pid only, named before owners were), or null. */
export function parseTempDirName(name: string, prefix: string): TempDirOwner | { legacyPid: number } | null {
  if (!name.startsWith(prefix)) return null;
  const rest = name.slice(prefix.length);
  const owned = /^(\d+)\.(\d+)\.([0-9a-f]{8})-/.exec(rest);
  if (owned) return { pid: Number(owned[1]), startTime: Number(owned[2]), host: owned[3]! };
  const legacy = /^(\d+)-/.exec(rest);
  return legacy ? { legacyPid: Number(legacy[1]) } : null;
}

/** Is the folder's maker gone for sure? Folders of other hosts, and of processes that still run, are never judged so. */
export function isOrphaned(
  owner: TempDirOwner | { legacyPid: number },
  self: TempDirOwner = CURRENT_OWNER,
  startTimeOf: ProcessStartTime = processStartTime,
): boolean {
  if ('legacyPid' in owner) {
    // this process names its folders the new way: a pid-only folder with our pid is an earlier process's
    if (owner.legacyPid === self.pid) return true;
    return owner.legacyPid > 0 && startTimeOf(owner.legacyPid) === null;
  }
  if (owner.host !== self.host || owner.pid <= 0) return false;
  if (owner.pid === self.pid) return owner.startTime !== self.startTime;
  const running = startTimeOf(owner.pid);
  // without /proc every running process reads as 0: then a running pid is taken as the folder's maker
  return running === null || (running !== 0 && running !== owner.startTime);
}

/**
 * Removes the `prefix` folders whose maker no longer runs on this host (a crash skips the `finally` of withTempDir).
 * Safe beside live workers: their folders carry their own pid and start time, which still run. Returns the names.
 */
export async function sweepOrphanedTempDirs(parent: string, prefix: string): Promise<string[]> {
  const swept: string[] = [];
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const owner = parseTempDirName(name, prefix);
    if (!owner || !isOrphaned(owner)) continue;
    await rm(join(parent, name), { recursive: true, force: true });
    swept.push(name);
  }
  return swept;
}
