import { createHash } from 'node:crypto';

/** Lower-case hex SHA-1, as the service computes checksums. */
export function sha1(data: Buffer | string): string {
  return createHash('sha1').update(data).digest('hex');
}
