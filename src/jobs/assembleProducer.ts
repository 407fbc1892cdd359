import { Queue, type ConnectionOptions } from 'bullmq';
import { findMissingChunks } from '../adapters/files/index.js';
import type { Db } from '../adapters/db/connect.js';
import { findReleaseBundleUpload } from '../adapters/db/releaseBundleUploads.js';
import type { AssembleStatusStore } from '../adapters/redis/assembleStatusStore.js';
import { ASSEMBLE_TASK, type AssembleState } from '../domain/assembleStatus.js';
import {
  ASSEMBLE_JOB,
  ASSEMBLE_QUEUE,
  releaseBundleJobId,
  type AssembleJobName,
  type AssembleJobPayloads,
  type ReleaseBundlePayload,
} from './assembleJobs.js';
import { defaultJobOptions } from './queues.js';

export type AssembleQueue = Queue;

export function createAssembleQueue(connection: ConnectionOptions, prefix: string, attempts: number): AssembleQueue {
  return new Queue(ASSEMBLE_QUEUE, { connection, prefix, defaultJobOptions: defaultJobOptions(attempts) });
}

/** What the assemble endpoint answers and what producers read: Sentry's response shape. */
export interface AssembleResponse {
  state: AssembleState;
  detail: string | null;
  missingChunks: string[];
}

export interface AssemblyRequestDeps {
  db: Db;
  queue: AssembleQueue;
  statusStore: AssembleStatusStore;
}

export const MISSING_CHUNKS_DETAIL = 'Not all chunks available for assembling';

/**
 * Asks for a release bundle to be assembled, the way the release assemble endpoint does (reference 1.4.1 and
 * DESIGN.md sections 3 and 6): an existing status is answered as is; without one (never asked, or expired after
 * 10 minutes) an upload of this checksum stored for this release answers `ok` and enqueues nothing, whatever the
 * chunks (their blobs may have been collected since), and a job still queued or running answers for itself; an
 * empty chunk list is a poll; chunks the organisation does not own are reported (and nothing is written, so the
 * caller can upload them and ask again); otherwise `created` is written with SET NX and only the request that won it
 * enqueues the job. Reads no blob contents.
 */
export async function requestReleaseBundleAssembly(
  deps: AssemblyRequestDeps,
  request: Omit<ReleaseBundlePayload, 'chunks'> & { chunks: string[] },
): Promise<AssembleResponse> {
  const ref = { scope: request.organizationId, checksum: request.checksum, task: ASSEMBLE_TASK.releaseBundle };
  const existing = await deps.statusStore.answer(ref);
  if (existing) return { ...existing, missingChunks: [] };
  // Not written back to Redis: the key names no release, and a plain SET could overwrite the `created` of a
  // concurrent request for another release with the same bytes. One indexed query per poll is cheap.
  if (await findReleaseBundleUpload(deps.db, request)) return { state: 'ok', detail: null, missingChunks: [] };
  const queued = await queuedJobState(deps.queue, releaseBundleJobId(request));
  if (queued) return { state: queued, detail: null, missingChunks: [] };
  if (request.chunks.length === 0) return { state: 'not_found', detail: null, missingChunks: [] };
  const missingChunks = await findMissingChunks(deps.db, request.organizationId, request.chunks);
  if (missingChunks.length > 0) return { state: 'error', detail: MISSING_CHUNKS_DETAIL, missingChunks };
  if (await deps.statusStore.createIfAbsent(ref)) {
    const payload: ReleaseBundlePayload = { ...request, chunks: request.chunks };
    await enqueueAssembleJob(deps.queue, ASSEMBLE_JOB.releaseBundle, payload, releaseBundleJobId(payload));
    return { state: 'created', detail: null, missingChunks: [] };
  }
  const raced = await deps.statusStore.get(ref);
  return { state: raced?.state ?? 'created', detail: raced?.detail ?? null, missingChunks: [] };
}

/**
 * The state a job still to run or running answers with when its status has expired (it waited in the queue longer
 * than the TTL): `created` while it waits, `assembling` once a worker has it; null when there is no such job
 * (BullMQ says `unknown`) or it has finished, which its stored rows or a new request then answer for.
 */
export async function queuedJobState(queue: AssembleQueue, jobId: string): Promise<'created' | 'assembling' | null> {
  const state = await queue.getJobState(jobId);
  if (state === 'active') return 'assembling';
  return state === 'completed' || state === 'failed' || state === 'unknown' ? null : 'created';
}

/**
 * Adds a job under its deterministic id. A finished job with that id (kept for a while for Bull Board) would make
 * the add a silent no-op, so it is removed first: the status key, not the job id, is what guards against doubles.
 */
export async function enqueueAssembleJob<N extends AssembleJobName>(
  queue: AssembleQueue,
  name: N,
  payload: AssembleJobPayloads[N],
  jobId: string,
): Promise<void> {
  const previous = await queue.getJob(jobId);
  if (previous) {
    const state = await previous.getState();
    if (state === 'completed' || state === 'failed') await previous.remove().catch(() => undefined);
  }
  await queue.add(name, payload, { jobId });
}
