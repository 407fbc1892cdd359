/**
 * The queue contract's names. Producers and consumers import queue names from here alone.
 * BullMQ refuses ":" in queue names and job ids, so none appear here.
 */
export const QUEUE_NAMES = {
  assemble: 'assemble-artifacts',
  dashboards: 'dashboard-widgets',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** BullMQ's key prefix for a deployment: REDIS_PREFIX when set, else BullMQ's own default. */
export function bullPrefix(redisPrefix: string): string {
  return redisPrefix || 'bull';
}

/** Defaults from DESIGN.md section 2: 5 attempts, exponential backoff from 1 s, completed 24 h/1000, failed 7 days. */
export function defaultJobOptions(attempts: number) {
  return {
    attempts,
    backoff: { type: 'exponential' as const, delay: 1000 },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
