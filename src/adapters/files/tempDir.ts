import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Makes sure TEMP_DIR exists (created when missing) and takes a new folder, by creating and removing one: a worker
 * whose temp dir is missing or read-only would otherwise fail every assemble job while looking healthy.
 * Throws an Error whose message names TEMP_DIR and the reason.
 */
export async function ensureWritableTempDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = await mkdtemp(join(dir, '.writable-probe-'));
    await rm(probe, { recursive: true, force: true });
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new Error(`TEMP_DIR ${dir} is not a writable folder (${reason}); set TEMP_DIR to a folder this process can write`, {
      cause: err,
    });
  }
}
