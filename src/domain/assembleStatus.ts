import { createHash } from 'node:crypto';

/** The kinds of assemble work whose status clients poll (Sentry's `AssembleTask`, release-artifact subset). */
export type AssembleTask = 'organization.artifacts' | 'organization.artifact_bundle';

export const ASSEMBLE_TASK = {
  releaseBundle: 'organization.artifacts',
  artifactBundle: 'organization.artifact_bundle',
} as const satisfies Record<string, AssembleTask>;

/** `not_found` is what a missing key means; it is answered to clients but never stored. */
export type AssembleState = 'created' | 'assembling' | 'ok' | 'error' | 'not_found';

export const ASSEMBLE_STATES: readonly AssembleState[] = ['created', 'assembling', 'ok', 'error', 'not_found'];

export interface AssembleStatus {
  state: AssembleState;
  detail: string | null;
}

/**
 * An `error` that a retry may cure (storage full, a dependency down through every attempt) is stored with a third
 * element `true`: it is answered once, then forgotten, so that the next request assembles again instead of being
 * served the stale error for the whole TTL. Sentry stores `[state, detail]`; clients never see the stored value.
 */
export interface StoredAssembleStatus extends AssembleStatus {
  retryable: boolean;
}

/** How long a retryable error waits for its one reader before it is forgotten anyway. */
export const RETRYABLE_ERROR_TTL_SECONDS = 60;

/** Every write resets this TTL (Sentry: `SET key value EX 600`). */
export const ASSEMBLE_STATUS_TTL_SECONDS = 600;

/**
 * Same key scheme as Sentry so that nothing a client can observe differs: the status is keyed by the whole-file
 * checksum, not by release, so identical bytes share one status for the TTL.
 */
export function assembleStatusKey(scope: string, checksum: string, task: AssembleTask): string {
  const digest = createHash('sha1').update(`${scope}|${checksum}|${task}`, 'utf8').digest('hex');
  return `assemble-status:${digest}`;
}

export function encodeAssembleStatus(state: AssembleState, detail: string | null, retryable = false): string {
  return JSON.stringify(retryable ? [state, detail, true] : [state, detail]);
}

export function isAssembleState(value: unknown): value is AssembleState {
  return typeof value === 'string' && (ASSEMBLE_STATES as readonly string[]).includes(value);
}

/**
 * Reads a stored `[state, detail]` pair. Anything else (a value from another writer, a truncated write) reads as no
 * status at all, which makes the client's next request start the work again rather than poll garbage forever.
 */
export function decodeAssembleStatus(raw: string | null): StoredAssembleStatus | null {
  if (raw === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length < 1 || value.length > 3) return null;
  const [state, detail, marker] = value as unknown[];
  if (!isAssembleState(state)) return null;
  if (marker !== undefined && typeof marker !== 'boolean') return null;
  const retryable = marker === true && state === 'error';
  if (detail === undefined || detail === null) return { state, detail: null, retryable };
  if (typeof detail !== 'string') return null;
  return { state, detail, retryable };
}
