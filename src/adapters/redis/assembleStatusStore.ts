import type { Redis } from 'ioredis';
import {
  ASSEMBLE_STATUS_TTL_SECONDS,
  assembleStatusKey,
  decodeAssembleStatus,
  encodeAssembleStatus,
  type AssembleState,
  type AssembleTask,
} from '../../domain/assembleStatus.js';
import { prefixedKey } from './connect.js';

export interface AssembleStatus {
  state: Exclude<AssembleState, 'not_found'>;
  detail: string | null;
}

export interface AssembleStatusRef {
  scope: string;
  checksum: string;
  task: AssembleTask;
}

/**
 * The assemble status that clients poll (DESIGN.md section 3): Redis key `assemble-status:` + sha1, value
 * `[state, detail]`, 600 s TTL rewritten on every set. `not_found` is never stored: it is the absence of a key.
 */
export class AssembleStatusStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix = '',
    private readonly ttlSeconds = ASSEMBLE_STATUS_TTL_SECONDS,
  ) {}

  key(ref: AssembleStatusRef): string {
    return prefixedKey(this.keyPrefix, assembleStatusKey(ref.scope, ref.checksum, ref.task));
  }

  async get(ref: AssembleStatusRef): Promise<AssembleStatus | null> {
    const decoded = decodeAssembleStatus(await this.redis.get(this.key(ref)));
    if (!decoded || decoded.state === 'not_found') return null;
    return { state: decoded.state, detail: decoded.detail };
  }

  async set(ref: AssembleStatusRef, state: AssembleStatus['state'], detail: string | null = null): Promise<void> {
    await this.redis.set(this.key(ref), encodeAssembleStatus(state, detail), 'EX', this.ttlSeconds);
  }

  /** Writes `created` only if no status exists; true when this caller won and must enqueue the job. */
  async createIfAbsent(ref: AssembleStatusRef): Promise<boolean> {
    const result = await this.redis.set(this.key(ref), encodeAssembleStatus('created', null), 'EX', this.ttlSeconds, 'NX');
    return result === 'OK';
  }

  /** How often a running job rewrites its status so that it outlives the TTL however long it runs: thrice per TTL. */
  get keepAliveIntervalMs(): number {
    return (this.ttlSeconds * 1000) / 3;
  }

  async delete(ref: AssembleStatusRef): Promise<void> {
    await this.redis.del(this.key(ref));
  }
}
