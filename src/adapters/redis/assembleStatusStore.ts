import type { Redis } from 'ioredis';
import {
  ASSEMBLE_STATUS_TTL_SECONDS,
  RETRYABLE_ERROR_TTL_SECONDS,
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

const READ_AND_FORGET_RETRYABLE = `
local value = redis.call('GET', KEYS[1])
if value then
  local ok, decoded = pcall(cjson.decode, value)
  if ok and type(decoded) == 'table' and decoded[1] == 'error' and decoded[3] == true then redis.call('DEL', KEYS[1]) end
end
return value`;

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

  /** An `error` a retry may cure (domain/assembleStatus.ts): answered once by `answer`, then forgotten. */
  async setRetryableError(ref: AssembleStatusRef, detail: string): Promise<void> {
    const ttl = Math.min(this.ttlSeconds, RETRYABLE_ERROR_TTL_SECONDS);
    await this.redis.set(this.key(ref), encodeAssembleStatus('error', detail, true), 'EX', ttl);
  }

  /**
   * The status as an assemble request answers it: like `get`, but a retryable error is deleted in the same step
   * (atomically, so that two requests cannot both see it or delete a newer status), and the next request starts
   * the assembly again.
   */
  async answer(ref: AssembleStatusRef): Promise<AssembleStatus | null> {
    const raw = (await this.redis.eval(READ_AND_FORGET_RETRYABLE, 1, this.key(ref))) as string | null;
    const decoded = decodeAssembleStatus(raw);
    if (!decoded || decoded.state === 'not_found') return null;
    return { state: decoded.state, detail: decoded.detail };
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
